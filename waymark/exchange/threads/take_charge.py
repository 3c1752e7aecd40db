"""Dublin III / AMMR take-charge requests between nodes (``core.protocol.threads.TAKE_CHARGE``):
a Dublin officer of the child's organisation sends a recorded take-charge request
(``continuity.TakeChargeRequest``) to the requested State's Dublin unit, which accepts or refuses.

Purpose ``family_tracing``, not ``best_interests_assessment``: a take-charge request under
Dublin III Art. 8 / AMMR Art. 25 is a family reunion, the continuation of the tracing that
confirmed the relative, and it is for family tracing that the policy opens a child's identity,
family and legal status to their own organisation's Dublin officers
(``own-org-dublin-family-tracing``, ``own-org-dublin-take-charge``). Never immigration
enforcement (refused by the schema, the firewall and the receiver).

What travels: the legal basis and the dates that start the periods (legal status), the child by
identity only, the confirmed relative — who they are to the child, never how to reach them
(family) — and the best-interests assessment the request rests on, cut to what a Dublin unit may
read whatever the agreement says: its recommendation, family and legal-status parts, and only
those the agreement grants the receiver (``core.best_interests.bia_extract(..., dublin=True)``);
never health, disclosures or case notes. ``plumbing.prepare`` checks, before anything is sealed,
that the sender reads every category for the purpose and that an agreement in force grants the
receiver each one.

The requested side has no case: the inbound handler records its own ``TakeChargeRequest``
(``INCOMING``), so the same deadline engine counts the reply period from the receipt and flags a
tacit acceptance; the child, the relative and the BIA's cut stay sealed in the thread (cut again
at this end). The reply stops both sides' clocks and sets the requesting record's reply.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import StrictBool, model_validator

from waymark.accounts.models import Organisation, User
from waymark.continuity import actions as continuity
from waymark.continuity.models import BestInterests, Relationship, TakeChargeRequest
from waymark.core import best_interests as bia
from waymark.core.clocks import ClockRule
from waymark.core.deadlines import LOUD
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import TAKE_CHARGE, UNDELIVERED, Received
from waymark.errors import ActionError
from waymark.policy import service as policy
from waymark.vocab import DataCategory, EventType, Purpose, Role, Sector

from .. import payloads
from .. import plumbing as p
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import In, Text, ToPeer
from ..timeline import add_event, add_thread_event
from . import register
from .base import Action, Panel, ThreadKind
from .transfer import _bia_source

T = MessageType
WHAT = "take-charge request"
LEGAL = DataCategory.LEGAL_STATUS
# Who sends and answers take-charge requests: Dublin officers, and no one else.
DUBLIN_ROLES = frozenset({Role.DUBLIN_OFFICER})
# The purpose a take-charge request travels for (see the module's docstring).
TAKE_CHARGE_PURPOSE = Purpose.FAMILY_TRACING
# The thread's clock is the engine's reply deadline (``TakeChargeRequest.reply_deadline``); this
# rule only names it and gives its warning (the engine's first, seven days ahead). Two months is
# the ordinary reply period (Dublin III Art. 22(1); AMMR Art. 40(1)).
REPLY = ClockRule("take_charge_reply", within=dt.timedelta(days=61), warn_before=dt.timedelta(days=7))


class TakeChargeSendIn(ToPeer):
    """Send the recorded take-charge request to ``to_org``, the requested State's Dublin unit."""

    purpose: Purpose = TAKE_CHARGE_PURPOSE
    note: Text = ""
    # Attach the best-interests assessment the request rests on (its Dublin cut).
    best_interests: StrictBool = True

    @model_validator(mode="after")
    def _for_family_reunion(self) -> TakeChargeSendIn:
        if self.purpose != TAKE_CHARGE_PURPOSE:
            raise ValueError(
                "purpose: a take-charge request is sent for family tracing (family reunion) only"
            )
        return self


class TakeChargeReplyIn(In):
    accepted: StrictBool
    note: Text = ""

    @model_validator(mode="after")
    def _reasons(self) -> TakeChargeReplyIn:
        if not self.accepted and not self.note:
            raise ValueError("note: a refusal gives its reasons (Dublin III Art. 5(2) Reg. 1560/2003)")
        return self


