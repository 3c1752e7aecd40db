"""``{% clock c %}``: one rendering of a deadline (``waymark.core.clocks.Clock``) on every page.

The state is the CSS class (``clock clock-overdue``...), the label a whole translatable sentence
chosen by the clock's rule (``WORDING``; the generic one for a rule that has none) and the due
time a ``<time datetime>``. ``{% clock c now=now %}`` draws it as at ``now`` (default: now);
``None`` draws nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from waymark.core.clocks import (
    BEST_INTERESTS_REVIEW,
    CARE_PLAN_REVIEW,
    GUARDIAN_APPOINTMENT,
    INFO_REPLY,
    Clock,
)

register = template.Library()


@dataclass(frozen=True)
class Wording:
    """A clock's label per state: ``%(left)s`` (time left), ``%(late)s`` (time overdue) and
    ``%(due)s`` (the due time) may appear. ``day``: the deadline is the end of a day, shown as
    that day (DATE_FORMAT) with durations to the nearest unit."""

    running: str | Promise
    due_soon: str | Promise
    overdue: str | Promise
    met: str | Promise
    stopped: str | Promise
    day: bool = False


GENERIC = Wording(
    running=_("due in %(left)s"),
    due_soon=_("due in %(left)s"),
    overdue=_("overdue by %(late)s"),
    met=pgettext_lazy("clock", "met"),
    stopped=pgettext_lazy("clock", "stopped"),
)

WORDING: dict[str, Wording] = {
    INFO_REPLY.name: Wording(
        running=_("reply due in %(left)s"),
        due_soon=_("reply due in %(left)s"),
        overdue=_("reply overdue by %(late)s"),
        met=_("reply was due %(due)s"),
        stopped=_("reply was due %(due)s"),
    ),
    CARE_PLAN_REVIEW.name: Wording(
        running=_("review due %(due)s"),
        due_soon=_("review due %(due)s, in %(left)s"),
        overdue=_("review was due %(due)s"),
        met=_("review was due %(due)s"),
        stopped=_("review was due %(due)s"),
        day=True,
    ),
    GUARDIAN_APPOINTMENT.name: Wording(
        running=_("guardian to be appointed by %(due)s"),
        due_soon=_("guardian to be appointed by %(due)s, in %(left)s"),
        overdue=_("guardian appointment overdue: was due %(due)s"),
        met=_("guardian appointed (was due %(due)s)"),
        stopped=_("guardian appointment was due %(due)s"),
        day=True,
    ),
    BEST_INTERESTS_REVIEW.name: Wording(
        running=_("best-interests review due %(due)s"),
        due_soon=_("best-interests review due %(due)s, in %(left)s"),
        overdue=_("best-interests review OVERDUE: was due %(due)s"),
        met=_("best-interests review done (was due %(due)s)"),
        stopped=_("best-interests review was due %(due)s"),
        day=True,
    ),
}


def clock_context(clock: Clock, now: dt.datetime) -> dict[str, Any]:
    """What ``includes/clock.html`` draws: state, label, and the due time for ``<time>``."""
    state = clock.state(now)
    wording = WORDING.get(clock.rule_name, GENERIC)
    depth = 1 if wording.day else 2
    if wording.day:
        # The deadline is the first instant after the day: the day itself is the one before it.
        last_day = timezone.localtime(clock.due_at - dt.timedelta(microseconds=1)).date()
        due_text, due_machine = date_format(last_day, "DATE_FORMAT"), last_day.isoformat()
    else:
        due_text = date_format(timezone.localtime(clock.due_at), "DATETIME_FORMAT")
        due_machine = clock.due_at.isoformat()
    # Closed clocks measure against the moment they closed, like ``Clock.remaining``.
    end = min(now, clock.closed_at) if clock.closed_at is not None else now
    label = str(getattr(wording, state.value)) % {
        "left": timeuntil(clock.due_at, end, depth=depth),
        "late": timesince(clock.due_at, end, depth=depth),
        "due": due_text,
    }
    return {
        "state": state.value,
        "rule": clock.rule_name,
        "label": label,
        "due_text": due_text,
        "due_machine": due_machine,
    }


@register.inclusion_tag("includes/clock.html")
def clock(clock: Clock | None, now: dt.datetime | None = None) -> dict[str, Any]:
    if clock is None:
        return {}
    return clock_context(clock, now or timezone.now())
