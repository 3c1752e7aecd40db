"""The dashboard's Dublin / AMMR deadlines panel (issue 13, "Done when": "a Dublin officer sees a
request's clocks and the tacit-acceptance warning"): open take-charge requests whose next deadline
warns or has passed, loud flags first, for whoever may see the case's legal status — each row
decided and audited; nothing for another organisation, nothing for a request far from its
deadlines or a child already transferred."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.continuity import actions
from waymark.continuity.procedures import procedures_due
from waymark.continuity.schemas import TakeChargeIn
from waymark.core.deadlines import Notice, Step
from waymark.test import create_case, create_user, login
from waymark.vocab import Purpose, Role

NOW = timezone.now()
TRACING = Purpose.FAMILY_TRACING
PANEL = 'id="take-charge-due"'


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def request(people, case, **dates):
    data = TakeChargeIn(requested_country="BE", **({"registered_at": ago(100)} | dates))
    return actions.do_record_take_charge(people.giulia, case, data)


def unanswered(people, case):
    """A request sent 70 days ago that Belgium never answered: its reply period has passed."""
    return request(people, case, request_sent_at=ago(70))


def test_a_dublin_officer_sees_the_tacit_acceptance_on_the_dashboard(client, people):
    dora = create_user("dublin-dora", people.it_cps, Role.DUBLIN_OFFICER)
    case = create_case(people.giulia, given_names="Yonas")
    made = unanswered(people, case)
    assert made.schedule(NOW).must(Step.REPLY).notice(NOW) is Notice.TACIT_ACCEPTANCE
    login(client, dora, purpose=TRACING)
    before = AuditEntry.objects.filter(case_reference=case.reference).count()
    home = client.get(reverse("dashboard")).content.decode()
    assert PANEL in home and case.reference in home and "Yonas" in home
    assert "TACIT ACCEPTANCE" in home and 'role="alert"' in home
    assert "request to BE" in home
    # The row was decided and audited, like every list.
    assert AuditEntry.objects.filter(case_reference=case.reference).count() > before


def test_the_caseworker_sees_it_and_another_organisation_does_not(client, people):
    case = create_case(people.giulia)
    unanswered(people, case)
    login(client, people.giulia)
    assert "TACIT ACCEPTANCE" in client.get(reverse("dashboard")).content.decode()
    client.logout()
    login(client, people.claire)
    home = client.get(reverse("dashboard")).content.decode()
    assert PANEL not in home and case.reference not in home
    rows, _ = procedures_due(people.claire, Purpose.CHILD_PROTECTION, NOW)
    assert rows == []
    # Immigration enforcement never sees a procedure.
    assert procedures_due(people.ivan, Purpose.CHILD_PROTECTION, NOW)[0] == []


def test_a_request_far_from_its_deadlines_or_a_transferred_child_is_not_listed(people):
    fresh = create_case(people.giulia, given_names="Amanuel")
    request(people, fresh, registered_at=ago(10), request_sent_at=ago(1))
    done = create_case(people.giulia, given_names="Dawit")
    made = unanswered(people, done)
    assert [r.case for r in procedures_due(people.giulia, Purpose.CHILD_PROTECTION, NOW)[0]] == [done]
    made.transferred_at = ago(1)
    made.save(update_fields=["transferred_at"])
    assert procedures_due(people.giulia, Purpose.CHILD_PROTECTION, NOW)[0] == []


def test_a_reply_due_within_seven_days_warns_quietly_after_the_loud_ones(people):
    loud = create_case(people.giulia, given_names="Loud")
    unanswered(people, loud)
    soon = create_case(people.giulia, given_names="Soon")
    made = request(people, soon, registered_at=ago(40), request_sent_at=ago(30))
    reply = made.schedule(NOW).must(Step.REPLY)
    # Move the request so that its reply period ends in three days, whatever the regime's period.
    shift = reply.due_at - NOW - dt.timedelta(days=3)
    made.registered_at -= shift
    made.request_sent_at -= shift
    made.save(update_fields=["registered_at", "request_sent_at"])
    assert made.schedule(NOW).must(Step.REPLY).notice(NOW) is Notice.WARN_7_DAYS
    rows, _ = procedures_due(people.giulia, Purpose.CHILD_PROTECTION, NOW)
    assert [r.case for r in rows] == [loud, soon]
    assert rows[0].loud and not rows[1].loud and rows[1].notice is Notice.WARN_7_DAYS


def test_the_panel_in_arabic(client, people):
    case = create_case(people.giulia)
    unanswered(people, case)
    login(client, people.giulia)
    home = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert PANEL in home and 'dir="rtl"' in home