def _require_dublin_officer(user: User) -> Organisation:
    if not p.may_exchange(user, DUBLIN_ROLES):
        raise ActionError("only a Dublin officer sends or answers a take-charge request")
    assert user.organisation is not None
    return user.organisation


def thread_of(request: TakeChargeRequest) -> Thread | None:
    """The conversation that carries ``request`` (its latest, if one was undelivered)."""
    return (
        Thread.objects.filter(kind=TAKE_CHARGE.kind, facts__take_charge=str(request.public_id))
        .order_by("-created_at")
        .first()
    )


def _relative(request: TakeChargeRequest) -> m.TakeChargeRelative | None:
    relative = request.relative
    if relative is None or not relative.confirmed:
        return None
    return m.TakeChargeRelative(
        full_name=relative.full_name,
        name_latin=relative.name_latin,
        relationship=m.Relationship(relative.relationship),
        country=relative.country,
    )


def _bia_cut(
    user: User, request: TakeChargeRequest, data: TakeChargeSendIn, granted: frozenset[str]
) -> m.BestInterestsBody | None:
    """The BIA the request rests on, cut to a Dublin unit's allow-list and to what the agreement
    grants the receiver and the sender reads; None when none stands or legal status is not granted."""
    record: BestInterests | None = request.best_interests
    if not data.best_interests or record is None or not record.standing:
        return None
    assert request.case is not None
    readable = policy.permitted_categories(user, request.case, purpose=data.purpose)
    extract = bia.bia_extract(_bia_source(record), granted & set(readable), dublin=True)
    return None if extract.fields is None else m.BestInterestsBody(**extract.fields)


# --- sending -----------------------------------------------------------------------------------


def do_send_take_charge(
    user: User, request: TakeChargeRequest, data: TakeChargeSendIn, *, node: LocalNode | None = None
) -> Thread:
    """A Dublin officer of the child's organisation sends the recorded request to the requested
    State's Dublin unit; its sending date is now unless one was recorded."""
    org = _require_dublin_officer(user)
    if data.purpose != TAKE_CHARGE_PURPOSE:
        raise ActionError(
            "a take-charge request is sent for family tracing (family reunion) only", field="purpose"
        )
    case = request.case
    if request.incoming or case is None:
        raise ActionError("this request was made to us: it is answered, not sent")
    if case.organisation_id != org.pk:
        raise ActionError("only the organisation that holds the case sends its take-charge request")
    if request.replied_at is not None:
        raise ActionError("this request has its reply already")
    sent = thread_of(request)
    if sent is not None and sent.status != UNDELIVERED:
        raise ActionError("this request was sent already")
    ctx = p.context(node)
    peer = ctx.registry.organisation(data.to_org)
    if (
        peer is None
        or peer.country != request.requested_country
        or str(peer.sector) != Sector.ASYLUM_DUBLIN_UNIT
    ):
        raise ActionError(
            f"send it to the Dublin unit of the requested Member State ({request.requested_country})",
            field="to_org",
        )
    # The date this request's own earlier sending set, when that sending never arrived, does not
    # stand: the periods count from a request the requested State received. A date recorded
    # before any sending (the request went by DubliNet) stands whatever happens here.
    failed_date = sent is not None and bool(sent.facts.get("dated_by_sending"))
    recorded = None if failed_date else request.request_sent_at
    sent_at = recorded or ctx.now
    planned = TakeChargeRequest(
        **{f.attname: getattr(request, f.attname) for f in request._meta.concrete_fields}
    )
    planned.request_sent_at = sent_at
    deadline = planned.reply_deadline(ctx.now)
    assert deadline is not None  # a sent request has a reply deadline
    child = payloads.child_summary(case, [DataCategory.IDENTITY])

    def body(best_interests: m.BestInterestsBody | None) -> m.TakeChargeRequest:
        return m.TakeChargeRequest(
            request_id=request.public_id,
            requested_country=request.requested_country,
            basis=request.basis,
            registered_at=request.registered_at,
            hit_at=request.hit_at,
            sent_at=sent_at,
            urgent_reply_days=request.urgent_reply_days,
            child=child,
            relative=_relative(request),
            best_interests=best_interests,
            note=data.note,
            reply_by=deadline.due_at,
        )

    # The agreement is chosen on what travels without the BIA; its grants to the receiver then
    # cut the BIA (within the Dublin allow-list), and ``prepare`` checks the whole again.
    agreement = p.choose_agreement(
        ctx, org.slug, data.to_org, data.purpose, body(None), T.TAKE_CHARGE_REQUEST, data.agreement_id
    )
    granted = agreement.readable_categories(data.to_org, data.purpose)
    sending = body(_bia_cut(user, request, data, granted))
    prepared = p.prepare(user, case, T.TAKE_CHARGE_REQUEST, sending, data, node=node, roles=DUBLIN_ROLES)
    with transaction.atomic():
        thread, _row = p.open_thread(
            prepared,
            TAKE_CHARGE,
            user=user,
            case=case,
            body=sending,
            summary="Take-charge request to",
            data=_kept(sending),
            facts={"take_charge": str(request.public_id), "dated_by_sending": recorded is None},
            due_at=deadline.due_at,
        )
        continuity.do_note_take_charge_sent(request, sent_at, thread.public_id, replace=failed_date)
        carried = sorted(m.categories_of(sending.best_interests)) if sending.best_interests else []
        add_event(
            case,
            type=EventType.NOTE,
            summary=(
                f"Take-charge request sent to {thread.peer_org_name} "
                f"(reply due {deadline.due_at:%Y-%m-%d})"
                + (f", with the best-interests assessment ({', '.join(carried)})" if carried else "")
            )[:300],
            details=data.note,
            category=LEGAL,
            user=user,
            at=ctx.now,
        )
    return thread


