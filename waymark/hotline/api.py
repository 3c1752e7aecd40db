"""The hotline intake API: look a child up for a call, record the call with one outcome each
(added to a case, passed to the holder of a possible match, passed as a sighting in an alert from
another country, a new case), read a call, hand its case to another country's hotline. Thin, like
the missing-child API: ``api_caller`` (token and purpose; every operation is for
locate_missing_child), fetch-and-authorise through the policy (audited; unknown and not yours are
the same 404), one action, the answer built from what the caller may read."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import BaseModel, ConfigDict

from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import ErrorOut
from waymark.cases.api_schemas import rules_422 as _rules
from waymark.errors import ActionError, NotFound
from waymark.exchange.access import access_thread
from waymark.policy.purpose import ApiCaller, api_caller
from waymark.vocab import CallerRelationship, CallOutcome, CaseStatus

from . import actions
from .access import access_call, check_operator, lookup
from .models import Call
from .schemas import AttachIn, CallSightingIn, HandOverIn, LookupIn, NewCaseIn, PassIn

router = Router(tags=["hotline"])


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CaseRefOut(_Out):
    public_id: uuid.UUID
    reference: str


class CallOut(_Out):
    call_id: uuid.UUID
    organisation: str
    received_at: dt.datetime
    relationship: CallerRelationship
    caller_name: str
    caller_phone: str
    child_name: str
    known: str
    seen_at: dt.datetime | None
    seen_place: str
    outcome: CallOutcome
    # Where it went: a case of the caller's organisation (null otherwise, or once passed), the
    # organisation it was passed to (its slug), the alert it answered.
    case: CaseRefOut | None
    passed_to: str
    alert_id: uuid.UUID | None


class LookupCaseOut(_Out):
    public_id: uuid.UUID
    reference: str
    organisation: str
    name: str
    status: CaseStatus
    missing: bool


class HolderOut(_Out):
    slug: str
    name: str


class AlertMatchOut(_Out):
    alert_id: uuid.UUID
    from_organisation: str
    from_organisation_name: str
    child_name: str
    last_seen: str


class LookupOut(_Out):
    """Cases the caller may see; organisations holding a possible match (never the child); open
    alerts from other countries whose child's name agrees."""

    cases: list[LookupCaseOut]
    held_by: list[HolderOut]
    alerts: list[AlertMatchOut]


class HandOverOut(_Out):
    referral_id: uuid.UUID
    to_org: str
    status: str


def _operator(request: HttpRequest) -> ApiCaller:
    caller = api_caller(request)
    check_operator(caller.user, caller.purpose)
    return caller


def call_out(call: Call, org_id: int | None) -> CallOut:
    case = call.case
    return CallOut(
        call_id=call.public_id,
        organisation=call.organisation.slug,
        received_at=call.received_at,
        relationship=CallerRelationship(call.relationship),
        caller_name=call.caller_name,
        caller_phone=call.caller_phone,
        child_name=call.child_name,
        known=call.known,
        seen_at=call.seen_at,
        seen_place=call.seen_place,
        outcome=CallOutcome(call.outcome),
        case=CaseRefOut(public_id=case.public_id, reference=case.reference)
        if case is not None and case.organisation_id == org_id
        else None,
        passed_to=call.passed_to.slug if call.passed_to else "",
        alert_id=call.alert.public_id if call.alert else None,
    )


def _answer(call: Call, caller: ApiCaller) -> Status[CallOut]:
    return Status(201, call_out(call, caller.user.organisation_id))


@router.post(
    "/lookup",
    response={200: LookupOut, **_WRITE},
    summary="Look a child up for a call",
    operation_id="lookupForCall",
    openapi_extra=_rules(
        "none beyond the schema: a name that agrees with no child is an empty answer (200), not an error"
    ),
)
def lookup_for_call(request: HttpRequest, payload: LookupIn) -> LookupOut:
    """What you may do with a call about this name: the cases you may see (decided and audited per
    row), the organisations on this node holding a possible match you may not see ("held by",
    the discovery rule; audited), the open alerts from other countries naming the child."""
    caller = _operator(request)
    found = lookup(caller.user, caller.purpose, payload.child_name)
    return LookupOut(
        cases=[
            LookupCaseOut(
                public_id=c.public_id,
                reference=c.reference,
                organisation=c.organisation.slug,
                name=c.child.full_name or c.child.name_latin,
                status=CaseStatus(c.status),
                missing=c.status == CaseStatus.MISSING,
            )
            for c in found.cases
        ],
        held_by=[HolderOut(slug=o.slug, name=o.name) for o in found.holders],
        alerts=[
            AlertMatchOut(
                alert_id=a.alert.public_id,
                from_organisation=a.alert.peer_org,
                from_organisation_name=a.alert.peer_org_name,
                child_name=a.child_name,
                last_seen=a.last_seen,
            )
            for a in found.alerts
        ],
    )


