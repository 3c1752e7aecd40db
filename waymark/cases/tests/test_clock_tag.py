"""{% clock %}: a deadline drawn the same way on every page — state as a class, a sentence
chosen by its rule, the due time as <time datetime>; and the care-plan review drawn with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from waymark.cases import actions
from waymark.cases.schemas import CarePlanIn
from waymark.core.clocks import CARE_PLAN_REVIEW, INFO_REPLY, Clock, ClockRule
from waymark.test import create_case, days_ago, login, set_care_plan

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
POLICE_REPLY = ClockRule("police_reply", within=12 * HOUR, warn_before=2 * HOUR)


def draw(clock: Clock | None, now: dt.datetime, language: str = "en") -> str:
    with translation.override(language):
        return Template("{% load clocks %}{% clock c now=now %}").render(Context({"c": clock, "now": now}))


def test_a_running_clock_says_how_long_is_left_and_when_it_is_due():
    html = draw(POLICE_REPLY.start(T0), T0 + HOUR)

    assert html == (
        '<span class="clock clock-running" data-rule="police_reply">'
        '<time datetime="2026-03-02T21:00:00+00:00" title="2 March 2026, 21:00">due in 11\xa0hours</time></span>'
    )


def test_a_clock_past_its_warning_is_due_soon():
    html = draw(POLICE_REPLY.start(T0), T0 + 10 * HOUR + 30 * dt.timedelta(minutes=1))

    assert 'class="clock clock-due_soon"' in html and "due in 1\xa0hour, 30\xa0minutes" in html


def test_an_overdue_clock_says_by_how_much():
    html = draw(POLICE_REPLY.start(T0), T0 + 14 * HOUR)

    assert 'class="clock clock-overdue"' in html and "overdue by 2\xa0hours" in html


def test_met_and_stopped_clocks_say_so():
    clock = POLICE_REPLY.start(T0)

    assert ">met</time>" in draw(clock.met(T0 + HOUR), T0 + 20 * HOUR)
    assert ">stopped</time>" in draw(clock.stop(T0 + HOUR), T0 + 20 * HOUR)
    assert 'class="clock clock-met"' in draw(clock.met(T0 + HOUR), T0 + 20 * HOUR)


def test_no_clock_draws_nothing():
    assert draw(None, T0) == ""


def test_the_reply_clock_reads_as_the_exchange_pages_read_it():
    sent = INFO_REPLY.start(T0, within=24 * HOUR)

    assert ">reply due in 23\xa0hours</time>" in draw(sent, T0 + HOUR)
    assert ">reply overdue by 1\xa0day, 1\xa0hour</time>" in draw(sent, T0 + 49 * HOUR)
    assert ">reply was due 3 March 2026, 09:00</time>" in draw(sent.met(T0 + 2 * HOUR), T0 + 3 * HOUR)


def test_a_review_is_a_day_shown_as_that_day():
    due = dt.datetime(2026, 3, 21, tzinfo=dt.UTC)  # the end of 20 March
    clock = CARE_PLAN_REVIEW.until(due, started_at=T0)

    assert '<time datetime="2026-03-20" title="20 March 2026">review due 20 March 2026</time>' in draw(
        clock, T0
    )
    assert ">review due 20 March 2026, in 2\xa0days</time>" in draw(clock, due - 2 * 24 * HOUR)
    assert ">review was due 20 March 2026</time>" in draw(clock, due + HOUR)


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "en retard de 2\xa0heures"), ("it", "in ritardo di 2\xa0ore"), ("ar", "متأخر بمقدار")],
)
def test_the_label_is_translated(language, text):
    assert text in draw(POLICE_REPLY.start(T0), T0 + 14 * HOUR, language)


# --- the care-plan review on the pages ---


def test_an_overdue_review_is_drawn_as_an_overdue_clock_on_the_dashboard_and_the_case(client, people):
    case = create_case(people.giulia)
    set_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(2)))
    login(client, people.giulia)
    day = days_ago(2)

    for page in (reverse("dashboard"), reverse("case_detail", args=[case.public_id])):
        html = client.get(page).content.decode()
        assert (
            f'<span class="clock clock-overdue" data-rule="care_plan_review"><time datetime="{day.isoformat()}"'
            in html
        )
        assert "review was due" in html


def test_a_review_next_week_is_not_on_the_dashboard_and_due_soon_on_the_case(client, people):
    case = create_case(people.giulia)
    actions.do_update_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(-3)))
    login(client, people.giulia)

    assert "care_plan_review" not in client.get(reverse("dashboard")).content.decode()
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert 'class="clock clock-due_soon" data-rule="care_plan_review"' in html


def test_a_review_today_is_not_yet_overdue(client, people):
    case = create_case(people.giulia)
    actions.do_update_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(0)))
    login(client, people.giulia)

    assert client.get(reverse("dashboard")).context["overdue"] == []
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "clock-due_soon" in html and "clock-overdue" not in html