def _kept(body: m.TakeChargeRequest) -> dict[str, Any]:
    """What a thread keeps of a request, sealed: the child, the relative, the BIA's cut, the note."""
    return {
        "child": body.child.model_dump(mode="json"),
        "relative": body.relative.model_dump(mode="json") if body.relative else {},
        "best_interests": body.best_interests.model_dump(mode="json") if body.best_interests else {},
        "note": body.note,
        "basis": body.basis,
    }


def do_reply_take_charge(
    user: User, thread: Thread, data: TakeChargeReplyIn, *, node: LocalNode | None = None
) -> Thread:
    """The requested State's Dublin officer accepts or refuses: both sides' reply clocks stop."""
    from_org = p.check_reply(user, thread, TAKE_CHARGE, T.TAKE_CHARGE_REPLY, WHAT, "answered", DUBLIN_ROLES)
    ctx = p.context(node)
    body = m.TakeChargeReply(accepted=data.accepted, note=data.note, replied_at=ctx.now)
    with transaction.atomic():
        locked = p.lock(thread, WHAT)
        p.answer(
            ctx,
            locked,
            TAKE_CHARGE,
            user=user,
            from_org=from_org,
            type=T.TAKE_CHARGE_REPLY,
            body=body,
            summary=f"Take-charge reply → {locked.peer_org_name}",
            target="accepted" if data.accepted else "refused",
        )
        locked.data.put(reply=body.model_dump(mode="json"))
        locked.answered_at = ctx.now
        locked.answered_by = user
        locked.save()
        record = _record(locked)
        if record is not None:
            continuity.do_note_take_charge_reply(
                record, accepted=data.accepted, replied_at=ctx.now, user=user
            )
    return locked


def _record(thread: Thread) -> TakeChargeRequest | None:
    public_id = thread.facts.get("take_charge")
    return TakeChargeRequest.objects.filter(public_id=public_id).first() if public_id else None


# --- receiving ---------------------------------------------------------------------------------


def _received_bia(received: m.BestInterestsBody | None) -> dict[str, Any]:
    """What of a received BIA is kept: cut again, at this end, to the Dublin allow-list."""
    if received is None:
        return {}
    fields = bia.bia_extract(
        received.model_dump(mode="json"), bia.EXTRACT_FIELDS.values(), dublin=True
    ).fields
    return dict(fields or {})


