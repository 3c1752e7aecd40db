"""What an accepted message does on the receiving node: one handler per message type.

Handlers run inside the inbox transaction (``inbound.receive``): the business rows they write,
the inbox row and the audit entries commit together. They are given only verified, validated
messages whose agreement, purpose and categories this node has already checked. A message that
does not fit the conversation (an answer to something never sent to that organisation) raises
``Refusal`` and gets a signed negative receipt; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from waymark.accounts.models import Organisation
from waymark.cases.actions import close_transferred_copy
from waymark.cases.models import Case
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType, body_json
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Registry
from waymark.vocab import DataCategory, EventType

from .models import (
    CaseLink,
    Direction,
    InfoRequest,
    InfoRequestStatus,
    Notice,
    Referral,
    ReferralAction,
    ReferralStatus,
    ReferralStep,
    Transfer,
    TransferStatus,
)
from .sealed import create_sealed
from .timeline import add_event

T = TypeVar("T", InfoRequest, Transfer)


class Refusal(Exception):
    """The message is authentic and allowed, but does not fit: refuse it (final)."""

    def __init__(self, reason: ReasonCode, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def org_name(registry: Registry, slug: str) -> str:
    org = registry.organisation(slug)
    return f"{org.name} ({org.country})" if org else slug


def linked_case(*, peer_node: str, peer_org: str, conversation_id: str, local_org: str) -> Case | None:
    """The local case this conversation with that peer is about, if one is linked."""
    link = (
        CaseLink.objects.filter(
            peer_node=peer_node,
            peer_org=peer_org,
            conversation_id=conversation_id,
            case__organisation__slug=local_org,
        )
        .select_related("case")
        .first()
    )
    return link.case if link else None


def _thread_fields(opened: Opened, registry: Registry, now: dt.datetime) -> dict[str, object]:
    h = opened.header
    return {
        "direction": Direction.INCOMING,
        "conversation_id": h.conversation_id,
        "local_org": Organisation.objects.get(slug=h.to_org),
        "peer_node": h.from_node,
        "peer_org": h.from_org,
        "peer_org_name": org_name(registry, h.from_org)[:200],
        "agreement_id": h.agreement_id,
        "purpose": h.purpose.value,
        "categories": [c.value for c in h.data_categories],
        "case": linked_case(
            peer_node=h.from_node, peer_org=h.from_org, conversation_id=h.conversation_id, local_org=h.to_org
        ),
        "created_at": now,
        "updated_at": now,
    }


# --- referrals ---------------------------------------------------------------------------------


def _referral_offer(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    h, body = opened.header, opened.body
    assert isinstance(body, m.ReferralOffer)
    referral = create_sealed(
        Referral,
        {"reason": body.reason, "offer": body_json(body)},
        **_thread_fields(opened, registry, now),
        status=ReferralStatus.OFFERED,
        offer_message_id=h.message_id,
    )
    create_sealed(
        ReferralStep,
        {"reason": body.reason},
        referral=referral,
        message_id=h.message_id,
        action=ReferralAction.OFFER,
        direction=Direction.INCOMING,
        at=now,
    )
    if referral.case is not None:
        add_event(
            referral.case,
            type=EventType.REFERRAL,
            summary=f"Referral offered by {referral.peer_org_name}",
            details=body.reason,
            at=now,
        )
    return referral.case


# Reply type -> (new status, statuses it may follow, timeline wording)
_REPLIES: dict[MessageType, tuple[ReferralAction, ReferralStatus, tuple[ReferralStatus, ...], str]] = {
    MessageType.REFERRAL_ACCEPT: (
        ReferralAction.ACCEPT,
        ReferralStatus.ACCEPTED,
        (ReferralStatus.OFFERED,),
        "Referral accepted by",
    ),
    MessageType.REFERRAL_REJECT: (
        ReferralAction.REJECT,
        ReferralStatus.REJECTED,
        (ReferralStatus.OFFERED,),
        "Referral rejected by",
    ),
    MessageType.REFERRAL_DONE: (
        ReferralAction.DONE,
        ReferralStatus.DONE,
        (ReferralStatus.ACCEPTED,),
        "Referral completed by",
    ),
}


def reply_text(body: m.Body) -> str:
    parts: list[str] = []
    for name in ("reason_code", "outcome"):
        value = getattr(body, name, None)
        if value:
            parts.append(str(value).replace("_", " ").capitalize())
    note = getattr(body, "note", "")
    contact = getattr(body, "contact", "")
    if note:
        parts.append(note)
    if contact:
        parts.append(f"Contact: {contact}")
    return "\n".join(parts)


def _answered(h: m.Header) -> uuid.UUID:
    if h.in_reply_to is None:
        raise Refusal(ReasonCode.SCHEMA_INVALID, f"a {h.type.value} must name the message it answers")
    return h.in_reply_to


def _our_thread(model: type[T], h: m.Header, field: str, what: str) -> T:
    """The thread this organisation started with the sender that ``in_reply_to`` answers (its
    ``field`` is the answered message id); ``Refusal`` if there is none."""
    found = model._default_manager.filter(
        direction=Direction.OUTGOING,
        peer_node=h.from_node,
        peer_org=h.from_org,
        local_org__slug=h.to_org,
        **{field: _answered(h)},
    ).first()
    if found is None:
        raise Refusal(ReasonCode.NOT_PARTY, f"in_reply_to names no {what} to the sending organisation")
    return found


def _referral_reply(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    """accept / reject / done, from the organisation we referred the child to."""
    h = opened.header
    step = (
        ReferralStep.objects.select_related("referral")
        .filter(message_id=_answered(h), direction=Direction.OUTGOING, action=ReferralAction.OFFER)
        .first()
    )
    referral = step.referral if step else None
    if (
        referral is None
        or referral.peer_node != h.from_node
        or referral.peer_org != h.from_org
        or referral.local_org.slug != h.to_org
    ):
        raise Refusal(
            ReasonCode.NOT_PARTY, "in_reply_to names no referral offered to the sending organisation"
        )
    action, new_status, after, wording = _REPLIES[h.type]
    text = reply_text(opened.body)
    create_sealed(
        ReferralStep,
        {"reason": text},
        referral=referral,
        message_id=h.message_id,
        action=action,
        direction=Direction.INCOMING,
        at=now,
    )
    summary = f"{wording} {referral.peer_org_name}"
    if referral.status in after:
        referral.status = new_status
        if action != ReferralAction.DONE:
            referral.response_reason = text
    else:
        # Messages cross in flight (we revoked while they accepted): keep the step, keep our status.
        summary += f" (the referral was already {referral.get_status_display().lower()})"
    referral.updated_at = now
    referral.save(update_fields=["status", "response_reason_sealed", "updated_at"])
    if referral.case is not None:
        add_event(referral.case, type=EventType.REFERRAL, summary=summary, details=text, at=now)
    return referral.case


def _referral_revoke(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    """The referrer withdraws: we purge the offer as received (the case, if we opened one, stays)."""
    h = opened.header
    step = (
        ReferralStep.objects.select_related("referral")
        .filter(message_id=_answered(h), direction=Direction.INCOMING, action=ReferralAction.OFFER)
        .first()
    )
    referral = step.referral if step else None
    if referral is None or referral.peer_node != h.from_node or referral.peer_org != h.from_org:
        raise Refusal(ReasonCode.NOT_PARTY, "in_reply_to names no referral the sending organisation offered")
    text = reply_text(opened.body)
    create_sealed(
        ReferralStep,
        {"reason": text},
        referral=referral,
        message_id=h.message_id,
        action=ReferralAction.REVOKE,
        direction=Direction.INCOMING,
        at=now,
    )
    if referral.status in (ReferralStatus.OFFERED, ReferralStatus.ACCEPTED):
        referral.status = ReferralStatus.REVOKED
    referral.offer = {}
    referral.response_reason = text
    referral.updated_at = now
    referral.save(update_fields=["status", "offer_sealed", "response_reason_sealed", "updated_at"])
    if referral.case is not None:
        add_event(
            referral.case,
            type=EventType.REFERRAL,
            summary=f"Referral revoked by {referral.peer_org_name}",
            details=text,
            at=now,
        )
    return referral.case


# --- information requests ----------------------------------------------------------------------


def _info_request(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    h, body = opened.header, opened.body
    assert isinstance(body, m.InfoRequest)
    request = create_sealed(
        InfoRequest,
        {"questions": [q.model_dump(mode="json") for q in body.questions]},
        **_thread_fields(opened, registry, now),
        legal_basis=body.legal_basis,
        due_at=body.reply_by,
        request_message_id=h.message_id,
    )
    if request.case is not None:
        add_event(
            request.case,
            type=EventType.NOTE,
            summary=f"Information requested by {request.peer_org_name} (reply by {body.reply_by:%Y-%m-%d %H:%M} UTC)",
            details="\n".join(q.text for q in body.questions),
            category=DataCategory(body.questions[0].category.value),
            at=now,
        )
    return request.case


def _info_response(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    h, body = opened.header, opened.body
    assert isinstance(body, m.InfoResponse)
    request = _our_thread(InfoRequest, h, "request_message_id", "information request sent")
    request.answers = [a.model_dump(mode="json") for a in body.answers]
    request.status = (
        InfoRequestStatus.DECLINED if all(a.declined for a in body.answers) else InfoRequestStatus.ANSWERED
    )
    request.answered_at = now
    request.response_message_id = h.message_id
    request.updated_at = now
    request.save(
        update_fields=["answers_sealed", "status", "answered_at", "response_message_id", "updated_at"]
    )
    if request.case is not None:
        late = request.due_at is not None and now > request.due_at
        add_event(
            request.case,
            type=EventType.NOTE,
            summary=f"Information received from {request.peer_org_name}"
            + (" (after the reply deadline)" if late else ""),
            details="\n".join(a.text or f"(declined: {a.declined})" for a in body.answers),
            category=DataCategory(body.answers[0].category.value),
            at=now,
        )
    return request.case


# --- notices -----------------------------------------------------------------------------------


def _notice(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    h, body = opened.header, opened.body
    assert isinstance(body, m.Notice)
    notice = create_sealed(
        Notice,
        {"subject": body.subject, "text": body.text},
        **_thread_fields(opened, registry, now),
        message_id=h.message_id,
    )
    if notice.case is not None:
        add_event(
            notice.case,
            type=EventType.NOTE,
            summary=f"Notice from {notice.peer_org_name}: {body.subject}",
            details=body.text,
            category=DataCategory(body.category.value),
            at=now,
        )
    return notice.case


# --- case transfers ----------------------------------------------------------------------------


def _case_transfer(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    """An offer to take a case over: kept, unapplied, until a person here accepts or rejects it."""
    h, body = opened.header, opened.body
    assert isinstance(body, m.CaseTransfer)
    fields = _thread_fields(opened, registry, now)
    transfer = create_sealed(
        Transfer,
        {"reason": body.reason, "offer": body_json(body)},
        **fields,
        peer_case_reference=body.sender_case_reference,
        status=TransferStatus.OFFERED,
        history_count=len(body.timeline),
        offer_message_id=h.message_id,
    )
    if transfer.case is not None:
        add_event(
            transfer.case,
            type=EventType.TRANSFER,
            summary=f"Transfer of the case offered by {transfer.peer_org_name}",
            details=body.reason,
            at=now,
        )
    return transfer.case


def _transfer_reply(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    """accept / reject, from the organisation we offered the case to. On acceptance our case
    becomes a closed, read-only copy kept for the retention period."""
    h, body = opened.header, opened.body
    transfer = _our_thread(Transfer, h, "offer_message_id", "transfer offered")
    if transfer.status != TransferStatus.OFFERED:
        raise Refusal(
            ReasonCode.NOT_PARTY, f"the transfer was already {transfer.get_status_display().lower()}"
        )
    text = reply_text(body)
    transfer.response_message_id = h.message_id
    transfer.response_reason = text
    transfer.answered_at = now
    transfer.updated_at = now
    case = transfer.case
    if isinstance(body, m.TransferAccept):
        transfer.status = TransferStatus.ACCEPTED
        transfer.peer_case_reference = body.receiver_case_reference
        transfer.responsible_from = body.responsible_from
        if case is not None:
            keep = (now + dt.timedelta(days=settings.WAYMARK_TRANSFERRED_COPY_RETENTION_DAYS)).date()
            close_transferred_copy(case, at=now, retain_until=keep)
            their = (
                f" (their reference {body.receiver_case_reference})" if body.receiver_case_reference else ""
            )
            add_event(
                case,
                type=EventType.TRANSFER,
                summary=f"Transfer accepted by {transfer.peer_org_name}{their}; this copy is closed",
                details="\n".join(
                    p
                    for p in (
                        f"Responsible from {body.responsible_from:%Y-%m-%d %H:%M} UTC.",
                        f"This closed copy is kept until {keep:%Y-%m-%d}.",
                        text,
                    )
                    if p
                ),
                at=now,
            )
    else:
        assert isinstance(body, m.TransferReject)
        transfer.status = TransferStatus.REJECTED
        if case is not None:
            add_event(
                case,
                type=EventType.TRANSFER,
                summary=f"Transfer rejected by {transfer.peer_org_name}; the case stays here",
                details=text,
                at=now,
            )
    transfer.save()
    return case


Handler = Callable[[Opened, Registry, dt.datetime], Case | None]

HANDLERS: dict[MessageType, Handler] = {
    MessageType.REFERRAL_OFFER: _referral_offer,
    MessageType.REFERRAL_ACCEPT: _referral_reply,
    MessageType.REFERRAL_REJECT: _referral_reply,
    MessageType.REFERRAL_DONE: _referral_reply,
    MessageType.REFERRAL_REVOKE: _referral_revoke,
    MessageType.INFO_REQUEST: _info_request,
    MessageType.INFO_RESPONSE: _info_response,
    MessageType.NOTICE: _notice,
    MessageType.CASE_TRANSFER: _case_transfer,
    MessageType.TRANSFER_ACCEPT: _transfer_reply,
    MessageType.TRANSFER_REJECT: _transfer_reply,
}


def apply(opened: Opened, registry: Registry, now: dt.datetime) -> Case | None:
    """Apply an accepted message; returns the local case it landed on (if any)."""
    handler = HANDLERS.get(opened.header.type)
    if handler is None:
        raise Refusal(
            ReasonCode.NOT_IMPLEMENTED,
            f"this node does not implement {opened.header.type.value} messages yet",
        )
    return handler(opened, registry, now)
