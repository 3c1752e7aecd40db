"""The Dublin III / AMMR deadline engine, pure: which legal regime governs a take-charge
procedure (data keyed to the application's registration date), each period of that regime with
its article, how a period is computed (Dublin III Art. 42 or Regulation 1182/71), and the
procedure's deadlines with warnings 7 and 2 days ahead and a loud flag once a tacit acceptance
happened or a deadline was missed. Rules live in ``core/data/deadlines.toml``; a rules file with
an unknown regime, step, computation or article is refused whole (docs/deadlines.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from waymark.core.clocks import Clock, day_deadline

RULES_FILE = Path(__file__).parent / "data" / "deadlines.toml"

# Warnings ahead of every deadline (the issue asks for 7 and 2 days).
WARN_AHEAD = (dt.timedelta(days=7), dt.timedelta(days=2))


class Step(StrEnum):
    TAKE_CHARGE_REQUEST = "take_charge_request"
    TAKE_CHARGE_REQUEST_AFTER_HIT = "take_charge_request_after_hit"
    REPLY = "reply"
    REPLY_AFTER_HIT = "reply_after_hit"
    URGENT_REPLY = "urgent_reply"
    URGENT_REPLY_OUTER = "urgent_reply_outer"
    TRANSFER_DECISION = "transfer_decision"
    TRANSFER = "transfer"
    TRANSFER_IMPRISONMENT = "transfer_imprisonment"
    TRANSFER_ABSCONDING = "transfer_absconding"


# Steps the *requested* State must act on (its public holidays count for them).
REQUESTED_STATE_STEPS = frozenset(
    {Step.REPLY, Step.REPLY_AFTER_HIT, Step.URGENT_REPLY, Step.URGENT_REPLY_OUTER}
)


class Computation(StrEnum):
    # Reg. 604/2013 Art. 42: the day of the event is not counted; weeks/months end on the same
    # weekday/date (or the month's last day); Saturdays, Sundays and holidays are included —
    # no move to the next working day.
    DUBLIN_III_ART42 = "dublin_iii_art42"
    # Reg. 1182/71 Art. 3(1), 3(2)(c), 3(3), 3(4): the same counting, but a period whose last day
    # is a public holiday, Sunday or Saturday ends with the following working day.
    REG_1182_71 = "reg_1182_71"


class Status(StrEnum):
    VERIFIED = "verified"
    SECONDARY = "secondary"
    UNVERIFIED = "unverified"


class OnMiss(StrEnum):
    MISSED = "missed"
    TACIT_ACCEPTANCE = "tacit_acceptance"
    RESPONSIBILITY_SHIFTS = "responsibility_shifts"


class Notice(StrEnum):
    """What a deadline says at an instant, quietest first."""

    MET = "met"
    RUNNING = "running"
    WARN_7_DAYS = "warn_7_days"
    WARN_2_DAYS = "warn_2_days"
    MET_LATE = "met_late"
    MISSED = "missed"
    TACIT_ACCEPTANCE = "tacit_acceptance"
    RESPONSIBILITY_SHIFTED = "responsibility_shifted"


LOUD = frozenset({Notice.MET_LATE, Notice.MISSED, Notice.TACIT_ACCEPTANCE, Notice.RESPONSIBILITY_SHIFTED})

# The articles of each instrument the engine models; a rule citing any other is refused.
KNOWN_ARTICLES: Mapping[str, frozenset[int]] = {
    "dublin_iii": frozenset({8, 21, 22, 29, 42}),
    "ammr": frozenset({25, 26, 27, 28, 39, 40, 42, 43, 45, 46, 84, 85}),
}

_PERIOD = re.compile(r"^(\d+) (day|week|month)s?$")
_ARTICLE = re.compile(r"^Art\. (\d+)(\(\d+\))*$")


@dataclass(frozen=True)
class Period:
    n: int
    unit: str  # "day" | "week" | "month"

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if match is None or int(match.group(1)) < 1:
            raise ValueError(f"a period is '<n> days|weeks|months' with n >= 1, got {text!r}")
        return cls(int(match.group(1)), match.group(2))

    def end_day(self, start: dt.date) -> dt.date:
        """The period's last day when it runs from an event on ``start`` (the day of the event
        not counted: Art. 42(a) / Reg. 1182/71 Art. 3(1)); months clamp to the month's last day
        (Art. 42(b) / Reg. 1182/71 Art. 3(2)(c))."""
        if self.unit == "day":
            return start + dt.timedelta(days=self.n)
        if self.unit == "week":
            return start + dt.timedelta(weeks=self.n)
        index = start.year * 12 + (start.month - 1) + self.n
        year, month0 = divmod(index, 12)
        return start.replace(
            year=year, month=month0 + 1, day=min(start.day, calendar.monthrange(year, month0 + 1)[1])
        )

    def at_least(self, other: Period) -> bool:
        """Whether this period is never shorter than ``other``, whatever the calendar."""
        if self.unit == other.unit:
            return self.n >= other.n
        shortest = {"day": 1, "week": 7, "month": 28}
        longest = {"day": 1, "week": 7, "month": 31}
        return self.n * shortest[self.unit] >= other.n * longest[other.unit]

    def __str__(self) -> str:
        return f"{self.n} {self.unit}{'' if self.n == 1 else 's'}"


def end_day(
    start: dt.date, period: Period, computation: Computation, holidays: Iterable[dt.date] = ()
) -> dt.date:
    """The last day of ``period`` from an event on ``start`` under ``computation``."""
    last = period.end_day(start)
    if computation is Computation.REG_1182_71:
        off = frozenset(holidays)
        while last.weekday() >= 5 or last in off:  # Reg. 1182/71 Art. 3(4)
            last += dt.timedelta(days=1)
    return last


@dataclass(frozen=True)
class Regime:
    id: str
    title: str
    instrument: str
    computation: Computation
    status: Status
    source: str
    registered_from: dt.date | None = None
    registered_before: dt.date | None = None

    def covers(self, registered_on: dt.date) -> bool:
        if self.registered_from is not None and registered_on < self.registered_from:
            return False
        return self.registered_before is None or registered_on < self.registered_before


@dataclass(frozen=True)
class Rule:
    regime: str
    step: Step
    period: Period | None  # None: the time the requesting State asked for (``min_period`` floor)
    article: str
    on_miss: OnMiss
    status: Status
    source: str
    starts_from: str
    min_period: Period | None = None
    note: str = ""


class RulesError(ValueError):
    """A rules file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("deadline rules refused: " + "; ".join(problems))