@router.post(
    "/calls/attach",
    response={201: CallOut, **_WRITE},
    summary="Record a call on a case",
    operation_id="recordCallOnCase",
    openapi_extra=_rules(
        "`case`: a case you may add a timeline entry to (contact and location) for your purpose",
        "`call.received_at`, `call.seen_at`: not in the future",
    ),
)
def record_call_on_case(request: HttpRequest, payload: AttachIn) -> Status[CallOut]:
    """Record the call and add it to a case you may see (its timeline gets the call: a sighting
    when the caller saw the child, else a note)."""
    caller = _operator(request)
    seen = actions.check_attach(caller.user, payload.case, caller.purpose)
    return _answer(actions.do_attach_call(caller.user, seen, payload.call), caller)


@router.post(
    "/calls/pass",
    response={201: CallOut, **_WRITE},
    summary="Pass a call to the organisation holding a possible match",
    operation_id="passCall",
    openapi_extra=_rules(
        "`call.child_name`: required",
        "`to_org`: an organisation on this node that holds a possible match for the name (`lookupForCall`)",
    ),
)
def pass_call(request: HttpRequest, payload: PassIn) -> Status[CallOut]:
    """Record the call and pass it to that organisation: its people are notified and may read the
    call; you learn nothing of its child."""
    caller = _operator(request)
    return _answer(actions.do_pass_call(caller.user, payload.call, payload.to_org), caller)


@router.post(
    "/calls/sighting",
    response={201: CallOut, **_WRITE},
    summary="Pass a call as a sighting in an alert from another country",
    operation_id="passCallAsSighting",
    openapi_extra=_rules(
        "`alert`: an open missing-child alert your organisation received and you may read",
        "`call.seen_place`: required (a sighting needs a place)",
    ),
)
def pass_call_as_sighting(request: HttpRequest, payload: CallSightingIn) -> Status[CallOut]:
    caller = _operator(request)
    try:
        found = access_thread(caller.user, "alert", payload.alert)
    except Exception as exc:  # Http404: unknown and not yours look the same
        raise ActionError("no open alert you may answer", field="alert") from exc
    return _answer(actions.do_pass_as_sighting(caller.user, found, payload.call), caller)


@router.post(
    "/calls/new-case",
    response={201: CallOut, **_WRITE, 409: ErrorOut},
    summary="Record a call and open a new case",
    operation_id="recordCallNewCase",
    openapi_extra=_rules(
        "`call.child_name`: required",
        "`confirm_not_duplicate`: a child who may be the same is held here (409 until confirmed)",
    ),
)
def record_call_new_case(request: HttpRequest, payload: NewCaseIn) -> Status[CallOut]:
    """Register the child in your hotline's organisation, record the disappearance (the protocol's
    clocks start) and the call on the new case."""
    caller = _operator(request)
    return _answer(actions.do_open_case(caller.user, payload), caller)


@router.get(
    "/calls/{call_id}",
    response={200: CallOut, **_READ},
    summary="A recorded call",
    operation_id="getCall",
)
def get_call(request: HttpRequest, call_id: str) -> CallOut:
    """A call your hotline took, or one passed to your organisation (decided and audited)."""
    caller = api_caller(request)
    seen = access_call(caller.user, call_id, caller.purpose)
    return call_out(seen.call, caller.user.organisation_id)


@router.post(
    "/calls/{call_id}/hand-over",
    response={201: HandOverOut, **_WRITE},
    summary="Hand a call's case to another country's hotline",
    operation_id="handCallToHotline",
    openapi_extra=_rules(
        "`to_org`: a 116 000 hotline of another country, under an agreement for locate_missing_child",
        '`""`: the call is on a missing child\'s case of your hotline; the exchange is available',
    ),
)
def hand_call_to_hotline(request: HttpRequest, call_id: str, payload: HandOverIn) -> Status[HandOverOut]:
    """A referral between hotlines, for locate_missing_child: the child's identity, whether they
    travel alone, and the reason (your note, else what the caller knew)."""
    caller = _operator(request)
    seen = access_call(caller.user, call_id, caller.purpose)
    if seen.call.case is None:
        raise NotFound
    thread = actions.do_hand_over(caller.user, seen.call, payload)
    return Status(
        201, HandOverOut(referral_id=thread.public_id, to_org=thread.peer_org, status=thread.status)
    )
