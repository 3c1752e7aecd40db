"""The protocol's clocks: with a protocol file of short clocks, overdue steps surface on the
Missing-now board (first) and reach the people responsible — in the app and by e-mail, once."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.missing import actions, protocols
from waymark.missing.access import board_page
from waymark.missing.models import Notification
from waymark.test import create_case, login
from waymark.vocab import Purpose

from .helpers import report

SHORT = textwrap.dedent(
    """\
    protocol: it-short-test
    version: 1
    title: Short clocks (fictional, tests only)
    country: IT
    steps:
      - key: police_informed
        label: Police informed
        role: caseworker
        within: 2m
        warn_before: 1m
      - key: review
        label: Supervisor review
        role: supervisor
        within: 10m
    """
)


@pytest.fixture
def short_clocks(tmp_path, settings):
    (tmp_path / "it.yaml").write_text(SHORT)
    settings.WAYMARK_PROTOCOLS_DIR = tmp_path
    protocols.reset()
    yield
    protocols.reset()


def test_an_overdue_step_notifies_the_caseworker_once_in_the_app_and_by_mail(
    people, short_clocks, django_capture_on_commit_callbacks
):
    people.giulia.email = "giulia@example.org"
    people.giulia.save()
    case = create_case(people.giulia)
    start = timezone.now() - dt.timedelta(minutes=3)
    d = report(people.giulia, case, now=start)
    assert d.protocol == "it-short-test@1"
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves after commit
        assert actions.notify_overdue() == 1  # police_informed (2 min) is overdue; the review is not
    note = Notification.objects.get()
    assert note.user == people.giulia
    assert note.text == f"Overdue: Police informed — case {case.reference}"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["giulia@example.org"]
    assert "Muhammad" not in mail.outbox[0].body  # no child data in a mail
    assert actions.notify_overdue() == 0  # never twice
    # The review (a supervisor's step) becomes overdue later: the supervisor hears of it.
    assert actions.notify_overdue(timezone.now() + dt.timedelta(minutes=10)) == 1
    assert Notification.objects.filter(user=people.sara).count() == 1


def test_the_command_runs_the_clocks(people, short_clocks):
    case = create_case(people.giulia)
    report(people.giulia, case, now=timezone.now() - dt.timedelta(minutes=5))
    call_command("missing_clocks")
    assert Notification.objects.filter(user=people.giulia).count() == 1


def test_a_step_done_in_time_never_notifies_and_its_clock_is_met(people, short_clocks):
    case = create_case(people.giulia)
    d = report(people.giulia, case, now=timezone.now() - dt.timedelta(minutes=1))
    step = actions.do_mark_step_done(people.giulia, d, "police_informed")
    assert step.clock.state(timezone.now() + dt.timedelta(hours=1)) == "met"
    assert actions.notify_overdue() == 0
    assert AuditEntry.objects.filter(details__action="missing_step_done").count() == 1


def test_marking_a_step_twice_or_an_unknown_step_is_refused(people, short_clocks):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    actions.do_mark_step_done(people.giulia, d, "police_informed")
    with pytest.raises(actions.ActionError, match="already done"):
        actions.do_mark_step_done(people.giulia, d, "police_informed")
    with pytest.raises(actions.ActionError, match="no step"):
        actions.do_mark_step_done(people.giulia, d, "sis_alert_requested")


def test_the_board_shows_overdue_first_and_the_header_counts_notifications(people, short_clocks):
    recent = create_case(people.giulia, given_names="Recent", family_name="Case")
    late = create_case(people.giulia, given_names="Late", family_name="Case")
    report(people.giulia, recent)
    late_d = report(people.giulia, late, now=timezone.now() - dt.timedelta(minutes=5))
    page = board_page(people.giulia, Purpose.LOCATE_MISSING_CHILD)
    assert [d.case.pk for d in page.rows] == [late.pk, recent.pk]
    assert [getattr(d, "overdue") for d in page.rows] == [1, 0]  # noqa: B009 (an annotation)
    actions.notify_overdue()

    client = Client()
    login(client, people.giulia, Purpose.LOCATE_MISSING_CHILD)
    before = AuditEntry.objects.count()
    response = client.get("/missing/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Late") < html.index("Recent")
    assert "1 step overdue" in html
    assert 'id="notifications-count">1<' in html
    # The page's rows were decided and audited (one append: an entry per child shown).
    assert AuditEntry.objects.count() > before
    # Marking the step done from the page settles it: no longer overdue, and it says who.
    client.post(f"/missing/{late_d.public_id}/steps/police_informed/done")
    html = client.get("/missing/").content.decode()
    assert "step overdue" not in html
    assert "Police informed — Giulia" in html
    assert Notification.objects.get(user=people.giulia).read_at is not None


def test_the_board_lists_only_what_the_policy_lets_the_user_see(people, short_clocks):
    mine = create_case(people.giulia, case={"guardian": "marco"})
    other = create_case(people.giulia, given_names="Other")
    report(people.giulia, mine)
    report(people.giulia, other)
    # The guardian sees their ward only; a caseworker of another organisation sees nothing.
    assert [d.case.pk for d in board_page(people.marco, Purpose.LOCATE_MISSING_CHILD).rows] == [mine.pk]
    assert board_page(people.claire, Purpose.LOCATE_MISSING_CHILD).rows == []
    assert board_page(people.ivan, Purpose.LOCATE_MISSING_CHILD).rows == []


def test_the_board_pages_by_fifty(people, short_clocks):
    for i in range(51):
        report(people.giulia, create_case(people.giulia, given_names=f"Child{i}"))
    first = board_page(people.giulia, Purpose.LOCATE_MISSING_CHILD, 1)
    second = board_page(people.giulia, Purpose.LOCATE_MISSING_CHILD, 2)
    assert (len(first.rows), len(second.rows), first.count) == (50, 1, 51)
    assert first.has_next and not second.has_next
