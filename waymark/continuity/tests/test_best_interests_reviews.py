"""Best-interests review clocks (issue 13 item 4: "review dates on clocks"): a BIA or BID with a
review date runs a clock to it, met by a later record on the case; the case page, the dashboard
(a panel of reviews due, overdue ones loud), "My wards" and the API show it — only to who may see
the case's legal status, every row decided and audited."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.tests.api_client import api_as, case_url
from waymark.continuity import actions
from waymark.continuity.guardians import next_due
from waymark.continuity.models import BestInterests
from waymark.continuity.reviews import running_review
from waymark.continuity.schemas import BestInterestsIn
from waymark.core.clocks import ClockState
from waymark.test import create_case, create_user, login
from waymark.vocab import DataCategory, Purpose, Role

TODAY = timezone.localdate()
ALL = frozenset(DataCategory.values)


def record(people, case, review_on, **extra):
    body = {
        "kind": "assessment",
        "child_views": "I want to stay at school here (fictional).",
        "child_views_language": "ti",
        "options": "Foster care; reunion (fictional).",
        "recommendation": "local_integration",
        "guardian_consulted": case.guardian_id is not None,
        "guardian_views": "Agrees (fictional)." if case.guardian_id else "",
        "review_on": review_on.isoformat(),
    } | extra
    return actions.do_record_best_interests(people.giulia, case, BestInterestsIn.model_validate(body))


def overdue(people, case, days=3):
    """A record whose review date has passed (the action refuses a past date: set after)."""
    made = record(people, case, TODAY)
    BestInterests.objects.filter(pk=made.pk).update(review_on=TODAY - dt.timedelta(days=days))
    made.refresh_from_db()
    return made


def test_the_review_clock_warns_two_weeks_ahead_and_a_later_record_meets_it(people):
    case = create_case(people.giulia)
    first = record(people, case, TODAY + dt.timedelta(days=10))
    now = timezone.now()
    clock = first.review_clock()
    assert clock is not None and clock.rule_name == "best_interests_review"
    assert clock.state(now) is ClockState.DUE_SOON
    assert record(people, case, TODAY + dt.timedelta(days=60)).review_clock().state(now) is ClockState.RUNNING
    # The later record is the review: the running clock is now the later one's.
    running = running_review(case)
    assert running is not None and running.due_at > clock.due_at
    response = api_as(people.giulia).get(case_url(case, "/best-interests")).json()
    assert [r["review_clock"]["state"] for r in response] == ["met", "running"]


def test_an_overdue_review_is_loud_on_the_case_page_and_the_dashboard(client, people):
    case = create_case(people.giulia)
    overdue(people, case)
    login(client, people.giulia)
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "REVIEW OVERDUE" in page and "clock-overdue" in page
    before = AuditEntry.objects.filter(case_reference=case.reference).count()
    home = client.get(reverse("dashboard")).content.decode()
    assert 'id="bia-reviews"' in home and "REVIEW OVERDUE" in home and case.reference in home
    assert AuditEntry.objects.filter(case_reference=case.reference).count() > before
    api = api_as(people.giulia).get(case_url(case, "/best-interests")).json()
    assert api[0]["review_clock"]["state"] == "overdue"


def test_a_review_far_ahead_or_done_is_not_on_the_dashboard(client, people):
    far, done = create_case(people.giulia), create_case(people.giulia, given_names="Amanuel")
    record(people, far, TODAY + dt.timedelta(days=90))
    overdue(people, done)
    record(people, done, TODAY + dt.timedelta(days=90))  # the review, made
    login(client, people.giulia)
    home = client.get(reverse("dashboard")).content.decode()
    assert 'id="bia-reviews"' not in home


def test_the_dashboard_panel_is_not_shown_to_other_organisations(client, people):
    case = create_case(people.giulia)
    overdue(people, case)
    for outsider in (people.claire, people.ivan, people.luc):
        login(client, outsider)
        home = client.get(reverse("dashboard")).content.decode()
        assert case.reference not in home and "REVIEW OVERDUE" not in home, outsider.username


def test_my_wards_counts_the_review_among_a_wards_deadlines(client, people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    overdue(people, case)
    due = next_due(case, timezone.now(), shown=ALL)
    assert due is not None and due.label == "Best-interests review"
    # Legal status withheld: the review is not told.
    hidden = next_due(case, timezone.now(), shown=ALL - {DataCategory.LEGAL_STATUS})
    assert hidden is None or hidden.label != "Best-interests review"
    login(client, people.marco)
    html = client.get(reverse("guardianship:wards")).content.decode()
    assert "Best-interests review" in html and "OVERDUE" in html


def test_the_dpo_auditing_gets_no_review_panel(client, people):
    case = create_case(people.giulia)
    overdue(people, case)
    anna = create_user("anna", people.it_cps, Role.DPO)
    login(client, anna, purpose=Purpose.AUDIT)
    home = client.get(reverse("dashboard"))
    assert home.status_code == 200 and 'id="bia-reviews"' not in home.content.decode()
