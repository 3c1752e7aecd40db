"""The guardian-appointment clock: from registration as unaccompanied to a guardian's
appointment, shown on the case page and the dashboard, met by an appointment, escalated once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases import actions
from waymark.cases.api_schemas import AwaitingGuardianOut
from waymark.cases.models import Case, Event
from waymark.cases.redaction import redact
from waymark.cases.schemas import CaseIn
from waymark.cases.tests.api_client import api_as
from waymark.core.clocks import ClockState
from waymark.core.guardianship import add_working_days
from waymark.policy.service import Decision
from waymark.test import create_case, login
from waymark.vocab import EventType, Purpose


def _opened(case: Case, days_ago: int) -> Case:
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - dt.timedelta(days=days_ago))
    return Case.objects.select_related("organisation", "child").get(pk=case.pk)


def test_an_unaccompanied_child_gets_a_clock_of_15_working_days_in_italy(people):
    case = create_case(people.giulia)
    clock = case.guardian_clock
    assert clock is not None and clock.state(timezone.now()) is ClockState.RUNNING
    opened = timezone.localtime(case.opened_at).date()
    last = add_working_days(opened, 15)
    assert timezone.localtime(clock.due_at).date() == last + dt.timedelta(days=1)


def test_an_accompanied_child_has_no_guardian_clock(people):
    case = create_case(people.giulia, case={"unaccompanied": False})
    assert case.guardian_clock is None


def test_appointing_a_guardian_meets_the_clock_and_is_on_the_timeline(people):
    case = create_case(people.giulia)
    data = CaseIn(**{**CaseIn.values_of(case), "guardian": "marco"})
    updated = actions.do_update_case(people.giulia, case, data)
    assert updated.guardian == people.marco and updated.guardian_appointed_at is not None
    assert updated.guardian_clock is not None
    assert updated.guardian_clock.state(timezone.now()) is ClockState.MET
    event = Event.objects.get(case=case, type=EventType.GUARDIAN_APPOINTED)
    assert event.summary == "Guardian appointed: marco"
    # Saving the case again with the same guardian is not a new appointment.
    again = actions.do_update_case(people.giulia, updated, CaseIn(**CaseIn.values_of(updated)))
    assert again.guardian_appointed_at == updated.guardian_appointed_at
    assert Event.objects.filter(case=case, type=EventType.GUARDIAN_APPOINTED).count() == 1


def test_a_guardian_named_at_registration_is_appointed_then(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    assert case.guardian_appointed_at is not None
    assert Event.objects.filter(case=case, type=EventType.GUARDIAN_APPOINTED).count() == 1


def test_the_case_page_and_dashboard_show_the_wait_until_a_guardian_is_appointed(client, people):
    waiting = create_case(people.giulia, given_names="Amina", family_name="Tesfaye")
    create_case(people.giulia, given_names="Omar", family_name="Said", case={"guardian": "marco"})
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[waiting.public_id])).content.decode()
    assert "Guardian appointment" in html and "guardian to be appointed by" in html
    dashboard = client.get(reverse("dashboard"))
    assert [c.pk for c in dashboard.context["awaiting_guardian"]] == [waiting.pk]
    assert "Waiting for a guardian" in dashboard.content.decode()


def test_an_overdue_appointment_is_escalated_once_and_the_supervisor_sees_it(client, people):
    late = _opened(create_case(people.giulia), days_ago=30)
    in_time = create_case(people.giulia)
    assert late.guardian_clock is not None
    assert late.guardian_clock.state(timezone.now()) is ClockState.OVERDUE
    out = StringIO()
    call_command("escalate_guardian_appointments", stdout=out)
    assert f"escalated {late.reference}" in out.getvalue() and in_time.reference not in out.getvalue()
    assert actions.do_escalate_guardian_appointments(timezone.now()) == []  # only once
    note = Event.objects.get(case=late, summary="Guardian appointment overdue: escalated to the supervisors")
    assert "15 working days" in note.details
    login(client, people.sara)
    html = client.get(reverse("dashboard")).content.decode()
    assert "escalated to the supervisors" in html
    assert "guardian appointment overdue" in html


def test_ivan_in_immigration_enforcement_sees_no_child_waiting_for_a_guardian(client, people):
    case = create_case(people.giulia)
    login(client, people.ivan)
    response = client.get(reverse("dashboard"))
    # His home has no purpose that opens a child (issue 10): no waiting list, no name.
    assert not response.context.get("awaiting_guardian")
    assert case.child.given_names not in response.content.decode()


def test_the_api_lists_children_waiting_for_a_guardian_with_their_clocks(people):
    late = _opened(create_case(people.giulia, given_names="Amina"), days_ago=30)
    in_time = create_case(people.giulia, given_names="Omar")
    create_case(people.giulia, given_names="Yonas", case={"guardian": "marco"})
    create_case(people.giulia, given_names="Sami", case={"unaccompanied": False})
    actions.do_escalate_guardian_appointments(timezone.now())
    api = api_as(people.sara)
    listed = api.get("/api/guardian-appointments")
    assert listed.status_code == 200, listed.content
    rows = listed.json()
    # Oldest first; the appointed guardian's ward and the accompanied child are not waiting.
    assert [r["case"]["public_id"] for r in rows] == [str(late.public_id), str(in_time.public_id)]
    assert rows[0]["guardian_clock"]["state"] == "overdue" and rows[0]["guardian_escalated_at"]
    assert rows[1]["guardian_clock"]["state"] == "running" and rows[1]["guardian_escalated_at"] is None
    assert rows[0]["case"]["child"]["given_names"] == "Amina" and rows[0]["withheld"] == {}
    # The case itself carries the same clock.
    detail = api.get(f"/api/cases/{late.public_id}").json()
    assert detail["guardian_clock"]["state"] == "overdue" and detail["guardian_escalated_at"]
    assert detail["guardian_clock"]["rule"] == rows[0]["guardian_clock"]["rule"]
    # Each child listed was decided and audited for the supervisor.
    read = AuditEntry.objects.filter(actor="sara", case_reference=late.reference)
    assert any("guardian" in e.categories for e in read)


def test_ivan_in_immigration_enforcement_gets_no_waiting_list_from_the_api(people):
    create_case(people.giulia)
    for purpose in (Purpose.CHILD_PROTECTION, Purpose.IMMIGRATION_ENFORCEMENT):
        answer = api_as(people.ivan, purpose=purpose).get("/api/guardian-appointments")
        assert answer.status_code == 403 or answer.json() == [], answer.content


def test_a_guardian_clock_is_withheld_unless_both_guardian_and_family_data_are_shared():
    def decision(category: str, allowed: bool) -> Decision:
        return Decision(allowed, category, "child_protection", "read", ["test"])

    out = AwaitingGuardianOut.model_construct(
        case=None,  # type: ignore[arg-type]  # not redacted here: only the clock fields are
        guardian_clock=None,
        guardian_escalated_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        withheld={},
    )
    shown = redact(out, {"guardian": decision("guardian", True), "family": decision("family", True)})
    assert shown.guardian_escalated_at is not None and shown.withheld == {}
    hidden = redact(out, {"guardian": decision("guardian", True), "family": decision("family", False)})
    assert hidden.guardian_escalated_at is None
    assert set(hidden.withheld) == {"guardian_clock", "guardian_escalated_at"}