def _on_request(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.TakeChargeRequest)
    h = opened.header
    org = Organisation.objects.get(slug=h.to_org)
    sender = registry.organisation(h.from_org)
    conversation = uuid.uuid4()  # the thread's public id, named on the record before it exists
    record = continuity.do_receive_take_charge(
        org,
        requesting_country=sender.country if sender is not None else "",
        requesting_org_name=p.org_name(registry, h.from_org),
        basis=body.basis,
        registered_at=body.registered_at,
        hit_at=body.hit_at,
        sent_at=body.sent_at,
        received_at=now,
        urgent_reply_days=body.urgent_reply_days,
        conversation=conversation,
    )
    deadline = record.reply_deadline(now)
    kept = _kept(body)
    kept["best_interests"] = _received_bia(body.best_interests)
    thread = p.open_incoming(
        TAKE_CHARGE,
        opened,
        registry,
        now,
        data=kept,
        facts={"take_charge": str(record.public_id), "request_id": str(body.request_id)},
        due_at=deadline.due_at if deadline is not None else body.reply_by,
        public_id=conversation,
    )
    return thread


def _on_reply(thread: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.TakeChargeReply)
    thread.data.put(reply=body.model_dump(mode="json"))
    thread.answered_at = now
    record = _record(thread)
    replied_at = min(body.replied_at, now)
    if record is not None:
        continuity.do_note_take_charge_reply(record, accepted=body.accepted, replied_at=replied_at)
    late = thread.due_at is not None and replied_at > thread.due_at
    add_thread_event(
        thread,
        type=EventType.NOTE,
        summary=f"Take-charge request {'accepted' if body.accepted else 'refused'} by {thread.peer_org_name}"
        + (" (after the reply period: already tacitly accepted)" if late else ""),
        details=body.note,
        category=LEGAL,
        at=now,
    )


def _target(body: m.Body) -> str | None:
    if isinstance(body, m.TakeChargeReply):
        return "accepted" if body.accepted else "refused"
    return None


# --- pages -------------------------------------------------------------------------------------


def _reply_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {"accepted": post.get("accepted") == "yes", "note": post.get("note", "")}


def _page(thread: Thread) -> dict[str, Any]:
    relative = thread.data.doc("relative")
    if relative.get("relationship") in Relationship.values:
        relative = {**relative, "relationship": Relationship(relative["relationship"]).label}
    record = _record(thread)
    now = timezone.now()
    plan = record.schedule(now) if record is not None else None
    return {
        "child": thread.data.doc("child"),
        "relative": relative,
        "best_interests": thread.data.doc("best_interests"),
        "note": thread.data.text("note"),
        "basis": thread.data.text("basis"),
        "reply": thread.data.doc("reply"),
        "record": record,
        "regime": f"{plan.regime.title} ({plan.regime.instrument})" if plan is not None else "",
        "deadlines": [
            {
                "step": d.rule.step.value.replace("_", " "),
                "article": d.rule.article,
                "clock": d.clock,
                "loud": d.notice(now) in LOUD,
                "notice": d.notice(now).value.replace("_", " ").upper(),
            }
            for d in (plan.deadlines if plan is not None else ())
        ],
    }


def _to_answer(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING, status=TAKE_CHARGE.opened).order_by("due_at")


def _awaiting(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status=TAKE_CHARGE.opened).order_by("due_at")


KIND = register(
    ThreadKind(
        conversation=TAKE_CHARGE,
        slug="take-charge",
        label=_("Take-charge request"),
        line="exchange/take_charge/_line.html",
        on_open=_on_request,
        on_message={T.TAKE_CHARGE_REPLY: _on_reply},
        target=_target,
        clock=REPLY,
        actions={
            "reply": Action(T.TAKE_CHARGE_REPLY, TakeChargeReplyIn, do_reply_take_charge, data=_reply_form)
        },
        page="exchange/take_charge.html",
        page_context=_page,
        panels=(
            Panel(
                16,
                "take-charge-in",
                _("Take-charge requests to answer"),
                _("No take-charge request is waiting for our reply."),
                _to_answer,
                "exchange/take_charge/_panel_line.html",
            ),
            Panel(
                46,
                "take-charge-out",
                _("Take-charge requests awaiting a reply"),
                _("None."),
                _awaiting,
                "exchange/take_charge/_panel_line.html",
            ),
        ),
        states={
            "awaiting_reply": _("Awaiting the reply"),
            "accepted": _("Accepted"),
            "refused": _("Refused"),
        },
        messages={T.TAKE_CHARGE_REQUEST: _("Take-charge request"), T.TAKE_CHARGE_REPLY: _("Reply")},
        order=38,
        roles=DUBLIN_ROLES,
    )
)
