"""Where apps above this one add to a guardian's "My wards" without it importing them (the
exchange: the guardian hand-overs awaiting this guardian's acknowledgement). Registered once at
start (an ``AppConfig.ready``); each hook decides and audits what it shows itself, through the
policy like every page (a section without child data decides nothing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from waymark.accounts.models import User


@dataclass(frozen=True)
class WardsPanel:
    """A section of "My wards": ``template`` drawn with ``panel`` = ``context(user, now)``
    (``None`` draws nothing)."""

    template: str
    context: Callable[[User, dt.datetime], dict[str, Any] | None]


WARDS_PANELS: list[WardsPanel] = []


def wards_panels(user: User, now: dt.datetime) -> list[tuple[str, dict[str, Any]]]:
    drawn = ((p.template, p.context(user, now)) for p in WARDS_PANELS)
    return [(template, ctx) for template, ctx in drawn if ctx is not None]
