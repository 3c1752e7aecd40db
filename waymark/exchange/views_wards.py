"""The exchange's section of a guardian's "My wards" (``waymark.continuity.hooks``): the guardian
hand-overs their organisation named them the incoming guardian of, awaiting their
acknowledgement, each with its clock. Who, from where and by when — no child data (the thread's
page shows that, decided and audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from waymark.accounts.models import User
from waymark.continuity import hooks
from waymark.core.protocol.threads import GUARDIAN_HANDOVER

from .access import threads_of
from .models import Direction
from .threads import guardian_handover as handovers


def handovers_to_acknowledge(user: User) -> Any:
    """The hand-overs received here that name ``user`` their incoming guardian, still awaiting
    acknowledgement, the most pressing first."""
    named = handovers.INCOMING
    if not named.may_be(user):
        return threads_of(user).none()
    return (
        threads_of(user)
        .filter(
            kind=GUARDIAN_HANDOVER.kind,
            direction=Direction.INCOMING,
            status=GUARDIAN_HANDOVER.opened,
            **{f"facts__{named.fact}": user.pk},
        )
        .order_by("due_at", "id")
    )


def wards_panel(user: User, now: dt.datetime) -> dict[str, Any] | None:
    rows = list(handovers_to_acknowledge(user))
    return {"rows": rows, "now": now} if rows else None


def register() -> None:
    hooks.WARDS_PANELS.append(hooks.WardsPanel("exchange/guardian_handover/_wards_panel.html", wards_panel))
