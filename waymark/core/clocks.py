"""Deadlines as data: a ``ClockRule`` says how long something may take and when to warn; a
``Clock`` is one such deadline, started at an aware instant. A clock's state at ``now`` only
moves forward — running, due soon, overdue — until it is met or stopped, which is final; closing
a clock returns a new one. Spans are elapsed time (``timedelta``) or calendar ``Months``. Every
rule in use is listed at the end of this module (recipe: docs/clocks.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypedDict

UTC = dt.UTC


class ClockState(StrEnum):
    RUNNING = "running"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    STOPPED = "stopped"


CLOSED = frozenset({ClockState.MET, ClockState.STOPPED})


def _aware(name: str, value: dt.datetime) -> dt.datetime:
    """``value`` in UTC; a naive datetime is refused (we never guess a time zone)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")
    # In UTC, because Python compares and subtracts two datetimes of the *same* zone on the
    # wall clock: 12 hours across a daylight-saving change would be 11 or 13.
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Months:
    """A span of calendar months, counted on the start's own wall clock: the same day ``n``
    months later, or the last day of that month when it is shorter (31 January + 1 month =
    28 or 29 February; 31 August + 1 month = 30 September)."""

    n: int

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"a span of months must be at least 1, got {self.n}")

    def after(self, at: dt.datetime) -> dt.datetime:
        return add_months(at, self.n)


