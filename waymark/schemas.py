"""Output schemas shared by every app's API: one JSON shape per cross-cutting thing (a clock).

Plain frozen pydantic, filled by the builder next to each schema, as in ``cases/api_schemas.py``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from waymark.core.clocks import Clock, ClockState


class ClockOut(BaseModel):
    """A deadline as at the response: when it started, is due and warns, and where it stands."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="which deadline this is, e.g. info_reply, care_plan_review")
    started_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime = Field(description="from then on the state is due_soon")
    state: ClockState
    remaining_seconds: int = Field(
        description="whole seconds until due_at (rounded down), negative when overdue; "
        "frozen at the moment a met or stopped clock closed"
    )


def clock_out(clock: Clock, now: dt.datetime) -> ClockOut:
    return ClockOut(**clock.as_dict(now))
