"""What the police API answers: a police alert (its lifecycle and clock) with the extract the
caller may read, and a SIRENE-style request with its reply clock. Built by the ``*_out``
functions; the extract holds only the minimal identifiers (``core.police.police_extract``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import Field

from waymark.cases.api_schemas import UserRef, _Out, user_ref
from waymark.core.police import Extract, next_states
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import DataCategory, PoliceAlertKind, PoliceAlertState, SireneDirection, SisCategory

from .models import PoliceAlert, SireneRequest


class ExtractOut(_Out):
    fields: dict[str, Any] = Field(
        description="the child as the police may see them: identity, physical description, photo "
        "(whether there is one), last seen — only the categories granted to the caller"
    )
    withheld: list[DataCategory] = Field(description="police categories not granted to the caller")


class PoliceAlertOut(_Out):
    public_id: uuid.UUID
    case: uuid.UUID
    kind: PoliceAlertKind
    sis_category: SisCategory | None
    police_org: str = Field(description="the police unit asked (federation identifier)")
    state: PoliceAlertState
    next_states: list[PoliceAlertState] = Field(description="where the lifecycle may go from here")
    police_reference: str = Field(description="the police's own reference of the issued alert")
    hit_place: str
    requested_at: dt.datetime
    requested_by: UserRef | None
    issued_at: dt.datetime | None
    hit_at: dt.datetime | None
    closed_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    issue_clock: ClockOut
    extract: ExtractOut


class QuestionOut(_Out):
    id: str
    category: DataCategory
    text: str


class AnswerOut(_Out):
    question_id: str
    category: DataCategory
    text: str
    declined: str


class SireneOut(_Out):
    public_id: uuid.UUID
    case: uuid.UUID
    alert: uuid.UUID | None
    direction: SireneDirection
    police_org: str
    asked_at: dt.datetime
    asked_by: UserRef | None
    clock: ClockOut
    questions: list[QuestionOut]
    answers: list[AnswerOut]
    answered_at: dt.datetime | None


def extract_out(extract: Extract) -> ExtractOut:
    return ExtractOut(fields=dict(extract.fields), withheld=sorted(DataCategory(c) for c in extract.withheld))


def alert_out(alert: PoliceAlert, extract: Extract, now: dt.datetime) -> PoliceAlertOut:
    return PoliceAlertOut(
        public_id=alert.public_id,
        case=alert.case.public_id,
        kind=PoliceAlertKind(alert.kind),
        sis_category=SisCategory(alert.sis_category) if alert.sis_category else None,
        police_org=alert.police_org.slug,
        state=PoliceAlertState(alert.state),
        next_states=[PoliceAlertState(s) for s in next_states(alert.state)],
        police_reference=alert.reference,
        hit_place=alert.hit_place,
        requested_at=alert.requested_at,
        requested_by=user_ref(alert.requested_by),
        issued_at=alert.issued_at,
        hit_at=alert.hit_at,
        closed_at=alert.closed_at,
        withdrawn_at=alert.withdrawn_at,
        issue_clock=clock_out(alert.issue_clock, now),
        extract=extract_out(extract),
    )


def sirene_out(request: SireneRequest, now: dt.datetime) -> SireneOut:
    return SireneOut(
        public_id=request.public_id,
        case=request.case.public_id,
        alert=request.alert.public_id if request.alert is not None else None,
        direction=SireneDirection(request.direction),
        police_org=request.police_org.slug,
        asked_at=request.asked_at,
        asked_by=user_ref(request.asked_by),
        clock=clock_out(request.clock, now),
        questions=[QuestionOut(**q) for q in request.questions],
        answers=[AnswerOut(**a) for a in request.answers],
        answered_at=request.answered_at,
    )
