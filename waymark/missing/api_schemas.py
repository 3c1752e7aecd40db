"""What the missing-child API answers: built explicitly by the ``*_out`` functions below and
redacted field by field like the case API (a withheld field is null and named in ``withheld``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from waymark.cases.access import withheld_note
from waymark.cases.api_schemas import UserRef, _Out, _Redactable, user_ref
from waymark.policy.service import Decision
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import DataCategory as C
from waymark.vocab import DisappearanceOutcome, MissingCategory, MissingTrigger, RiskLevel, Role

from .acknowledgements import Acknowledgement
from .models import Disappearance, StepStatus
from .schemas import DisappearanceIn

M = TypeVar("M", bound=BaseModel)


class ReportDisappearanceIn(DisappearanceIn):
    case: uuid.UUID = Field(description="the public id of the case whose child is missing")


class ContactOut(_Out):
    name: str
    phone: str
    relationship: str


class ReasonOut(_Out):
    code: str = Field(description="stable code of the rule (waymark/core/risk.py)")
    level: str
    text: str


class RiskOut(_Out):
    level: RiskLevel | None = Field(description="the level in force: the override, else the checklist's")
    computed: RiskLevel | None = Field(description="what the checklist gives")
    reasons: list[ReasonOut]
    override: RiskLevel | None
    override_reason: str | None
    checklist: dict[str, Any]
    assessed_at: dt.datetime | None


class StepOut(_Out):
    key: str
    label: str
    role: Role
    clock: ClockOut
    done_at: dt.datetime | None
    done_by: UserRef | None


class DisappearanceOut(_Redactable):
    public_id: uuid.UUID
    case: uuid.UUID
    case_reference: str
    open: bool
    reported_at: dt.datetime
    reported_by: UserRef | None
    protocol: str = Field(description="the protocol its steps follow, name@version")
    last_seen_at: dt.datetime | None
    last_seen_place: str | None
    contacts: list[ContactOut]
    destination_country: str | None
    destination: str | None
    route_countries: list[str]
    belongings: str | None
    family_abroad: str | None
    missing_category: MissingCategory | None
    circumstances: str | None
    triggers: list[MissingTrigger]
    trigger_notes: str | None
    risk_level: RiskLevel | None
    risk: RiskOut | None
    steps: list[StepOut]
    closed_at: dt.datetime | None
    outcome: DisappearanceOutcome | None


class AcknowledgementOut(_Out):
    """One organisation alerted about the child: the machine's and the human acknowledgement."""

    organisation: str
    organisation_name: str
    status: str = Field(description="the alert's state: alerted, or found (reported found there)")
    sent_at: dt.datetime
    receipt: str = Field(
        description="its node's signed receipt: receipted, rejected, or empty (not back yet)"
    )
    received_at: dt.datetime | None
    seen_at: dt.datetime | None = Field(description="a person there marked it seen (null: not yet)")
    seen_clock: ClockOut = Field(description="the seen clock: running until seen, met then")


def acknowledgement_out(a: Acknowledgement, now: dt.datetime) -> AcknowledgementOut:
    return AcknowledgementOut(
        organisation=a.organisation,
        organisation_name=a.organisation_name,
        status=a.status,
        sent_at=a.sent_at,
        receipt=a.receipt,
        received_at=a.received_at,
        seen_at=a.seen_at,
        seen_clock=clock_out(a.seen_clock, now),
    )


class BoardRowOut(_Redactable):
    public_id: uuid.UUID
    case: uuid.UUID
    case_reference: str
    organisation: str
    child_name: str | None
    last_seen_at: dt.datetime | None
    last_seen_place: str | None
    risk_level: RiskLevel | None
    overdue_steps: int | None
    steps: list[StepOut]
    alerts: list[AcknowledgementOut] = Field(
        description="each organisation the open alert went to, and who acknowledged it (machine and person)"
    )


class BoardOut(_Out):
    count: int = Field(description="open disappearances you may see, over all pages")
    page: int
    page_size: int
    items: list[BoardRowOut]


class StepDoneIn(BaseModel):
    model_config = {"extra": "forbid"}
    note: str = Field(default="", max_length=2000, pattern=r"^[^\x00]*$")


