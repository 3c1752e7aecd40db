"""The guardian-appointment limit: working days, the limit per country as data, the clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.core.clocks import ClockState
from waymark.core.deadlines import RulesError, Status
from waymark.core.guardianship import (
    LIMITS_FILE,
    add_working_days,
    appointment_clock,
    limit_for,
    parse_limits,
)

ROME = ZoneInfo("Europe/Rome")
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("start", "n", "holidays", "expected"),
    [
        ("2026-03-02", 15, (), "2026-03-23"),  # Mon + 15 working days = Mon three weeks on
        ("2026-03-06", 1, (), "2026-03-09"),  # Friday + 1 = Monday
        ("2026-03-07", 1, (), "2026-03-09"),  # registered on a Saturday: Monday is the 1st
        ("2026-12-21", 5, ("2026-12-25", "2026-12-28"), "2026-12-30"),  # holidays skipped
    ],
)
def test_working_days_skip_weekends_and_holidays_and_not_the_day_itself(start, n, holidays, expected):
    assert add_working_days(D(start), n, {D(h) for h in holidays}) == D(expected)


def test_the_eu_limit_is_15_working_days_from_the_reception_conditions_directive():
    eu = limit_for("EU")
    assert (
        eu.working_days == 15
        and "2024/1346" in eu.law
        and "Art. 27(1)(b)" in eu.law
        and eu.status is Status.VERIFIED
    )
    assert limit_for("SE") == eu  # a country without its own row
    assert limit_for("IT").status is Status.UNVERIFIED


def test_the_clock_is_due_at_the_end_of_the_last_working_day_and_met_by_an_appointment():
    registered = dt.datetime(2026, 3, 2, 10, tzinfo=ROME)
    clock = appointment_clock(registered, "IT", ROME)
    assert clock.due_at == dt.datetime(2026, 3, 24, tzinfo=ROME)
    assert clock.state(dt.datetime(2026, 3, 20, 10, tzinfo=ROME)) is ClockState.RUNNING
    assert clock.state(dt.datetime(2026, 3, 21, 10, tzinfo=ROME)) is ClockState.DUE_SOON
    assert clock.state(dt.datetime(2026, 3, 24, tzinfo=ROME)) is ClockState.OVERDUE
    met = appointment_clock(registered, "IT", ROME, appointed_at=dt.datetime(2026, 3, 5, tzinfo=ROME))
    assert met.state(dt.datetime(2026, 4, 1, tzinfo=ROME)) is ClockState.MET


GOOD = LIMITS_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('country = "IT"', 'country = "Italy"', "country must be"),
        ('working_days = 15\nlaw = "Law 47', 'working_days = 0\nlaw = "Law 47', "working_days must be"),
        ('country = "EU"', 'country = "DE"', "an 'EU' row is needed"),
        ('status = "verified"', 'status = "probably"', "unknown status"),
    ],
)
def test_a_limits_file_with_a_bad_row_is_refused_whole(old, new, message):
    assert old in GOOD
    with pytest.raises(RulesError) as refused:
        parse_limits(GOOD.replace(old, new, 1))
    assert any(message in p for p in refused.value.problems), refused.value.problems


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(1, 40))
def test_the_result_is_the_nth_working_day(start, n):
    end = add_working_days(start, n)
    assert end.weekday() < 5
    between = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(1 for d in between if d.weekday() < 5) == n
