"""The Dublin III / AMMR deadline engine: golden dated cases (each row cites the article it
tests), the regime boundary, warnings and loud flags, the rules file refused whole, properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waymark.core.deadlines import (
    RULES_FILE,
    Computation,
    Notice,
    Period,
    RulesError,
    Status,
    Step,
    TakeCharge,
    end_day,
    load_rules,
    parse_rules,
    schedule,
)

ROME = ZoneInfo("Europe/Rome")
BOOK = load_rules()
D = dt.date.fromisoformat


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(hour), tzinfo=ROME)


FAR = at("2030-01-01")

# (what happened, step, expected last day, regime, citation). A period runs from the day after
# the event; the deadline is the end of the last day in the Member State's zone.
GOLDEN = [
    # Dublin III: request within 3 months of lodging, 2 months of a Eurodac hit.
    (
        TakeCharge(at("2025-01-15")),
        Step.TAKE_CHARGE_REQUEST,
        "2025-04-15",
        "dublin_iii",
        "604/2013 Art. 21(1), Art. 42(b)",
    ),
    (
        TakeCharge(at("2025-11-30")),
        Step.TAKE_CHARGE_REQUEST,
        "2026-02-28",
        "dublin_iii",
        "Art. 21(1); Art. 42(b) month end",
    ),
    (
        TakeCharge(at("2023-11-30")),
        Step.TAKE_CHARGE_REQUEST,
        "2024-02-29",
        "dublin_iii",
        "Art. 21(1); Art. 42(b) leap year",
    ),
    (
        TakeCharge(at("2025-12-01"), hit_at=at("2025-12-31")),
        Step.TAKE_CHARGE_REQUEST_AFTER_HIT,
        "2026-02-28",
        "dublin_iii",
        "Art. 21(1) 2nd subpara.; 31 Dec + 2 months",
    ),
    # Dublin III reply: 2 months; a last day on a Saturday stays (Art. 42(c)).
    (
        TakeCharge(at("2025-12-01"), request_sent_at=at("2026-01-31")),
        Step.REPLY,
        "2026-03-31",
        "dublin_iii",
        "Art. 22(1)",
    ),
    (
        TakeCharge(at("2025-12-01"), request_sent_at=at("2025-12-29")),
        Step.REPLY,
        "2026-02-28",
        "dublin_iii",
        "Art. 22(1); Art. 42(c) Saturday included",
    ),
    # Dublin III urgent reply: the time asked (>= 1 week), then one month at most.
    (
        TakeCharge(at("2026-02-01"), request_sent_at=at("2026-03-02"), urgent_reply=Period(1, "week")),
        Step.URGENT_REPLY,
        "2026-03-09",
        "dublin_iii",
        "Art. 21(2); Art. 42(b) weeks",
    ),
    (
        TakeCharge(at("2026-02-01"), request_sent_at=at("2026-03-02"), urgent_reply=Period(1, "week")),
        Step.URGENT_REPLY_OUTER,
        "2026-04-02",
        "dublin_iii",
        "Art. 22(6)",
    ),
    # Dublin III transfer: 6 months from acceptance; 1 year (prison), 18 months (absconding).
    (
        TakeCharge(
            at("2025-06-01"), request_sent_at=at("2025-07-01"), replied_at=at("2025-08-31"), accepted=True
        ),
        Step.TRANSFER,
        "2026-02-28",
        "dublin_iii",
        "Art. 29(1); 31 Aug + 6 months",
    ),
    (
        TakeCharge(
            at("2025-01-10"),
            request_sent_at=at("2025-02-01"),
            replied_at=at("2025-03-10"),
            accepted=True,
            extension="imprisonment",
        ),
        Step.TRANSFER_IMPRISONMENT,
        "2026-03-10",
        "dublin_iii",
        "Art. 29(2) imprisonment",
    ),
    (
        TakeCharge(
            at("2025-01-10"),
            request_sent_at=at("2025-02-01"),
            replied_at=at("2025-03-10"),
            accepted=True,
            extension="absconding",
        ),
        Step.TRANSFER_ABSCONDING,
        "2026-09-10",
        "dublin_iii",
        "Art. 29(2) absconding",
    ),
    # The regime boundary: registered on 30 June 2026 -> Dublin III; from 1 July 2026 -> AMMR.
    (
        TakeCharge(at("2026-06-30", 23)),
        Step.TAKE_CHARGE_REQUEST,
        "2026-09-30",
        "dublin_iii",
        "AMMR Art. 84(2)",
    ),
    (
        TakeCharge(at("2026-07-01", 0)),
        Step.TAKE_CHARGE_REQUEST,
        "2026-09-01",
        "ammr",
        "AMMR Arts. 84, 85; Art. 39(1)",
    ),
    # AMMR: request 2 months / 1 month after a hit; a last day on a weekend moves to Monday.
    (TakeCharge(at("2026-07-31")), Step.TAKE_CHARGE_REQUEST, "2026-09-30", "ammr", "Art. 39(1); month end"),
    (
        TakeCharge(at("2026-07-01"), hit_at=at("2026-07-01")),
        Step.TAKE_CHARGE_REQUEST_AFTER_HIT,
        "2026-08-03",
        "ammr",
        "Art. 39(1) 2nd subpara.; Reg. 1182/71 Art. 3(4) Sat 1 Aug -> Mon",
    ),
    (
        TakeCharge(at("2026-08-01"), request_sent_at=at("2026-08-31")),
        Step.REPLY,
        "2026-09-30",
        "ammr",
        "Art. 40(1); month end",
    ),
    (
        TakeCharge(at("2026-08-01"), request_sent_at=at("2026-09-03")),
        Step.REPLY,
        "2026-10-05",
        "ammr",
        "Art. 40(1); Reg. 1182/71 Art. 3(4) Sat 3 Oct -> Mon",
    ),
    (
        TakeCharge(
            at("2026-07-05"), request_sent_at=at("2026-08-31"), replied_at=at("2026-09-10"), accepted=True
        ),
        Step.TRANSFER_DECISION,
        "2026-09-24",
        "ammr",
        "Art. 42(1)",
    ),
    (
        TakeCharge(
            at("2027-07-01"), request_sent_at=at("2027-08-01"), replied_at=at("2027-08-31"), accepted=True
        ),
        Step.TRANSFER,
        "2028-02-29",
        "ammr",
        "Art. 46(1); leap year",
    ),
]


@pytest.mark.parametrize(
    ("facts", "step", "last_day", "regime", "citation"), GOLDEN, ids=[f"{r[1].value}:{r[4]}" for r in GOLDEN]
)
def test_golden_deadlines(facts, step, last_day, regime, citation):
    plan = schedule(facts, BOOK, ROME, now=facts.registered_at)
    deadline = plan.step(step)
    assert plan.regime.id == regime, citation
    assert deadline is not None, citation
    assert deadline.last_day == D(last_day), citation
    # The deadline is the end of that last day in the State's own zone.
    assert deadline.due_at == dt.datetime.combine(
        D(last_day) + dt.timedelta(days=1), dt.time.min, tzinfo=ROME
    )


def test_ammr_reply_after_a_hit_moves_past_the_requested_states_holidays():
    # Art. 40(2): two weeks; 25 Dec 2026 is a Friday and a holiday there -> Mon 28 Dec (1182/71 Art. 3(4)).
    facts = TakeCharge(at("2026-11-20"), hit_at=at("2026-12-01"), request_sent_at=at("2026-12-11"))
    christmas = {D("2026-12-25"), D("2026-12-26")}
    plain = schedule(facts, BOOK, ROME, now=at("2026-12-11"))
    holidays = schedule(facts, BOOK, ROME, now=at("2026-12-11"), requested_holidays=christmas)
    assert plain.must(Step.REPLY_AFTER_HIT).last_day == D("2026-12-25")
    assert holidays.must(Step.REPLY_AFTER_HIT).last_day == D("2026-12-28")
    # The requesting State's holidays do not move the requested State's reply.
    other = schedule(facts, BOOK, ROME, now=at("2026-12-11"), requesting_holidays=christmas)
    assert other.must(Step.REPLY_AFTER_HIT).last_day == D("2026-12-25")


def test_dublin_iii_reply_ignores_holidays():
    # Art. 42(c): time limits include Saturdays, Sundays and official holidays.
    facts = TakeCharge(at("2025-12-01"), request_sent_at=at("2025-12-29"))
    plan = schedule(facts, BOOK, ROME, now=at("2025-12-29"), requested_holidays={D("2026-02-28")})
    assert plan.must(Step.REPLY).last_day == D("2026-02-28")


def test_warnings_come_7_and_2_days_ahead_then_tacit_acceptance_is_flagged():
    facts = TakeCharge(at("2026-08-01"), request_sent_at=at("2026-08-31"))
    reply = schedule(facts, BOOK, ROME, now=at("2026-09-01")).must(Step.REPLY)
    due = reply.due_at  # end of 30 Sept 2026, Rome
    assert reply.notice(due - dt.timedelta(days=8)) is Notice.RUNNING
    assert reply.notice(due - dt.timedelta(days=7)) is Notice.WARN_7_DAYS
    assert reply.notice(due - dt.timedelta(days=2)) is Notice.WARN_2_DAYS
    assert reply.notice(due - dt.timedelta(seconds=1)) is Notice.WARN_2_DAYS
    assert reply.notice(due) is Notice.TACIT_ACCEPTANCE
    # Before the period ends there is no acceptance and no transfer clock...
    assert schedule(facts, BOOK, ROME, now=due - dt.timedelta(seconds=1)).step(Step.TRANSFER) is None
    # ...after it, the tacit acceptance is flagged and the transfer period runs from 30 Sept.
    later = schedule(facts, BOOK, ROME, now=due)
    assert [n for _, n in later.flags(due)] == [Notice.TACIT_ACCEPTANCE]
    assert later.must(Step.TRANSFER).last_day == D("2027-03-30")  # Art. 46(1)
    assert later.must(Step.TRANSFER_DECISION).last_day == D("2026-10-14")  # Art. 42(1)


def test_a_reply_after_the_period_does_not_undo_the_tacit_acceptance():
    facts = TakeCharge(
        at("2025-01-10"), request_sent_at=at("2025-02-01"), replied_at=at("2025-04-03"), accepted=False
    )
    plan = schedule(facts, BOOK, ROME, now=at("2025-04-04"))
    assert plan.must(Step.REPLY).notice(at("2025-04-04")) is Notice.MET_LATE
    assert plan.must(Step.TRANSFER).last_day == D("2025-10-01")  # 6 months from 1 April (Art. 29(1))


def test_a_refusal_in_time_opens_no_transfer_period():
    facts = TakeCharge(
        at("2025-01-10"), request_sent_at=at("2025-02-01"), replied_at=at("2025-02-20"), accepted=False
    )
    plan = schedule(facts, BOOK, ROME, now=FAR)
    assert plan.step(Step.TRANSFER) is None
    assert plan.must(Step.REPLY).notice(FAR) is Notice.MET
    assert plan.flags(FAR) == []


def test_a_missed_request_and_a_missed_transfer_are_loud():
    late = schedule(TakeCharge(at("2025-01-15")), BOOK, ROME, now=FAR)
    assert [n for _, n in late.flags(FAR)] == [Notice.MISSED]
    sent_late = schedule(TakeCharge(at("2025-01-15"), request_sent_at=at("2025-04-16")), BOOK, ROME, now=FAR)
    assert sent_late.must(Step.TAKE_CHARGE_REQUEST).notice(FAR) is Notice.MET_LATE
    accepted = TakeCharge(
        at("2025-01-10"), request_sent_at=at("2025-02-01"), replied_at=at("2025-02-20"), accepted=True
    )
    plan = schedule(accepted, BOOK, ROME, now=FAR)
    assert plan.must(Step.TRANSFER).notice(FAR) is Notice.RESPONSIBILITY_SHIFTED


def test_an_urgent_reply_must_be_asked_for_at_least_one_week():
    facts = TakeCharge(at("2026-02-01"), request_sent_at=at("2026-03-02"), urgent_reply=Period(6, "day"))
    with pytest.raises(ValueError, match="at least 1 week"):
        schedule(facts, BOOK, ROME, now=at("2026-03-02"))


def test_unverified_rules_say_so():
    ammr = BOOK.rule("ammr", Step.TRANSFER_ABSCONDING)
    assert ammr is not None and ammr.status is Status.UNVERIFIED
    facts = TakeCharge(
        at("2027-01-10"),
        request_sent_at=at("2027-02-01"),
        replied_at=at("2027-02-20"),
        accepted=True,
        extension="absconding",
    )
    assert not schedule(facts, BOOK, ROME, now=at("2027-02-20")).must(Step.TRANSFER_ABSCONDING).verified


# --- The rules file -------------------------------------------------------------------------

GOOD = RULES_FILE.read_text(encoding="utf-8")


def test_the_shipped_rules_load_and_every_rule_cites_an_article_and_a_source():
    assert {r.id for r in BOOK.regimes} == {"dublin_iii", "ammr"}
    for rule in BOOK.rules.values():
        assert rule.article.startswith("Art. ") and rule.source


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('regime = "ammr"\nstep = "reply"\n', 'regime = "ammr2"\nstep = "reply"\n', "unknown regime 'ammr2'"),
        (
            'article = "Art. 40(1)"',
            'article = "Art. 41(1)"',
            "unknown article 'Art. 41(1)' for regime 'ammr'",
        ),
        ('article = "Art. 29(1)"', 'article = "Article twenty-nine"', "article must read like"),
        ('step = "transfer_decision"', 'step = "transfer_decisions"', "unknown step 'transfer_decisions'"),
        ('period = "2 weeks"', 'period = "fortnight"', "a period is"),
        ('computation = "reg_1182_71"', 'computation = "roman"', "unknown computation 'roman'"),
        ("registered_from = 2026-07-01", "registered_from = 2026-07-02", "a gap or an overlap"),
        ('id = "ammr"', 'id = "ammr_2031"', "unknown regime 'ammr_2031'"),
    ],
)
def test_a_rules_file_with_an_unknown_regime_or_article_is_refused_whole(old, new, message):
    assert old in GOOD
    with pytest.raises(RulesError) as refused:
        parse_rules(GOOD.replace(old, new, 1))
    assert any(message in p for p in refused.value.problems), refused.value.problems


def test_every_problem_is_named_at_once():
    bad = GOOD.replace('article = "Art. 40(2)"', 'article = "Art. 99"').replace(
        'step = "transfer_decision"', 'step = "x"'
    )
    with pytest.raises(RulesError) as refused:
        parse_rules(bad)
    assert len(refused.value.problems) == 2


def test_a_file_that_is_not_toml_is_refused():
    with pytest.raises(RulesError, match="not valid TOML"):
        parse_rules("[[rule]\n")


# --- Properties -----------------------------------------------------------------------------

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))
periods = st.builds(Period, st.integers(1, 40), st.sampled_from(["day", "week", "month"]))
holiday_sets = st.frozensets(days, max_size=30)


@given(days, periods, holiday_sets)
def test_1182_71_never_ends_on_a_weekend_or_holiday_and_never_before_art42(start, period, holidays):
    plain = end_day(start, period, Computation.DUBLIN_III_ART42, holidays)
    moved = end_day(start, period, Computation.REG_1182_71, holidays)
    assert moved.weekday() < 5 and moved not in holidays
    assert plain <= moved
    # Only weekend days and holidays lie between the two.
    day = plain
    while day < moved:
        assert day.weekday() >= 5 or day in holidays
        day += dt.timedelta(days=1)


@given(days, periods)
def test_a_period_ends_after_its_event_and_months_keep_the_day_or_clamp(start, period):
    last = period.end_day(start)
    assert last > start
    if period.unit == "month":
        assert (last.year * 12 + last.month) - (start.year * 12 + start.month) == period.n
        assert last.day == start.day or (last.day < start.day and (last + dt.timedelta(days=1)).day == 1)


@given(days, days, periods)
def test_a_later_event_never_has_an_earlier_deadline(a, b, period):
    first, second = sorted((a, b))
    for computation in Computation:
        assert end_day(first, period, computation) <= end_day(second, period, computation)
