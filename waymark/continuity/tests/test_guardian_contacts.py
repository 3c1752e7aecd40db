"""A guardian's caseload ("My wards": each ward's next deadline, the last contact) and the
contacts they log (visit, call, message; the child's views sealed, a disclosure), by page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case, Event
from waymark.cases.schemas import CarePlanIn
from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity.guardians import GuardianContact, GuardianContactIn, do_log_guardian_contact, next_due
from waymark.errors import ActionError, Refused
from waymark.test import create_case, login, set_care_plan
from waymark.vocab import DataCategory

ALL = frozenset(DataCategory.values)
FICTIONAL_VIEWS = "I want to go to my brother in Brussels (fictional)."


def ward(people, **case):
    return create_case(people.giulia, case={"guardian": "marco", **case})


def contact(**overrides):
    data = {
        "kind": "visit",
        "contacted_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "place": "Reception centre, Milan (fictional)",
        "views": FICTIONAL_VIEWS,
    }
    return GuardianContactIn(**{**data, **overrides})


def test_the_guardian_logs_a_contact_with_the_views_sealed_and_a_timeline_entry(people):
    case = ward(people)
    logged = do_log_guardian_contact(people.marco, case, contact())
    row = GuardianContact.objects.get(pk=logged.pk)
    assert row.views == FICTIONAL_VIEWS and row.place.startswith("Reception centre")
    # Sealed at rest: nothing of the child's words in the column in clear.
    assert "brother" not in row.views_sealed and "Reception" not in row.place_sealed
    event = Event.objects.filter(case=case, category=DataCategory.GUARDIAN).latest("recorded_at")
    assert event.summary == "Guardian contact: Visit" and "brother" not in event.summary + event.details


def test_only_the_wards_guardian_logs_a_contact(people):
    case = ward(people)
    with pytest.raises(Refused):
        do_log_guardian_contact(people.giulia, case, contact())
    other = create_case(people.giulia, given_names="Amira")
    with pytest.raises(Refused):
        do_log_guardian_contact(people.marco, other, contact())
    assert not GuardianContact.objects.exists()


def test_a_contact_in_the_future_is_refused_naming_the_field(people):
    case = ward(people)
    with pytest.raises(ActionError) as refused:
        do_log_guardian_contact(
            people.marco, case, contact(contacted_at=(timezone.now() + dt.timedelta(days=1)).isoformat())
        )
    assert "contacted_at" in refused.value.errors
    assert not GuardianContact.objects.exists()


def test_the_next_deadline_is_the_earliest_open_clock(people):
    case = create_case(people.giulia)  # unaccompanied, no guardian yet: the appointment clock runs
    due = next_due(case, timezone.now(), shown=ALL)
    assert due is not None and due.clock.rule_name == "guardian_appointment"
    set_care_plan(people.giulia, case, CarePlanIn(review_date=timezone.localdate() + dt.timedelta(days=1)))
    case = Case.objects.select_related("care_plan", "organisation").get(pk=case.pk)
    due = next_due(case, timezone.now(), shown=ALL)
    assert due is not None and due.label == "Care-plan review"
    # A reader who may not see case notes is not told of the review.
    hidden = next_due(case, timezone.now(), shown=ALL - {DataCategory.CASE_NOTES})
    assert hidden is not None and hidden.clock.rule_name == "guardian_appointment"


def test_my_wards_lists_the_wards_with_next_deadline_and_last_contact_audited(client, people):
    case = ward(people)
    create_case(people.giulia, given_names="Amira")  # not marco's ward
    set_care_plan(people.giulia, case, CarePlanIn(review_date=timezone.localdate() + dt.timedelta(days=3)))
    do_log_guardian_contact(people.marco, case, contact(kind="call"))
    login(client, people.marco)
    before = AuditEntry.objects.count()
    page = client.get(reverse("guardianship:wards"))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html and "Amira" not in html
    assert "Care-plan review" in html and "Call" in html
    assert AuditEntry.objects.count() > before  # each row decided and audited
    home = client.get(reverse("dashboard")).content.decode()
    assert reverse("guardianship:wards") in home and 'id="all-wards"' in home


def test_the_case_page_form_logs_a_contact_and_refuses_bad_input(client, people):
    case = ward(people)
    login(client, people.marco)
    detail = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert reverse("guardianship:log_contact", args=[case.public_id]) in detail
    url = reverse("guardianship:log_contact", args=[case.public_id])
    bad = client.post(url, {"kind": "telepathy", "contacted_at": "2026-01-01T10:00"})
    assert bad.status_code == 422 and "kind" in bad.content.decode()
    before_appointment = client.post(url, {"kind": "message", "contacted_at": "2020-01-01T10:00"})
    assert before_appointment.status_code == 422 and "contacted_at" in before_appointment.content.decode()
    when = timezone.localtime(timezone.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    ok = client.post(url, {"kind": "message", "contacted_at": when, "views": FICTIONAL_VIEWS})
    assert ok.status_code == 302
    assert GuardianContact.objects.get(case=case).kind == "message"
    # The caseworker sees the contact but not a form to log one.
    client.logout()
    login(client, people.giulia)
    detail = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Message" in detail and url not in detail


def test_the_api_logs_and_lists_contacts_and_my_wards(people):
    case = ward(people)
    api = api_as(people.marco)
    body = {"kind": "visit", "contacted_at": timezone.now().isoformat(), "views": FICTIONAL_VIEWS}
    created = api.post(case_url(case, "/guardian-contacts"), body)
    assert created.status_code == 201, created.content
    assert created.json()["views"] == FICTIONAL_VIEWS
    listed = api.get(case_url(case, "/guardian-contacts"))
    assert listed.status_code == 200 and [c["kind"] for c in listed.json()] == ["visit"]
    wards = api.get("/api/guardian/wards")
    assert wards.status_code == 200
    (row,) = wards.json()
    assert row["public_id"] == str(case.public_id) and row["last_contact"] is not None
    assert row["next_deadline"] is None or row["next_deadline"]["clock"]["state"] != "met"


def test_the_api_refuses_a_contact_by_someone_not_the_guardian(people):
    case = ward(people)
    answer = api_as(people.giulia).post(
        case_url(case, "/guardian-contacts"), {"kind": "visit", "contacted_at": timezone.now().isoformat()}
    )
    assert answer.status_code == 403
    bad = api_as(people.marco).post(case_url(case, "/guardian-contacts"), {"kind": "visit"})
    assert bad.status_code == 400 and "contacted_at" in bad.content.decode()
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    ahead = api_as(people.marco).post(
        case_url(case, "/guardian-contacts"), {"kind": "visit", "contacted_at": future}
    )
    assert ahead.status_code == 422 and "contacted_at" in ahead.json()["errors"]
    assert not GuardianContact.objects.exists()
