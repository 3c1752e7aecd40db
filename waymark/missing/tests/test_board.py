"""The Missing-now board's order and cost: the most urgent open step first as steps are done and
disappearances close (``Disappearance.next_due_at``, kept by the actions), and a page of fifty
rows costs the same number of queries as a page of one."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Min, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from waymark.missing import actions
from waymark.missing.access import board_page
from waymark.missing.models import Disappearance
from waymark.test import create_case, create_user, login
from waymark.vocab import DisappearanceOutcome, Purpose, Role

from .helpers import report
from .test_clocks import short_clocks  # noqa: F401 (fixture)

LOCATE = Purpose.LOCATE_MISSING_CHILD


def _earliest_open_step(d: Disappearance) -> dt.datetime | None:
    open_steps = Q(done_at__isnull=True, stopped_at__isnull=True)
    return d.steps.filter(open_steps).aggregate(due=Min("due_at"))["due"]


def test_the_board_order_follows_the_earliest_open_step_as_steps_are_done_and_closed(
    people,
    short_clocks,  # noqa: F811
):
    now = timezone.now()
    # Reported five minutes ago: its police step (2 min) is overdue, its review due in 5 min.
    early = report(
        people.giulia, create_case(people.giulia, given_names="Early"), now=now - dt.timedelta(minutes=5)
    )
    # Reported a minute ago: its police step is due in a minute.
    later = report(
        people.giulia, create_case(people.giulia, given_names="Later"), now=now - dt.timedelta(minutes=1)
    )
    assert [d.pk for d in board_page(people.giulia, LOCATE).rows] == [early.pk, later.pk]

    # Early's police step done: its next open step (the review, in 5 min) now comes after Later's.
    actions.do_mark_step_done(people.giulia, early, "police_informed")
    page = board_page(people.giulia, LOCATE)
    assert [d.pk for d in page.rows] == [later.pk, early.pk]
    for d in page.rows:
        assert d.next_due_at == _earliest_open_step(d)
    assert [getattr(d, "overdue") for d in page.rows] == [0, 0]  # noqa: B009 (set by board_page)

    # Every step done: no clock left, so last; closed: off the board.
    actions.do_mark_step_done(people.giulia, early, "review")
    early.refresh_from_db()
    assert early.next_due_at is None
    newest = report(people.giulia, create_case(people.giulia, given_names="Newest"))
    assert [d.pk for d in board_page(people.giulia, LOCATE).rows] == [later.pk, newest.pk, early.pk]
    actions.do_close_disappearance(people.giulia, later, DisappearanceOutcome.FOUND)
    later.refresh_from_db()
    assert later.next_due_at is None
    assert [d.pk for d in board_page(people.giulia, LOCATE).rows] == [newest.pk, early.pk]


def _board_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/missing/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_a_page_of_many_rows_costs_the_queries_of_a_page_of_one(people, short_clocks):  # noqa: F811
    client = Client()
    login(client, people.giulia, LOCATE)
    first = report(people.giulia, create_case(people.giulia, given_names="First"))
    actions.do_mark_step_done(people.giulia, first, "police_informed")
    client.get("/missing/")  # sessions, caches
    one_row = _board_queries(client)

    # Twelve more, steps done by different people (who did it is on the row): no query per row.
    sara = people.sara
    other = create_user("teo", people.giulia.organisation, Role.CASEWORKER)
    for i in range(12):
        d = report(people.giulia, create_case(people.giulia, given_names=f"Child{i}"))
        actions.do_mark_step_done([people.giulia, sara, other][i % 3], d, "police_informed")
    many = _board_queries(client)
    assert many == one_row
    html = client.get("/missing/").content.decode()
    assert html.count("Police informed — ") == 13
