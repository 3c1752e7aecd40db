"""Clocks: a rule's due and warning times, a clock's state over time, closing it, calendar months."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.core.clocks import (
    CARE_PLAN_REVIEW,
    INFO_REPLY,
    Clock,
    ClockRule,
    ClockState,
    Months,
    add_months,
    day_deadline,
)

UTC = dt.UTC
ROME = ZoneInfo("Europe/Rome")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

POLICE_REPLY = ClockRule("police_reply", within=12 * HOUR, warn_before=2 * HOUR)
INFO = ClockRule("info_reply", within=7 * DAY, warn_before=24 * HOUR)
DUBLIN = ClockRule("dublin_take_charge", within=Months(2), warn_fraction=0.9)
GUARDIAN = ClockRule("guardian_appointment", within={"IT": 30 * DAY, "BE": 3 * DAY}, warn_fraction=0.5)


# --- rules ---


def test_a_rule_gives_the_due_time_and_the_warning_point():
    clock = POLICE_REPLY.start(T0)

    assert clock == Clock("police_reply", T0, T0 + 12 * HOUR, T0 + 10 * HOUR)


def test_a_rule_may_warn_at_a_fraction_of_its_span():
    clock = ClockRule("ack", within=4 * HOUR, warn_fraction=0.75).start(T0)

    assert clock.warn_at == T0 + 3 * HOUR


def test_without_a_warning_a_clock_runs_until_it_is_overdue():
    clock = ClockRule("ack", within=HOUR).start(T0)

    assert clock.warn_at == clock.due_at
    assert clock.state(T0 + HOUR - dt.timedelta(seconds=1)) == ClockState.RUNNING
    assert clock.state(T0 + HOUR) == ClockState.OVERDUE


def test_a_warning_longer_than_the_span_warns_from_the_start():
    clock = ClockRule("ack", within=HOUR, warn_before=3 * HOUR).start(T0)

    assert clock.warn_at == T0
    assert clock.state(T0) == ClockState.DUE_SOON


def test_an_agreements_reply_time_is_given_at_start():
    clock = INFO_REPLY.start(T0, within=24 * HOUR)

    assert (clock.rule_name, clock.due_at, clock.warn_at) == ("info_reply", T0 + 24 * HOUR, T0 + 18 * HOUR)


def test_a_rule_without_a_span_refuses_to_start_without_one():
    with pytest.raises(ValueError, match="needs its span at start"):
        INFO_REPLY.start(T0)


def test_spans_per_country_are_data():
    assert GUARDIAN.start(T0, key="IT").due_at == T0 + 30 * DAY
    assert GUARDIAN.start(T0, key="BE").due_at == T0 + 3 * DAY
    with pytest.raises(ValueError, match="no span for 'FR'"):
        GUARDIAN.start(T0, key="FR")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"within": dt.timedelta(0)},
        {"within": -HOUR},
        {"within": {"IT": -DAY}},
        {"within": HOUR, "warn_before": HOUR, "warn_fraction": 0.5},
        {"within": HOUR, "warn_fraction": 1.5},
        {"within": HOUR, "warn_before": -HOUR},
    ],
)
def test_a_rule_that_makes_no_sense_is_refused(kwargs):
    with pytest.raises(ValueError):
        ClockRule("nonsense", **kwargs)


def test_a_span_of_zero_months_is_refused():
    with pytest.raises(ValueError):
        Months(0)


# --- time zones ---


def test_naive_datetimes_are_refused_everywhere():
    naive = dt.datetime(2026, 3, 2, 9, 0)
    clock = POLICE_REPLY.start(T0)
    for attempt in (
        lambda: POLICE_REPLY.start(naive),
        lambda: DUBLIN.start(naive),
        lambda: Clock.until(naive, started_at=T0),
        lambda: Clock.until(T0, started_at=naive),
        lambda: Clock("x", naive, naive, naive),
        lambda: clock.state(naive),
        lambda: clock.remaining(naive),
        lambda: clock.met(naive),
        lambda: clock.stop(naive),
    ):
        with pytest.raises(ValueError, match="aware"):
            attempt()


def test_hours_are_elapsed_time_across_a_daylight_saving_change():
    # Rome moved its clocks forward at 02:00 on 29 March 2026: 20:00 + 12 h is 09:00 local.
    start = dt.datetime(2026, 3, 28, 20, 0, tzinfo=ROME)
    clock = POLICE_REPLY.start(start)

    assert clock.due_at.astimezone(ROME) == dt.datetime(2026, 3, 29, 9, 0, tzinfo=ROME)
    assert clock.remaining(start) == 12 * HOUR


def test_times_are_kept_in_utc_whatever_zone_they_came_in():
    clock = POLICE_REPLY.start(T0.astimezone(ROME))

    assert clock.started_at == T0 and clock.started_at.tzinfo is UTC


def test_months_are_counted_on_the_starts_own_calendar():
    # 00:30 on 31 March in Rome is still 30 March in UTC: counted in UTC, one month would end
    # on 1 May in Rome; counted in Rome, it ends on the last day of April.
    start = dt.datetime(2026, 3, 31, 0, 30, tzinfo=ROME)

    due = ClockRule("m", within=Months(1)).start(start).due_at
    assert due.astimezone(ROME) == dt.datetime(2026, 4, 30, 0, 30, tzinfo=ROME)


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 2, 28), 12, dt.date(2027, 2, 28)),
    ],
)
def test_calendar_months_end_at_the_month_end_when_the_day_does_not_exist(start, months, due):
    at = dt.datetime.combine(start, dt.time(10, 0), tzinfo=UTC)

    assert add_months(at, months) == dt.datetime.combine(due, dt.time(10, 0), tzinfo=UTC)


def test_a_deadline_on_a_day_ends_at_that_days_local_midnight():
    deadline = day_deadline(dt.date(2026, 3, 5), ROME)

    assert deadline == dt.datetime(2026, 3, 5, 23, 0, tzinfo=UTC)


# --- state over time ---


def test_a_clock_runs_then_is_due_soon_then_overdue():
    clock = POLICE_REPLY.start(T0)

    assert clock.state(T0) == ClockState.RUNNING
    assert clock.state(T0 + 10 * HOUR - dt.timedelta(seconds=1)) == ClockState.RUNNING
    assert clock.state(T0 + 10 * HOUR) == ClockState.DUE_SOON
    assert clock.state(T0 + 12 * HOUR) == ClockState.OVERDUE
    assert clock.state(T0 + 30 * DAY) == ClockState.OVERDUE


def test_remaining_time_is_negative_once_overdue():
    clock = POLICE_REPLY.start(T0)

    assert clock.remaining(T0 + 3 * HOUR) == 9 * HOUR
    assert clock.remaining(T0 + 14 * HOUR) == -2 * HOUR


def test_a_met_clock_is_met_from_then_on_and_its_remaining_time_stops():
    clock = POLICE_REPLY.start(T0).met(T0 + 13 * HOUR)

    assert clock.state(T0 + 12 * HOUR) == ClockState.OVERDUE
    assert clock.state(T0 + 13 * HOUR) == ClockState.MET
    assert clock.state(T0 + 300 * DAY) == ClockState.MET
    assert clock.remaining(T0 + 300 * DAY) == -HOUR  # met an hour late


def test_a_stopped_clock_is_stopped_from_then_on():
    clock = POLICE_REPLY.start(T0).stop(T0 + HOUR)

    assert clock.state(T0 + 30 * DAY) == ClockState.STOPPED
    assert clock.remaining(T0 + 30 * DAY) == 11 * HOUR


def test_a_closed_clock_cannot_be_closed_again():
    met = POLICE_REPLY.start(T0).met(T0 + HOUR)

    with pytest.raises(ValueError, match="already closed"):
        met.stop(T0 + 2 * HOUR)
    with pytest.raises(ValueError, match="already closed"):
        met.met(T0 + 2 * HOUR)


def test_closing_returns_a_new_clock_and_leaves_the_old_one_running():
    clock = POLICE_REPLY.start(T0)
    clock.met(T0 + HOUR)

    assert clock.met_at is None and clock.state(T0 + 2 * HOUR) == ClockState.RUNNING


def test_a_clock_must_be_in_order():
    with pytest.raises(ValueError, match="started_at <= warn_at <= due_at"):
        Clock("x", T0, T0 - HOUR, T0 - HOUR)
    with pytest.raises(ValueError, match="met or stopped"):
        Clock("x", T0, T0, T0, met_at=T0, stopped_at=T0)


# --- a due time known in advance ---


def test_a_clock_can_be_built_from_a_due_time_the_sender_computed():
    clock = Clock.until(T0 + 7 * DAY, started_at=T0, rule="info_reply", warn_before=24 * HOUR)

    assert clock == INFO.start(T0)


def test_a_rule_builds_the_same_clock_on_both_sides_of_an_exchange():
    sent = INFO_REPLY.start(T0, within=48 * HOUR)
    received = INFO_REPLY.until(sent.due_at, started_at=T0)

    assert received == sent


def test_a_start_after_the_due_time_is_overdue_from_the_start():
    # The peer's clock was ahead of ours: it says the request was sent after it was due.
    clock = Clock.until(T0, started_at=T0 + HOUR)

    assert clock.started_at == T0
    assert clock.state(T0) == ClockState.OVERDUE


def test_a_care_plan_review_warns_a_week_ahead():
    due = day_deadline(dt.date(2026, 3, 20), UTC)
    clock = CARE_PLAN_REVIEW.until(due, started_at=T0)

    assert clock.warn_at == dt.datetime(2026, 3, 14, tzinfo=UTC)
    assert clock.state(dt.datetime(2026, 3, 20, 23, 59, tzinfo=UTC)) == ClockState.DUE_SOON
    assert clock.state(dt.datetime(2026, 3, 21, tzinfo=UTC)) == ClockState.OVERDUE


# --- as the API shows it ---


def test_as_dict_is_the_clock_at_a_moment():
    clock = POLICE_REPLY.start(T0)

    assert clock.as_dict(T0 + 12 * HOUR + dt.timedelta(seconds=0.5)) == {
        "rule": "police_reply",
        "started_at": T0,
        "due_at": T0 + 12 * HOUR,
        "warn_at": T0 + 10 * HOUR,
        "state": ClockState.OVERDUE,
        "remaining_seconds": -1,
    }


# --- properties ---

ORDER = [ClockState.RUNNING, ClockState.DUE_SOON, ClockState.OVERDUE]
offsets = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400))
spans = st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=365))
fractions = st.none() | st.floats(min_value=0, max_value=1)


@st.composite
def running_clocks(draw: st.DrawFn) -> Clock:
    start = draw(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))
    rule = ClockRule("any", within=draw(spans), warn_fraction=draw(fractions))
    return rule.start(start.replace(tzinfo=UTC))


@given(running_clocks(), st.lists(offsets, min_size=2, max_size=12))
def test_a_running_clocks_state_never_goes_back(clock, offsets):
    states = [clock.state(clock.started_at + d) for d in sorted(offsets)]

    assert [ORDER.index(s) for s in states] == sorted(ORDER.index(s) for s in states)


@given(running_clocks(), offsets, offsets, st.booleans())
def test_met_and_stopped_are_final(clock, close_after, later, met):
    closed_at = clock.started_at + close_after
    closed = clock.met(closed_at) if met else clock.stop(closed_at)
    final = ClockState.MET if met else ClockState.STOPPED

    assert closed.state(closed_at + later) == final
    assert closed.remaining(closed_at + later) == clock.due_at - closed_at


@given(running_clocks(), offsets)
def test_remaining_time_is_positive_exactly_while_not_overdue(clock, offset):
    now = clock.started_at + offset

    assert (clock.remaining(now) > dt.timedelta(0)) == (clock.state(now) != ClockState.OVERDUE)


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=240),
)
def test_month_arithmetic_never_overshoots_the_month_end(start, months):
    due = add_months(start, months)
    target = (start.year * 12 + start.month - 1 + months) % 12 + 1

    assert due.month == target  # never spills into the month after
    assert due.day == start.day or (due.day < start.day and (due + DAY).month != due.month)
    assert due.time() == start.time()
