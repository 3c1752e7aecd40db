"""The deadline engine with real national holiday calendars (``core.public_holidays``, from the
``holidays`` package): golden dated cases, each citing the rule it tests. Under the AMMR a period
whose last day is a public holiday of the Member State that must act ends with the next working
day (Reg. 1182/71 Art. 3(4), Art. 2(1)); under Dublin III holidays are included (Art. 42(c))."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from waymark.core.deadlines import Step, TakeCharge, load_rules, schedule
from waymark.core.public_holidays import has_calendar, national_holidays

ROME = ZoneInfo("Europe/Rome")
BOOK = load_rules()
D = dt.date.fromisoformat
YEARS = range(2025, 2028)
IT, BE = national_holidays("IT", YEARS), national_holidays("BE", YEARS)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(hour), tzinfo=ROME)


def test_the_calendars_hold_the_national_holidays_used_below():
    assert D("2026-12-08") in IT and D("2026-12-08") not in BE  # Immacolata Concezione (IT)
    assert D("2026-11-11") in BE and D("2026-11-11") not in IT  # Armistice Day (BE)
    assert D("2026-07-21") in BE  # Belgian National Day
    # Every Dublin State has a calendar (EU 27, Iceland, Liechtenstein, Norway, Switzerland).
    dublin_states = (
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO CH"
    )
    assert all(has_calendar(c) for c in dublin_states.split())


def test_an_unknown_country_has_no_holidays():
    assert national_holidays("ZZ", YEARS) == frozenset()


# (facts, step, requesting State, requested State, expected last day, citation)
GOLDEN = [
    # AMMR Art. 39(1): request within 2 months of registration, 8 Oct 2026 -> Tue 8 Dec 2026, an
    # Italian national holiday: the requesting State (IT) acts, so Wed 9 Dec (1182/71 Art. 3(4)).
    (
        TakeCharge(at("2026-10-08")),
        Step.TAKE_CHARGE_REQUEST,
        "IT",
        "BE",
        "2026-12-09",
        "AMMR Art. 39(1); 1182/71 Art. 3(4)",
    ),
    # The same request from Belgium: 8 Dec is no Belgian holiday, it stays.
    (
        TakeCharge(at("2026-10-08")),
        Step.TAKE_CHARGE_REQUEST,
        "BE",
        "IT",
        "2026-12-08",
        "AMMR Art. 39(1); 1182/71 Art. 2(1)",
    ),
    # AMMR Art. 40(1): reply within 1 month of the request, 11 Oct 2026 -> Wed 11 Nov 2026, Armistice
    # Day in Belgium: the requested State (BE) replies, so Thu 12 Nov.
    (
        TakeCharge(at("2026-09-01"), request_sent_at=at("2026-10-11")),
        Step.REPLY,
        "IT",
        "BE",
        "2026-11-12",
        "AMMR Art. 40(1); 1182/71 Art. 3(4)",
    ),
    # The same reply asked of Italy: 11 Nov is no Italian holiday.
    (
        TakeCharge(at("2026-09-01"), request_sent_at=at("2026-10-11")),
        Step.REPLY,
        "BE",
        "IT",
        "2026-11-11",
        "AMMR Art. 40(1); 1182/71 Art. 2(1)",
    ),
    # Dublin III Art. 22(1), 42(c): a reply due on Belgian National Day (Tue 21 Jul 2026) stays —
    # holidays are included under Dublin III. Registered before the AMMR applies.
    (
        TakeCharge(at("2026-05-10"), request_sent_at=at("2026-05-21")),
        Step.REPLY,
        "IT",
        "BE",
        "2026-07-21",
        "604/2013 Art. 22(1), Art. 42(c)",
    ),
]


@pytest.mark.parametrize(
    ("facts", "step", "requesting", "requested", "last_day", "citation"),
    GOLDEN,
    ids=[f"{r[1].value}:{r[2]}->{r[3]}:{r[5]}" for r in GOLDEN],
)
def test_golden_deadlines_with_national_holidays(facts, step, requesting, requested, last_day, citation):
    plan = schedule(
        facts,
        BOOK,
        ROME,
        now=facts.registered_at,
        requesting_holidays=national_holidays(requesting, YEARS),
        requested_holidays=national_holidays(requested, YEARS),
    )
    assert plan.must(step).last_day == D(last_day), citation
