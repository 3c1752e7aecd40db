"""API operations of a guardian's work: log a contact with a ward, list a ward's contacts, and the
guardian's caseload (their wards, each one's next deadline and last contact). Through the case's
own authorisation (``access_case`` / ``cases_visible_to`` + ``decide_page``, audited)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import BaseModel, ConfigDict, Field

from waymark.cases import access
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import rules_422
from waymark.cases.redaction import Withheld
from waymark.policy.purpose import api_caller
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import DataCategory, PolicyAction

from .guardians import (
    ContactKind,
    GuardianContact,
    GuardianContactIn,
    contact_row,
    do_log_guardian_contact,
    last_contacts,
    next_due,
    wards_of,
    writes,
)

router = Router(tags=["continuity"])
wards_router = Router(tags=["continuity"])


class GuardianContactOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    kind: ContactKind
    contacted_at: dt.datetime
    place: str
    views: str | None = Field(description="the child's views in their own words; null when withheld")
    guardian: str


class NextDeadlineOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    clock: ClockOut


class WardOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    public_id: str
    reference: str
    name: str | None = Field(description="null when the child's identity is withheld")
    next_deadline: NextDeadlineOut | None
    last_contact: dt.datetime | None


def _out(contact: GuardianContact, views_shown: bool) -> GuardianContactOut:
    return GuardianContactOut(**contact_row(contact, views_shown=views_shown))


@router.post(
    "/{public_id}/guardian-contacts",
    response={201: GuardianContactOut, **_WRITE},
    summary="Log the guardian's contact with their ward",
    operation_id="logGuardianContact",
    openapi_extra=rules_422(
        "only the child's appointed guardian (403 otherwise)",
        "`contacted_at`: not in the future, not before the appointment",
    ),
)
def log_guardian_contact(
    request: HttpRequest, public_id: str, payload: GuardianContactIn
) -> Status[GuardianContactOut]:
    caller = api_caller(request)
    seen = access.access_case(
        caller.user, public_id, caller.purpose, action=PolicyAction.UPDATE, categories=writes(payload)
    )
    contact = do_log_guardian_contact(caller.user, seen.case, payload)
    return Status(201, _out(contact, seen.can(DataCategory.DISCLOSURE)))


@router.get(
    "/{public_id}/guardian-contacts",
    response={200: list[GuardianContactOut], **_READ},
    summary="The guardian's contacts with the child",
    operation_id="listGuardianContacts",
)
def list_guardian_contacts(request: HttpRequest, public_id: str) -> list[GuardianContactOut]:
    caller = api_caller(request)
    seen = access.access_case(caller.user, public_id, caller.purpose)
    if not seen.can(DataCategory.GUARDIAN):
        raise Withheld(seen.withheld_note(DataCategory.GUARDIAN))
    views = seen.can(DataCategory.DISCLOSURE)
    found = GuardianContact.objects.filter(case=seen.case).select_related("guardian", "case__child")
    return [_out(c, views) for c in found]


@wards_router.get(
    "/wards",
    response={200: list[WardOut], **_READ},
    summary="My wards: each one's next deadline and last contact",
    operation_id="listMyWards",
)
def list_my_wards(request: HttpRequest) -> list[WardOut]:
    caller = api_caller(request)
    now = timezone.now()
    wards, page = wards_of(caller.user, caller.purpose)
    latest = last_contacts(wards)
    out = []
    for case in wards:
        shown = page.allowed(case)
        due = next_due(case, now, shown=shown)
        contact = latest.get(case.pk) if DataCategory.GUARDIAN in shown else None
        out.append(
            WardOut(
                public_id=str(case.public_id),
                reference=case.reference,
                name=case.child.full_name if DataCategory.IDENTITY in shown else None,
                next_deadline=NextDeadlineOut(label=due.label, clock=clock_out(due.clock, now))
                if due
                else None,
                last_contact=contact.contacted_at if contact else None,
            )
        )
    return out
