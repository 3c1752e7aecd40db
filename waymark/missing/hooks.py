"""Where apps above this one add to the missing-child response without it importing them: a
panel on the disappearance page, clocks on a Missing-now board row, a job the clocks command
runs. Registered once at start (an ``AppConfig.ready``); each hook decides and audits what it
shows itself, through the policy like every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from waymark.accounts.models import User
from waymark.core.clocks import Clock

from .access import DisappearanceAccess


@dataclass(frozen=True)
class Panel:
    """A section of the disappearance page: ``template`` drawn with ``context(user, seen, now)``
    (``None`` draws nothing)."""

    template: str
    context: Callable[[User, DisappearanceAccess, dt.datetime], dict[str, Any] | None]


# Clocks a board row draws besides the protocol's: ``(case ids, now) -> {case id: [(label, clock)]}``.
BoardClocks = Callable[[Sequence[int], dt.datetime], dict[int, list[tuple[str, Clock]]]]
# A job ``missing_clocks`` runs each round: ``now -> how many things it notified``.
ClockJob = Callable[[dt.datetime], int]

PANELS: list[Panel] = []
BOARD_CLOCKS: list[BoardClocks] = []
CLOCK_JOBS: list[ClockJob] = []


def panels(user: User, seen: DisappearanceAccess, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
    drawn = ((p.template, p.context(user, seen, now)) for p in PANELS)
    return [(template, ctx) for template, ctx in drawn if ctx is not None]


def board_clocks(case_ids: Sequence[int], now: dt.datetime) -> dict[int, list[tuple[str, Clock]]]:
    found: dict[int, list[tuple[str, Clock]]] = {}
    for hook in BOARD_CLOCKS:
        for case_id, clocks in hook(case_ids, now).items():
            found.setdefault(case_id, []).extend(clocks)
    return found


def run_clock_jobs(now: dt.datetime) -> int:
    return sum(job(now) for job in CLOCK_JOBS)