def _enum(kind: type[StrEnum], value: object, where: str, problems: list[str]) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        problems.append(f"{where}: unknown {kind.__name__.lower()} {value!r}")
        return None


def _text(entry: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: '{key}' is required")
        return ""
    return value


def _date(entry: Mapping[str, Any], key: str, where: str, problems: list[str]) -> dt.date | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    problems.append(f"{where}: '{key}' must be a date (YYYY-MM-DD), got {value!r}")
    return None


def _period(value: object, where: str, problems: list[str]) -> Period | None:
    try:
        return Period.parse(str(value))
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _parse_regime(entry: Mapping[str, Any], where: str, problems: list[str]) -> Regime | None:
    before = len(problems)
    rid = _text(entry, "id", where, problems)
    if rid and rid not in KNOWN_ARTICLES:
        problems.append(f"{where}: unknown regime {rid!r} (known: {', '.join(sorted(KNOWN_ARTICLES))})")
    regime = Regime(
        id=rid,
        title=_text(entry, "title", where, problems),
        instrument=_text(entry, "instrument", where, problems),
        computation=_enum(Computation, entry.get("computation"), where, problems),
        status=_enum(Status, entry.get("status"), where, problems),
        source=_text(entry, "source", where, problems),
        registered_from=_date(entry, "registered_from", where, problems),
        registered_before=_date(entry, "registered_before", where, problems),
    )
    if regime.registered_from is None and regime.registered_before is None:
        problems.append(f"{where}: a regime needs 'registered_from' and/or 'registered_before'")
    return regime if len(problems) == before else None


def _parse_rule(
    entry: Mapping[str, Any], where: str, regimes: Mapping[str, Regime], problems: list[str]
) -> Rule | None:
    before = len(problems)
    regime = _text(entry, "regime", where, problems)
    if regime and regime not in regimes:
        problems.append(f"{where}: unknown regime {regime!r}")
    article = _text(entry, "article", where, problems)
    match = _ARTICLE.match(article) if article else None
    if article and match is None:
        problems.append(f"{where}: article must read like 'Art. 21(1)', got {article!r}")
    elif match is not None and regime in KNOWN_ARTICLES and int(match.group(1)) not in KNOWN_ARTICLES[regime]:
        problems.append(f"{where}: unknown article {article!r} for regime {regime!r}")
    raw_period = entry.get("period")
    period = None if raw_period == "requested" else _period(raw_period, where, problems)
    min_period = _period(entry["min_period"], where, problems) if "min_period" in entry else None
    if raw_period == "requested" and min_period is None:
        problems.append(f"{where}: a 'requested' period needs a 'min_period'")
    rule = Rule(
        regime=regime,
        step=_enum(Step, entry.get("step"), where, problems),
        period=period,
        article=article,
        on_miss=_enum(OnMiss, entry.get("on_miss"), where, problems),
        status=_enum(Status, entry.get("status"), where, problems),
        source=_text(entry, "source", where, problems),
        starts_from=_text(entry, "from", where, problems),
        min_period=min_period,
        note=str(entry.get("note", "")),
    )
    return rule if len(problems) == before else None


@dataclass(frozen=True)
class RuleBook:
    regimes: tuple[Regime, ...]
    rules: Mapping[tuple[str, Step], Rule]

    def regime_for(self, registered_on: dt.date) -> Regime:
        """The regime governing an application registered (lodged) on ``registered_on``."""
        for regime in self.regimes:
            if regime.covers(registered_on):
                return regime
        raise LookupError(f"no legal regime covers an application registered on {registered_on}")

    def rule(self, regime: str, step: Step) -> Rule | None:
        return self.rules.get((regime, step))


def parse_rules(text: str) -> RuleBook:
    """A rule book from TOML ``text``; RulesError naming every problem if any is found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    unknown_tables = set(data) - {"regime", "rule"}
    problems.extend(f"unknown table {name!r}" for name in sorted(unknown_tables))
    regimes: dict[str, Regime] = {}
    for i, entry in enumerate(data.get("regime", [])):
        regime = _parse_regime(entry, f"regime #{i + 1}", problems)
        if regime is not None:
            if regime.id in regimes:
                problems.append(f"regime #{i + 1}: duplicate regime {regime.id!r}")
            regimes[regime.id] = regime
    ordered = sorted(regimes.values(), key=lambda r: r.registered_from or dt.date.min)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.registered_before != later.registered_from:
            problems.append(
                f"regimes {earlier.id!r} and {later.id!r} must meet on one date (a gap or an overlap)"
            )
    rules: dict[tuple[str, Step], Rule] = {}
    for i, entry in enumerate(data.get("rule", [])):
        where = f"rule #{i + 1} ({entry.get('regime')}/{entry.get('step')})"
        rule = _parse_rule(entry, where, regimes, problems)
        if rule is not None:
            if (rule.regime, rule.step) in rules:
                problems.append(f"{where}: duplicate rule")
            rules[(rule.regime, rule.step)] = rule
    for regime_id in regimes:
        for needed in (Step.TAKE_CHARGE_REQUEST, Step.REPLY, Step.TRANSFER):
            if (regime_id, needed) not in rules:
                problems.append(f"regime {regime_id!r} has no {needed.value!r} rule")
    if problems:
        raise RulesError(problems)
    return RuleBook(tuple(ordered), rules)


def load_rules(path: Path = RULES_FILE) -> RuleBook:
    return parse_rules(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# One take-charge procedure's deadlines.


@dataclass(frozen=True)
class TakeCharge:
    """What happened so far in one take-charge procedure (aware datetimes). ``urgent_reply``:
    the time the requesting State asked for under Dublin III Art. 21(2). ``accepted``: the
    reply's content (None while no reply). ``extension``: "imprisonment" or "absconding"."""

    registered_at: dt.datetime
    hit_at: dt.datetime | None = None
    request_sent_at: dt.datetime | None = None
    request_received_at: dt.datetime | None = None
    urgent_reply: Period | None = None
    replied_at: dt.datetime | None = None
    accepted: bool | None = None
    appeal_decided_at: dt.datetime | None = None
    transfer_decision_at: dt.datetime | None = None
    transferred_at: dt.datetime | None = None
    extension: str | None = None


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    period: Period
    start_day: dt.date
    last_day: dt.date
    clock: Clock

    @property
    def due_at(self) -> dt.datetime:
        return self.clock.due_at

    @property
    def verified(self) -> bool:
        return self.rule.status is Status.VERIFIED

    def notice(self, now: dt.datetime) -> Notice:
        met = self.clock.met_at
        if met is not None and met <= now:
            return Notice.MET if met < self.due_at else Notice.MET_LATE
        left = self.due_at - now
        if left <= dt.timedelta(0):
            return {
                OnMiss.MISSED: Notice.MISSED,
                OnMiss.TACIT_ACCEPTANCE: Notice.TACIT_ACCEPTANCE,
                OnMiss.RESPONSIBILITY_SHIFTS: Notice.RESPONSIBILITY_SHIFTED,
            }[self.rule.on_miss]
        if left <= WARN_AHEAD[1]:
            return Notice.WARN_2_DAYS
        if left <= WARN_AHEAD[0]:
            return Notice.WARN_7_DAYS
        return Notice.RUNNING


@dataclass(frozen=True)
class Schedule:
    regime: Regime
    deadlines: tuple[Deadline, ...]
    problems: tuple[str, ...] = field(default=())

    def step(self, step: Step) -> Deadline | None:
        return next((d for d in self.deadlines if d.rule.step is step), None)

    def must(self, step: Step) -> Deadline:
        """The deadline of ``step``; LookupError if the procedure has none (yet)."""
        found = self.step(step)
        if found is None:
            raise LookupError(f"no {step.value} deadline in this procedure")
        return found

    def flags(self, now: dt.datetime) -> list[tuple[Deadline, Notice]]:
        """The loud ones at ``now``: tacit acceptances, missed deadlines, late steps."""
        return [(d, n) for d in self.deadlines if (n := d.notice(now)) in LOUD]


def _day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    if at.tzinfo is None:
        raise ValueError(f"an aware datetime is needed, got {at!r}")
    return at.astimezone(tz).date()


def schedule(
    facts: TakeCharge,
    book: RuleBook,
    tz: dt.tzinfo,
    *,
    now: dt.datetime,
    requesting_holidays: Iterable[dt.date] = (),
    requested_holidays: Iterable[dt.date] = (),
) -> Schedule:
    """Every deadline of the procedure as at ``now``, under the regime of its registration date
    (a tacit acceptance, and the transfer period it opens, exist once ``now`` is past the reply
    period). Each
    deadline runs from the day of its event in ``tz``; holidays are those of the State that must
    act (the requested State for a reply, the requesting State otherwise)."""
    regime = book.regime_for(_day(facts.registered_at, tz))
    out: list[Deadline] = []
    problems: list[str] = []
    holidays = {False: frozenset(requesting_holidays), True: frozenset(requested_holidays)}

    def add(
        step: Step, event: dt.datetime, met: dt.datetime | None, period: Period | None = None
    ) -> Deadline | None:
        rule = book.rule(regime.id, step)
        if rule is None:
            problems.append(f"{regime.title} has no rule for {step.value}")
            return None
        span = period or rule.period
        if span is None:
            raise ValueError(f"{step.value} needs the period the requesting State asked for")
        start = _day(event, tz)
        last = end_day(start, span, regime.computation, holidays[step in REQUESTED_STATE_STEPS])
        clock = Clock.until(
            day_deadline(last, tz),
            started_at=event,
            rule=f"{regime.id}:{step.value}",
            warn_before=WARN_AHEAD[0],
        )
        if met is not None:
            clock = clock.met(met)
        deadline = Deadline(rule, span, start, last, clock)
        out.append(deadline)
        return deadline

    if facts.hit_at is not None:
        add(Step.TAKE_CHARGE_REQUEST_AFTER_HIT, facts.hit_at, facts.request_sent_at)
    else:
        add(Step.TAKE_CHARGE_REQUEST, facts.registered_at, facts.request_sent_at)
    if facts.request_sent_at is None:
        return Schedule(regime, tuple(out), tuple(problems))

    received = facts.request_received_at or facts.request_sent_at
    binding: Deadline | None  # the reply deadline whose silence is an acceptance
    if facts.urgent_reply is not None:
        urgent = book.rule(regime.id, Step.URGENT_REPLY)
        if urgent is None:
            problems.append(f"{regime.title}: no urgent-reply rule; the ordinary reply period applies")
            binding = add(Step.REPLY, received, facts.replied_at)
        else:
            if urgent.min_period is not None and not facts.urgent_reply.at_least(urgent.min_period):
                raise ValueError(
                    f"an urgent reply must be asked for at least {urgent.min_period} ({urgent.article})"
                )
            add(Step.URGENT_REPLY, received, facts.replied_at, facts.urgent_reply)
            binding = add(Step.URGENT_REPLY_OUTER, received, facts.replied_at)
    elif facts.hit_at is not None and book.rule(regime.id, Step.REPLY_AFTER_HIT) is not None:
        binding = add(Step.REPLY_AFTER_HIT, received, facts.replied_at)
    else:
        binding = add(Step.REPLY, received, facts.replied_at)

    # Acceptance: express (a positive reply) or tacit (silence until the reply period's end).
    accepted_at: dt.datetime | None = None
    if facts.replied_at is not None and binding is not None and facts.replied_at < binding.due_at:
        if facts.accepted:
            accepted_at = facts.replied_at
    elif binding is not None and facts.replied_at is not None:
        accepted_at = binding.due_at - dt.timedelta(microseconds=1)  # a late reply: already accepted
    elif binding is not None and facts.replied_at is None and now >= binding.due_at:
        # Silence past the reply period is an acceptance from the end of its last day; the
        # transfer period runs from that day. (A reply after the period is recorded as late and
        # does not undo the acceptance: handled below.)
        accepted_at = binding.due_at - dt.timedelta(microseconds=1)
    if accepted_at is None:
        return Schedule(regime, tuple(out), tuple(problems))

    if book.rule(regime.id, Step.TRANSFER_DECISION) is not None:
        add(Step.TRANSFER_DECISION, accepted_at, facts.transfer_decision_at)
    transfer_from = facts.appeal_decided_at or accepted_at
    step = {
        None: Step.TRANSFER,
        "imprisonment": Step.TRANSFER_IMPRISONMENT,
        "absconding": Step.TRANSFER_ABSCONDING,
    }.get(facts.extension)
    if step is None:
        raise ValueError(f"unknown transfer extension {facts.extension!r} (imprisonment or absconding)")
    add(step, transfer_from, facts.transferred_at)
    return Schedule(regime, tuple(out), tuple(problems))
