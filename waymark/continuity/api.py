"""API operations of the continuity app: a case's take-charge requests with their deadlines and
flags as at the response. Through the case's own authorisation (``access_case``, audited) and
only where the caller may see the case's legal status."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from waymark.cases import access
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.redaction import Withheld
from waymark.core.deadlines import LOUD, Notice, Step
from waymark.policy.purpose import api_caller
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import DataCategory

from .models import TakeChargeRequest

router = Router(tags=["continuity"])


class DeadlineOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    step: Step
    article: str = Field(description="the article the period comes from, e.g. Art. 22(1)")
    period: str = Field(description="e.g. 2 months")
    verified: bool = Field(description="false: the figure was not verified against the Regulation's text")
    last_day: dt.date
    clock: ClockOut
    notice: Notice
    loud: bool = Field(description="a tacit acceptance, a missed deadline or a late step")


class TakeChargeOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    requested_country: str
    basis: str
    regime: str = Field(description="dublin_iii or ammr, from the application's registration date")
    deadlines: list[DeadlineOut]


@router.get(
    "/{public_id}/take-charge-requests",
    response={200: list[TakeChargeOut], **_READ},
    summary="Dublin III / AMMR take-charge requests and their deadlines",
    operation_id="listTakeChargeRequests",
)
def list_take_charge_requests(request: HttpRequest, public_id: str) -> list[TakeChargeOut]:
    caller = api_caller(request)
    seen = access.access_case(caller.user, public_id, caller.purpose)
    if not seen.can(DataCategory.LEGAL_STATUS):
        raise Withheld(seen.withheld_note(DataCategory.LEGAL_STATUS))
    now = timezone.now()
    out = []
    for tcr in TakeChargeRequest.objects.filter(case=seen.case):
        plan = tcr.schedule(now)
        out.append(
            TakeChargeOut(
                public_id=str(tcr.public_id),
                requested_country=tcr.requested_country,
                basis=tcr.basis,
                regime=plan.regime.id,
                deadlines=[
                    DeadlineOut(
                        step=d.rule.step,
                        article=d.rule.article,
                        period=str(d.period),
                        verified=d.verified,
                        last_day=d.last_day,
                        clock=clock_out(d.clock, now),
                        notice=notice,
                        loud=notice in LOUD,
                    )
                    for d in plan.deadlines
                    for notice in [d.notice(now)]
                ],
            )
        )
    return out
