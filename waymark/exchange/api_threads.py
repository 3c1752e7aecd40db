"""The exchange threads API: referrals, case transfers, information requests, guardian
hand-overs and family-tracing requests — send one about a case, list a case's threads (or the
organisation's), read one, and send each answer its kind's state machine allows. A guardian
hand-over is sent by the ward's appointed guardian (beyond the exchange's roles, as on the page)
and acknowledged by a person of the receiving organisation — its exchange roles, or the incoming
guardian they named on it (``assign``, a local action), who finds, reads and acknowledges that
hand-over and no other thread. Thin handlers over the same actions as the pages
(``threads/<kind>.py``).

Every operation reads ``Waymark-Purpose``: a thread is opened for the purpose declared, and read
or answered only under the purpose it travelled for (else 403 naming the header). A case goes
through ``access_case`` and a thread through ``access_thread`` (decided and audited; an unknown
one and one not yours are the same 404); a thread whose child data the policy withholds shows who,
when and in what state, with the reason, and cannot be answered (answering means reading: 403).
The answers offered are generated from each kind's ``actions`` (one operation per action), and
each action asks the kind's table (``core.protocol.threads``) whether it may be sent now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import BaseModel, Field

from waymark.accounts.models import User
from waymark.cases.access import access_case
from waymark.cases.api_schemas import READ_ANSWERS as _READ
from waymark.cases.api_schemas import WRITE_ANSWERS as _WRITE
from waymark.cases.api_schemas import UserRef, _Out, rules_422, user_ref
from waymark.continuity.models import TakeChargeRequest
from waymark.errors import ActionError, NotFound, Refused
from waymark.policy.purpose import ApiCaller, api_caller
from waymark.schemas import ClockOut, clock_out
from waymark.vocab import Purpose

from . import threads
from .access import ThreadAccess, access_thread, decide_threads, may_find_named, threads_of
from .models import Direction, OutboxMessage, Thread
from .plumbing import may_exchange
from .schemas import ToPeer
from .threads import take_charge
from .threads.base import Action, ThreadKind

router = Router(tags=["exchange threads"])

MAX_PAGE = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class ApiKind:
    """How a kind of thread appears in the API: its path, and an operation id per operation."""

    slug: str  # the kind's slug (``threads.by_slug``)
    path: str  # the path segment of its threads (``/api/<path>/{thread_id}``)
    send: str
    get: str
    replies: Mapping[str, str]  # action name (``ThreadKind.actions``) -> operation id
    send_summary: str
    send_rules: tuple[str, ...] = ()
    content: Callable[[Thread], dict[str, Any]] = lambda _t: {}

    @property
    def kind(self) -> ThreadKind:
        found = threads.by_slug(self.slug)
        assert found is not None, self.slug
        return found


def _referral(t: Thread) -> dict[str, Any]:
    return {
        "offer": t.data.doc("offer"),
        "reason": t.data.text("reason"),
        "response_reason": t.data.text("response_reason"),
    }


def _transfer(t: Thread) -> dict[str, Any]:
    return {
        "offer": t.data.doc("offer"),
        "reason": t.data.text("reason"),
        "response_reason": t.data.text("response_reason"),
        "history_count": t.facts.get("history_count", 0),
        "responsible_from": t.facts.get("responsible_from"),
    }


def _tracing(t: Thread) -> dict[str, Any]:
    return {
        "child": t.data.doc("child"),
        "relative": t.data.doc("relative"),
        "note": t.data.text("note"),
        "notes": t.data.doc("notes", list),
        "result": t.data.doc("result"),
    }


def _request(t: Thread) -> dict[str, Any]:
    return {
        "questions": t.data.doc("questions", list),
        "answers": t.data.doc("answers", list),
        "legal_basis": t.facts.get("legal_basis", ""),
        "urgent": bool(t.facts.get("urgent", False)),
    }


def _handover(t: Thread) -> dict[str, Any]:
    return {
        "guardian": t.data.doc("guardian"),
        "summary": t.data.text("summary"),
        "views_and_wishes": t.data.text("views_and_wishes"),
        "open_issues": t.data.text("open_issues"),
    }


def _take_charge(t: Thread) -> dict[str, Any]:
    return {
        "take_charge_request": t.facts.get("take_charge", ""),
        "basis": t.data.text("basis"),
        "child": t.data.doc("child"),
        "relative": t.data.doc("relative"),
        "best_interests": t.data.doc("best_interests"),
        "note": t.data.text("note"),
        "reply": t.data.doc("reply"),
    }


_PEER = (
    "`to_org`: an organisation of the federation registry",
    "`agreement_id`: an agreement in force between you that allows this message (empty: the first that does)",
    "`purpose`: if given, the one declared in `Waymark-Purpose`; you may read every category the "
    "message carries for it, and an agreement allows them (and the child's consent where it rests on it)",
)
# The kinds people exchange about a case (missing-child alerts have their own operations).
API_KINDS: tuple[ApiKind, ...] = (
    ApiKind(
        "referral",
        "referrals",
        send="sendReferral",
        get="getReferral",
        replies={
            "accept": "acceptReferral",
            "reject": "rejectReferral",
            "done": "completeReferral",
            "revoke": "revokeReferral",
        },
        send_summary="Refer the case's child to an organisation on another node",
        send_rules=(
            *_PEER,
            "`include`: identity plus legal status, family, case notes (the reason is case notes)",
        ),
        content=_referral,
    ),
    ApiKind(
        "transfer",
        "transfers",
        send="offerTransfer",
        get="getTransfer",
        replies={"accept": "acceptTransfer", "reject": "rejectTransfer"},
        send_summary="Offer to hand the case over to an organisation on another node",
        send_rules=(
            *_PEER,
            "`confirmed`: must be `true` — the case leaves your organisation once the transfer is "
            "accepted, and a transfer cannot be taken back",
            "`include`: legal status, guardian",
            '`""`: only the organisation holding the case transfers it, once at a time, and not a '
            "closed or transferred case",
        ),
        content=_transfer,
    ),
    ApiKind(
        "request",
        "information-requests",
        send="requestInformation",
        get="getInformationRequest",
        replies={"answer": "answerInformationRequest"},
        send_summary="Ask another organisation questions about the case's child, against the reply clock",
        send_rules=_PEER,
        content=_request,
    ),
    ApiKind(
        "handover",
        "guardian-handovers",
        send="sendGuardianHandover",
        get="getGuardianHandover",
        replies={"acknowledge": "acknowledgeGuardianHandover", "assign": "assignIncomingGuardian"},
        send_summary="Hand the ward over to the organisation that appoints their next guardian "
        "(the ward's appointed guardian only), against the acknowledgement clock",
        send_rules=(
            *_PEER,
            "`purpose`: child_protection or best_interests_assessment",
            "`summary`, `views_and_wishes` or `open_issues`: at least one (the views are a disclosure, "
            "the open issues case notes: the agreement must grant them to `to_org`)",
            '`""`: only the case\'s appointed guardian hands the ward over',
        ),
        content=_handover,
    ),
    ApiKind(
        "tracing",
        "tracing-requests",
        send="requestTracing",
        get="getTracingRequest",
        replies={
            "progress": "sendTracingProgress",
            "result": "sendTracingResult",
            "withdraw": "withdrawTracingRequest",
        },
        send_summary="Ask an organisation in a relative's country to trace one of the case's relatives",
        send_rules=(
            *_PEER,
            "declared purpose `family_tracing` only",
            "`relative`: a relative of this case (listRelatives), not recorded as deceased",
            "`share_contact`: only when contact details and the relative's own consent (contact_consent) are "
            "recorded; they travel only if the agreement grants contact_location",
        ),
        content=_tracing,
    ),
    ApiKind(
        "take-charge",
        "take-charge-threads",
        send="",  # sent from its record: ``send_take_charge`` below
        get="getTakeChargeThread",
        replies={"reply": "replyTakeChargeRequest"},
        send_summary="",
        content=_take_charge,
    ),
)
_BY_NAME = {k.slug: k for k in API_KINDS}
KindName = Literal[
    "referral", "transfer", "info_request", "guardian_handover", "family_tracing", "take_charge"
]


# --- answers ----------------------------------------------------------------------------------


class ThreadMessageOut(_Out):
    type: str
    direction: Direction = Field(description="out: sent from here; in: received")
    at: dt.datetime
    by: UserRef | None = Field(description="who sent it from here (null for a received message)")
    delivery: str | None = Field(
        description="a message sent: its delivery (pending, receipted — the peer's signed receipt — "
        "rejected, cancelled...); null for one received"
    )
    note: str | None = Field(description="what it said in words (a reason, a note); null if withheld")


class ThreadSummaryOut(_Out):
    """A thread without its child data: who, what, in which state, by when."""

    thread_id: uuid.UUID
    kind: KindName
    direction: Direction
    status: str
    purpose: Purpose
    agreement_id: str
    peer_organisation: str
    peer_organisation_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    clock: ClockOut | None = Field(
        description="the reply clock, if the kind has one (an information request; a guardian "
        "hand-over's acknowledgement)"
    )


class ThreadOut(ThreadSummaryOut):
    peer_case_reference: str
    case: uuid.UUID | None = Field(description="the case here this thread is about (null: none yet)")
    answered_at: dt.datetime | None
    may_send: list[str] = Field(
        description="the answers you may send now (each is an operation: …/{thread_id}/<answer>), "
        "and the local actions you may take (a received hand-over's `assign`: nothing is sent)"
    )
    content: dict[str, Any] | None = Field(
        description="what the thread carries (a referral's or a transfer's offer, a request's "
        "questions and answers, a hand-over's summary, views and open issues...), as the policy "
        "shows it; null if withheld (a field the reader may not read is null: a hand-over's views "
        "without disclosure)"
    )
    withheld: str = Field(description="why the content is withheld (empty when it is shown)")
    messages: list[ThreadMessageOut]


class ThreadList(_Out):
    count: int
    items: list[ThreadSummaryOut]


def _summary_fields(t: Thread, now: dt.datetime) -> dict[str, Any]:
    kind = threads.kind(t.kind)
    clock = kind.clock_of(t)
    return {
        "thread_id": t.public_id,
        "kind": t.kind,
        "direction": t.direction,
        "status": t.status,
        "purpose": t.purpose,
        "agreement_id": t.agreement_id,
        "peer_organisation": t.peer_org,
        "peer_organisation_name": t.peer_org_name,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "clock": clock_out(clock, now) if clock is not None else None,
    }


def _thread_out(api_kind: ApiKind, found: ThreadAccess, user: User) -> ThreadOut:
    t, now = found.thread, timezone.now()
    ledger = threads.ledger(t, t.messages.select_related("by__organisation"))
    delivery = dict(
        OutboxMessage.objects.filter(
            message_id__in=[m.message_id for m in ledger if m.direction == Direction.OUTGOING]
        ).values_list("message_id", "status")
    )
    return ThreadOut(
        **_summary_fields(t, now),
        peer_case_reference=t.peer_case_reference,
        case=t.case.public_id if t.case is not None else None,
        answered_at=t.answered_at,
        may_send=sorted(found.kind.sendable(t, user)) if found.shown else [],
        content=found.kind.redact(api_kind.content(t), found.refused) if found.shown else None,
        withheld=found.withheld,
        messages=[
            ThreadMessageOut(
                type=m.type,
                direction=Direction(m.direction),
                at=m.at,
                by=user_ref(m.by),
                delivery=delivery.get(m.message_id) if m.direction == Direction.OUTGOING else None,
                note=m.note if found.shown else None,
            )
            for m in ledger
        ],
    )


# --- fetch and authorise ----------------------------------------------------------------------


def _exchanging(request: HttpRequest) -> ApiCaller:
    caller = api_caller(request)
    if not may_exchange(caller.user):
        raise Refused("your account may not exchange data with other organisations")
    return caller


def _finding(request: HttpRequest, kinds: list[ThreadKind]) -> ApiCaller:
    """``_exchanging``, or someone these kinds let their organisation name on a thread (a
    hand-over's incoming guardian): they find the threads naming them only (``threads_of``; any
    other is the same 404 as one that does not exist); or someone in a role these kinds name (a
    Dublin officer in take-charge requests: ``ThreadKind.roles``)."""
    caller = api_caller(request)
    if (
        not may_exchange(caller.user)
        and not may_find_named(caller.user, kinds)
        and not any(k.roles and may_exchange(caller.user, k.roles) for k in kinds)
    ):
        raise Refused("your account may not exchange data with other organisations")
    return caller


def _thread(caller: ApiCaller, api_kind: ApiKind, thread_id: uuid.UUID) -> ThreadAccess:
    """The thread, decided and audited for the purpose it travelled for, which the caller must
    have declared."""
    found = access_thread(caller.user, api_kind.slug, thread_id)
    if found.thread.purpose != caller.purpose:
        raise Refused(
            f"this {str(api_kind.kind.label).lower()} travelled for {found.thread.purpose}: declare that purpose",
            field="Waymark-Purpose",
        )
    return found


# --- operations -------------------------------------------------------------------------------


@router.get(
    "/threads",
    response={200: ThreadList, **_READ},
    summary="Your organisation's referrals, transfers, information requests, guardian hand-overs and tracing requests (no child data)",
    operation_id="listThreads",
)
def list_threads(
    request: HttpRequest,
    kind: KindName | None = None,
    direction: Direction | None = None,
    status: str | None = Query(None, max_length=16, pattern=r"^[a-z_]+$"),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ThreadList:
    """Newest activity first, for the purpose declared: what waits for an answer here
    (``direction=in&status=offered``), what you wait for. Read one to see what it carries. An
    incoming guardian finds the hand-overs they were named on (``kind=guardian_handover&direction=in&status=sent``:
    those awaiting their acknowledgement)."""
    caller = _finding(request, [k.kind for k in API_KINDS])
    found = threads_of(caller.user).filter(kind__in=[k.kind.name for k in API_KINDS], purpose=caller.purpose)
    if kind:
        found = found.filter(kind=kind)
    if direction:
        found = found.filter(direction=direction)
    if status:
        found = found.filter(status=status)
    now = timezone.now()
    rows = found.order_by("-updated_at", "-id")[offset : offset + limit]
    return ThreadList(count=found.count(), items=[ThreadSummaryOut(**_summary_fields(t, now)) for t in rows])


@router.get(
    "/cases/{public_id}/threads",
    response={200: ThreadList, **_READ},
    summary="The referrals, transfers, information requests, guardian hand-overs and tracing requests about a case",
    operation_id="listCaseThreads",
)
def list_case_threads(request: HttpRequest, public_id: str) -> ThreadList:
    """Every such thread of your organisation about the case, whatever it travelled for, without
    its child data; read one (under its purpose) to see what it carries."""
    caller = _exchanging(request)
    case = access_case(caller.user, public_id, caller.purpose).case
    now = timezone.now()
    rows = list(
        threads_of(caller.user)
        .filter(case=case, kind__in=[k.kind.name for k in API_KINDS])
        .order_by("-created_at", "-id")
    )
    return ThreadList(count=len(rows), items=[ThreadSummaryOut(**_summary_fields(t, now)) for t in rows])


def _send_operation(api_kind: ApiKind) -> None:
    opening = api_kind.kind.opening
    assert opening is not None

    def send(request: HttpRequest, public_id: str, payload: ToPeer) -> Status[ThreadOut]:
        # Beyond the exchange's roles (a guardian hand-over), the kind's own action is the whole
        # check (the ward's guardian), and ``prepare`` checks the policy and the agreement.
        caller = api_caller(request) if opening.beyond_exchange_roles else _exchanging(request)
        case = access_case(caller.user, public_id, caller.purpose).case
        if "purpose" in payload.model_fields_set and payload.purpose != caller.purpose:
            raise ActionError(
                f"this is the purpose declared in Waymark-Purpose ({caller.purpose}), or nothing",
                field="purpose",
            )
        thread = opening.do(caller.user, case, payload.model_copy(update={"purpose": caller.purpose}))
        if not may_exchange(caller.user):
            # The sender does not find threads (``threads_of``): what they sent, decided and
            # audited for them like any thread.
            sent = Thread.objects.select_related("case__organisation", "case__child", "local_org").get(
                pk=thread.pk
            )
            return Status(
                201,
                _thread_out(
                    api_kind,
                    ThreadAccess(api_kind.kind, sent, decide_threads(caller.user, [sent])[sent.pk]),
                    caller.user,
                ),
            )
        return Status(201, _thread_out(api_kind, _thread(caller, api_kind, thread.public_id), caller.user))

    send.__annotations__ = {**send.__annotations__, "payload": opening.schema}
    send.__name__ = send.__qualname__ = f"send_{api_kind.kind.name}"
    send.__doc__ = (opening.schema.__doc__ or "").strip()
    router.post(
        f"/cases/{{public_id}}/{api_kind.path}",
        response={201: ThreadOut, **_WRITE},
        summary=api_kind.send_summary,
        operation_id=api_kind.send,
        openapi_extra=rules_422(*api_kind.send_rules),
    )(send)


def _get_operation(api_kind: ApiKind) -> None:
    def get(request: HttpRequest, thread_id: uuid.UUID) -> ThreadOut:
        caller = _finding(request, [api_kind.kind])
        return _thread_out(api_kind, _thread(caller, api_kind, thread_id), caller.user)

    get.__name__ = get.__qualname__ = f"get_{api_kind.kind.name}"
    router.get(
        f"/{api_kind.path}/{{thread_id}}",
        response={200: ThreadOut, **_READ},
        summary=f"A {str(api_kind.kind.label).lower()}: its state, reply clock, messages and content",
        operation_id=api_kind.get,
    )(get)


def _reply_operation(api_kind: ApiKind, name: str, action: Action, operation_id: str) -> None:
    kind = api_kind.kind
    if action.type is None:  # a local action: nothing is sent
        summary = f"{action.label or name}: {str(kind.label).lower()} (here only: nothing is sent)"
        rules = (
            '`""`: the thread is yours and you may take this action on it now (`may_send` says so)',
            *action.rules,
        )
    else:
        verb = str(kind.messages.get(action.type, name))
        summary = f"{verb}: {str(kind.label).lower()} ({action.type})"
        rules = (
            f'`""`: the thread is yours and its state allows `{action.type}` from your side now '
            "(`may_send` says so); nobody answered it meanwhile",
            "the fields of the body as its schema says; an accepted offer's `existing_case` a case "
            "your organisation holds; an answer's `question_id` a question of the request",
            *action.rules,
        )

    def reply(request: HttpRequest, thread_id: uuid.UUID, payload: BaseModel) -> ThreadOut:
        caller = _finding(request, [kind])
        found = _thread(caller, api_kind, thread_id)
        if not found.shown:
            raise Refused(f"you may not read this thread, so you may not answer it ({found.withheld})")
        action.do(caller.user, found.thread, payload)
        return _thread_out(api_kind, _thread(caller, api_kind, thread_id), caller.user)

    reply.__annotations__ = {**reply.__annotations__, "payload": action.schema}
    reply.__name__ = reply.__qualname__ = f"{name}_{kind.name}"
    if action.type is None:
        reply.__doc__ = (action.schema.__doc__ or "").strip()
    router.post(
        f"/{api_kind.path}/{{thread_id}}/{name}",
        response={200: ThreadOut, **_WRITE},
        summary=summary,
        operation_id=operation_id,
        openapi_extra=rules_422(*rules),
    )(reply)


def register_operations() -> None:
    """One operation per kind's send, read and answer (called once the kinds are registered)."""
    for api_kind in API_KINDS:
        kind = api_kind.kind
        if set(api_kind.replies) != set(kind.actions):
            raise ValueError(f"{kind.name}: an API operation per action, no more: {sorted(kind.actions)}")
        if api_kind.send:
            _send_operation(api_kind)
        _get_operation(api_kind)
        for name, action in kind.actions.items():
            _reply_operation(api_kind, name, action, api_kind.replies[name])