_LOCATION = (
    "last_seen_at",
    "last_seen_place",
    "contacts",
    "destination_country",
    "destination",
    "route_countries",
)
_NOTES = ("missing_category", "circumstances", "triggers", "trigger_notes", "risk_level", "steps")
DISAPPEARANCE_FIELDS: dict[str, str] = {
    **dict.fromkeys(_LOCATION, C.CONTACT_LOCATION),
    **dict.fromkeys(_NOTES, C.CASE_NOTES),
    "belongings": C.PHYSICAL_DESCRIPTION,
    "family_abroad": C.FAMILY,
    "risk": C.TRAFFICKING_INDICATORS,
}
BOARD_FIELDS: dict[str, str] = {
    "child_name": C.IDENTITY,
    "last_seen_at": C.CONTACT_LOCATION,
    "last_seen_place": C.CONTACT_LOCATION,
    "risk_level": C.CASE_NOTES,
    "overdue_steps": C.CASE_NOTES,
    "steps": C.CASE_NOTES,
    "alerts": C.CASE_NOTES,
}


def redact(out: M, decisions: Mapping[str, Decision], fields: Mapping[str, str]) -> M:
    """``out`` with each field whose category ``decisions`` does not allow nulled (lists
    emptied) and named in ``withheld`` with the reason."""
    update: dict[str, object] = {}
    withheld: dict[str, str] = {}
    for name, category in fields.items():
        decision = decisions.get(category)
        if decision is not None and decision.allowed:
            continue
        update[name] = [] if isinstance(getattr(out, name), list) else None
        withheld[name] = withheld_note(decision, decisions.values())
    update["withheld"] = withheld
    return out.model_copy(update=update)


def step_out(step: StepStatus, now: dt.datetime) -> StepOut:
    return StepOut(
        key=step.key,
        label=step.label,
        role=Role(step.role),
        clock=clock_out(step.clock, now),
        done_at=step.done_at,
        done_by=user_ref(step.done_by),
    )


def disappearance_out(d: Disappearance, now: dt.datetime) -> DisappearanceOut:
    """Reads the sealed fields (the caller redacts what the user may not see)."""
    steps = list(d.steps.select_related("done_by__organisation"))
    return DisappearanceOut(
        public_id=d.public_id,
        case=d.case.public_id,
        case_reference=d.case.reference,
        open=d.closed_at is None,
        reported_at=d.reported_at,
        reported_by=user_ref(d.reported_by),
        protocol=d.protocol,
        last_seen_at=d.last_seen_at,
        last_seen_place=d.last_seen_place,
        contacts=[ContactOut(**c) for c in d.contacts],
        destination_country=d.destination_country,
        destination=d.destination,
        route_countries=list(d.route_countries),
        belongings=d.belongings,
        family_abroad=d.family_abroad,
        missing_category=MissingCategory(d.missing_category),
        circumstances=d.circumstances,
        triggers=[MissingTrigger(t) for t in d.triggers],
        trigger_notes=d.trigger_notes,
        risk_level=RiskLevel(d.risk_level) if d.risk_level else None,
        risk=RiskOut(
            level=RiskLevel(d.risk_level) if d.risk_level else None,
            computed=RiskLevel(d.risk_computed) if d.risk_computed else None,
            reasons=[ReasonOut(**r) for r in d.risk_reasons],
            override=RiskLevel(d.risk_override) if d.risk_override else None,
            override_reason=d.risk_override_reason if d.risk_override else None,
            checklist=d.risk_checklist,
            assessed_at=d.risk_assessed_at,
        ),
        steps=[step_out(s, now) for s in steps],
        closed_at=d.closed_at,
        outcome=DisappearanceOutcome(d.outcome) if d.outcome else None,
    )


def board_row_out(d: Disappearance, now: dt.datetime, acks: Sequence[Acknowledgement] = ()) -> BoardRowOut:
    case = d.case
    return BoardRowOut(
        public_id=d.public_id,
        case=case.public_id,
        case_reference=case.reference,
        organisation=case.organisation.slug,
        child_name=case.child.full_name or case.child.name_latin,
        last_seen_at=d.last_seen_at,
        last_seen_place=d.last_seen_place,
        risk_level=RiskLevel(case.risk_level) if case.risk_level else None,
        overdue_steps=getattr(d, "overdue", None),
        steps=[step_out(s, now) for s in d.steps.all()],
        alerts=[acknowledgement_out(a, now) for a in acks],
    )