def add_months(at: dt.datetime, n: int) -> dt.datetime:
    """``at`` moved ``n`` calendar months (may be negative), clamped to the month's last day."""
    index = at.year * 12 + (at.month - 1) + n
    year, month = divmod(index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


Span = dt.timedelta | Months


def _check_span(span: Span) -> None:
    if isinstance(span, dt.timedelta) and span <= dt.timedelta(0):
        raise ValueError(f"a clock's span must be positive, got {span}")


def _after(at: dt.datetime, span: Span) -> dt.datetime:
    """``at`` + ``span``: elapsed time for a timedelta, the local calendar for months."""
    if isinstance(span, Months):
        return _aware("at", span.after(at))
    return _aware("at", at) + span


def day_deadline(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """A deadline "on ``day``": the first instant after that day ends in ``tz``, in UTC."""
    return _aware("day", dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _warn_at(
    started_at: dt.datetime,
    due_at: dt.datetime,
    warn_before: dt.timedelta | None,
    warn_fraction: float | None,
) -> dt.datetime:
    if warn_before is not None:
        warn = due_at - warn_before
    elif warn_fraction is not None:
        warn = started_at + (due_at - started_at) * warn_fraction
    else:
        warn = due_at  # no warning: running until it is overdue
    return min(max(warn, started_at), due_at)


def _check_warning(warn_before: dt.timedelta | None, warn_fraction: float | None) -> None:
    if warn_before is not None and warn_fraction is not None:
        raise ValueError("warn either some time before the due time or at a fraction of the span, not both")
    if warn_before is not None and warn_before < dt.timedelta(0):
        raise ValueError(f"warn_before must not be negative, got {warn_before}")
    if warn_fraction is not None and not 0 <= warn_fraction <= 1:
        raise ValueError(f"warn_fraction must be between 0 and 1, got {warn_fraction}")


@dataclass(frozen=True)
class ClockRule:
    """How long, and when to warn. ``within`` is one span, or spans by key (per country...),
    or ``None`` when each start names its own (an agreement's reply time). Warn either
    ``warn_before`` the due time or once ``warn_fraction`` of the span has passed; neither
    means no warning."""

    name: str
    within: Span | Mapping[str, Span] | None = None
    warn_before: dt.timedelta | None = None
    warn_fraction: float | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a clock rule needs a name")
        _check_warning(self.warn_before, self.warn_fraction)
        spans = self.within.values() if isinstance(self.within, Mapping) else [self.within]
        for span in spans:
            if span is not None:
                _check_span(span)

    def span(self, key: str | None = None) -> Span:
        """The rule's span (for ``key`` when it has one per key); ValueError if there is none."""
        if isinstance(self.within, Mapping):
            if key is None or key not in self.within:
                raise ValueError(f"clock {self.name!r} has no span for {key!r}")
            return self.within[key]
        if key is not None:
            raise ValueError(f"clock {self.name!r} has one span for all; no key expected")
        if self.within is None:
            raise ValueError(f"clock {self.name!r} needs its span at start (within=...)")
        return self.within

    def start(self, at: dt.datetime, *, within: Span | None = None, key: str | None = None) -> Clock:
        """A clock started ``at``, due after ``within`` if given, else after the rule's span."""
        start = _aware("at", at)
        if within is None:
            span = self.span(key)
        else:
            _check_span(within)
            span = within
        due = _after(at, span)
        return Clock(self.name, start, due, _warn_at(start, due, self.warn_before, self.warn_fraction))

    def until(self, due_at: dt.datetime, *, started_at: dt.datetime) -> Clock:
        """A clock of this rule whose due time is already known (a peer computed it, a person
        chose it): the rule only gives its name and warning."""
        return Clock.until(
            due_at,
            started_at=started_at,
            rule=self.name,
            warn_before=self.warn_before,
            warn_fraction=self.warn_fraction,
        )


class ClockDict(TypedDict):
    rule: str
    started_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime
    state: ClockState
    remaining_seconds: int


@dataclass(frozen=True)
class Clock:
    """One deadline: ``started_at <= warn_at <= due_at``, all kept in UTC. Due soon from
    ``warn_at``, overdue from ``due_at`` (the instant itself has no time left); met or stopped
    from ``met_at``/``stopped_at`` on, whatever the time."""

    rule_name: str
    started_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime
    met_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        for name in ("started_at", "due_at", "warn_at", "met_at", "stopped_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _aware(name, value))
        if not self.started_at <= self.warn_at <= self.due_at:
            raise ValueError(
                f"a clock needs started_at <= warn_at <= due_at, got "
                f"{self.started_at}, {self.warn_at}, {self.due_at}"
            )
        if self.met_at is not None and self.stopped_at is not None:
            raise ValueError("a clock is either met or stopped, not both")

    @classmethod
    def until(
        cls,
        due_at: dt.datetime,
        *,
        started_at: dt.datetime,
        rule: str = "",
        warn_before: dt.timedelta | None = None,
        warn_fraction: float | None = None,
    ) -> Clock:
        """A clock from a due time someone else computed. A start after the due time (a peer's
        clock ahead of ours) is moved back to it: such a clock is overdue from the start."""
        _check_warning(warn_before, warn_fraction)
        due = _aware("due_at", due_at)
        start = min(_aware("started_at", started_at), due)
        return cls(rule, start, due, _warn_at(start, due, warn_before, warn_fraction))

    @property
    def closed_at(self) -> dt.datetime | None:
        return self.met_at if self.met_at is not None else self.stopped_at

    def state(self, now: dt.datetime) -> ClockState:
        now = _aware("now", now)
        if self.met_at is not None and now >= self.met_at:
            return ClockState.MET
        if self.stopped_at is not None and now >= self.stopped_at:
            return ClockState.STOPPED
        if now >= self.due_at:
            return ClockState.OVERDUE
        if now >= self.warn_at:
            return ClockState.DUE_SOON
        return ClockState.RUNNING

    def remaining(self, now: dt.datetime) -> dt.timedelta:
        """Time left until the due time, negative once overdue; frozen when the clock closed."""
        end = _aware("now", now)
        closed = self.closed_at
        if closed is not None:
            end = min(end, closed)
        return self.due_at - end

    def met(self, at: dt.datetime) -> Clock:
        """This clock, met ``at`` (in time or late: compare with ``due_at``)."""
        self._check_open()
        return replace(self, met_at=_aware("at", at))

    def stop(self, at: dt.datetime) -> Clock:
        """This clock, stopped ``at``: the deadline no longer applies (withdrawn, declined)."""
        self._check_open()
        return replace(self, stopped_at=_aware("at", at))

    def _check_open(self) -> None:
        if self.closed_at is not None:
            raise ValueError(f"clock {self.rule_name!r} is already closed")

    def as_dict(self, now: dt.datetime) -> ClockDict:
        """The clock as the API shows it at ``now`` (``remaining_seconds`` rounded down)."""
        return ClockDict(
            rule=self.rule_name,
            started_at=self.started_at,
            due_at=self.due_at,
            warn_at=self.warn_at,
            state=self.state(now),
            remaining_seconds=math.floor(self.remaining(now).total_seconds()),
        )


# ---------------------------------------------------------------------------------------------
# The rules in use: one line each.

# An information request's reply time comes from the cooperation agreement, given at start.
INFO_REPLY = ClockRule("info_reply", warn_fraction=0.75)
# The review date of a care plan is chosen by the caseworker (``until``); a week's notice.
CARE_PLAN_REVIEW = ClockRule("care_plan_review", warn_before=dt.timedelta(days=7))
# A guardian for a child registered as unaccompanied: the limit per country is data
# (core/guardianship.py; Directive (EU) 2024/1346 Art. 27(1)(b): 15 working days); 3 days' notice.
GUARDIAN_APPOINTMENT = ClockRule("guardian_appointment", warn_before=dt.timedelta(days=3))
# A missing-child alert is marked seen by a person at each recipient: within an hour for a child
# at high risk (given at start), four hours otherwise (the human acknowledgement, issue 11).
ALERT_SEEN = ClockRule("alert_seen", within=dt.timedelta(hours=4), warn_fraction=0.75)
# A SIRENE-style request between police and the care side about a missing child: a reply within
# 12 hours (the SIRENE Manual's time for urgent requests; docs/missing.md, "The police side").
SIRENE_REPLY = ClockRule("sirene_reply", within=dt.timedelta(hours=12), warn_before=dt.timedelta(hours=2))
# A police alert requested for a missing child is expected issued within 12 hours: Waymark's
# default for chasing the police, not a legal time limit (the SIS Regulation sets none).
POLICE_ALERT_ISSUE = ClockRule(
    "police_alert_issue", within=dt.timedelta(hours=12), warn_before=dt.timedelta(hours=3)
)
# A best-interests assessment or determination is reviewed on the date its author set (UNHCR,
# Guidelines on Assessing and Determining the Best Interests of the Child, 2018: BIAs and BIDs
# are reviewed as the child's situation changes); a later record on the case is that review.
# Two weeks' notice: a review gathers the child's views, the guardian and, for a BID, a panel.
BEST_INTERESTS_REVIEW = ClockRule("best_interests_review", warn_before=dt.timedelta(days=14))