@router.post(
    "/cases/{public_id}/take-charge-requests/{request_id}/send",
    response={201: ThreadOut, **_WRITE},
    summary="Send the case's recorded take-charge request to the requested State's Dublin unit "
    "(a Dublin officer of the case's organisation), against the reply clock",
    operation_id="sendTakeChargeRequest",
    openapi_extra=rules_422(
        *_PEER,
        "declared purpose `family_tracing` only",
        "`to_org`: an organisation of the requested Member State (the request's `requested_country`)",
        "`best_interests`: attach the best-interests assessment the request rests on, cut to its "
        "recommendation, family and legal-status parts the agreement grants `to_org`",
        '`""`: a Dublin officer of the case\'s organisation; a request not sent already and not answered',
    ),
)
def send_take_charge(
    request: HttpRequest, public_id: str, request_id: uuid.UUID, payload: take_charge.TakeChargeSendIn
) -> Status[ThreadOut]:
    """Send the recorded request (its dates, the child by identity, the confirmed relative, the
    BIA's Dublin cut); its sending date is now unless one was recorded."""
    api_kind = _BY_NAME["take-charge"]
    caller = _finding(request, [api_kind.kind])
    case = access_case(caller.user, public_id, caller.purpose).case
    found = TakeChargeRequest.objects.filter(case=case, public_id=request_id).first()
    if found is None:
        raise NotFound("take-charge request")
    if "purpose" in payload.model_fields_set and payload.purpose != caller.purpose:
        raise ActionError(
            f"this is the purpose declared in Waymark-Purpose ({caller.purpose}), or nothing", field="purpose"
        )
    thread = take_charge.do_send_take_charge(
        caller.user, found, payload.model_copy(update={"purpose": caller.purpose})
    )
    return Status(201, _thread_out(api_kind, _thread(caller, api_kind, thread.public_id), caller.user))


threads.load()  # the kinds register themselves on import (as when the app is ready)
register_operations()
