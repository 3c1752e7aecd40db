"""The inbox: one envelope in, one signed receipt out, the effect applied at most once.

``receive`` is what ``POST /exchange/inbox`` calls. The order of work:

1. The registry in force must verify now; if it does not, this node cannot judge anything and
   raises ``ExchangeUnavailable`` (HTTP 503, no receipt: the sender retries later).
2. A message already in the inbox (same ``from_node`` and ``message_id``) is a re-send: the
   receipt given the first time is returned unchanged and nothing else happens. The same id
   with *other* envelope bytes is a replay (someone re-wrapped a signed message): logged as
   such, no effect, the original receipt again.
3. The envelope is opened (``open_envelope``: algorithms, decryption, signature against the
   registry key, header and body schemas, dates, declared categories, firewall purpose).
4. This node's own checks (``guard.inbound_refusal``: registry agreement, hosted recipient,
   Cedar, and that this node implements the message type).
5. The business effect (``handlers.apply``), the inbox row, and the audit entries for the
   envelope and the receipt commit in one transaction.

Every refusal gets a signed negative receipt with its reason code and is logged
(``InboundRefusal``, the audit log, the Python log). A refusal of an authenticated message is
also kept in the inbox, so a re-send gets the same negative receipt.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from waymark.cases.models import Case
from waymark.core.protocol.envelope import Opened, envelope_sha256, open_envelope, peek_routing
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode, Routing
from waymark.core.protocol.receipts import accepted, build_receipt, rejected

from . import evidence, guard, handlers, threads
from .models import InboundRefusal, InboxMessage, InboxStatus
from .node import LocalNode, receiving_as
from .registry import current_registry

log = logging.getLogger("waymark.exchange.inbox")

# Receipts must name a node; when an envelope is too broken to say who sent it, this one.
UNKNOWN_NODE = "unknown"
_NODE_ID = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$")

DUPLICATE = "duplicate"
REPLAY = "replay"


@dataclass(frozen=True)
class InboundResult:
    receipt: bytes
    # accepted | rejected | duplicate
    outcome: str
    reason: str = ""


def receive(
    node: LocalNode, raw: bytes, *, remote_addr: str = "", now: dt.datetime | None = None
) -> InboundResult:
    """Process one envelope; always returns a signed receipt (see the module docstring)."""
    now = now or timezone.now()
    registry = current_registry(now)
    node.check_listed(registry)
    digest = envelope_sha256(raw)

    try:
        routing = peek_routing(raw)
    except EnvelopeRefused as exc:
        return _refuse_unauthenticated(node, digest, exc, None, remote_addr, now)

    existing = InboxMessage.objects.filter(from_node=routing.from_node, message_id=routing.message_id).first()
    if existing is not None:
        return _again(existing, digest, remote_addr, now)

    try:
        opened = open_envelope(
            raw, node.keys, registry.resolve_signing_key, now, expected_to_node=node.node_id
        )
    except EnvelopeRefused as exc:
        return _refuse_unauthenticated(node, digest, exc, exc.routing or routing, remote_addr, now)

    refusal = guard.inbound_refusal(registry, opened.header, now) or _unimplemented(opened.header.type)
    if refusal is not None:
        return _refuse_authenticated(node, opened, refusal[0], refusal[1], remote_addr, now)

    receipt = build_receipt(
        accepted(
            message_id=opened.header.message_id,
            envelope_sha256=digest,
            received_at=now,
            from_node=node.node_id,
            to_node=opened.header.from_node,
        ),
        node.keys,
    )
    try:
        with transaction.atomic(), receiving_as(node):
            case = handlers.apply(opened, registry, now)
            _inbox_row(opened, InboxStatus.ACCEPTED, receipt, now, case=case)
            _evidence(opened, receipt, "accepted", case=case)
    except handlers.Refusal as exc:
        return _refuse_authenticated(node, opened, exc.reason, exc.detail, remote_addr, now)
    except IntegrityError:
        # The same message arrived twice at once; the other delivery won. Answer as it did.
        existing = InboxMessage.objects.filter(
            from_node=opened.header.from_node, message_id=opened.header.message_id
        ).first()
        if existing is None:
            raise
        return _again(existing, digest, remote_addr, now)
    log.debug(
        "accepted %s %s from %s (%s)",
        opened.header.type.value,
        opened.header.message_id,
        opened.header.from_node,
        digest[:12],
    )
    return InboundResult(receipt, "accepted")


def _unimplemented(type: MessageType) -> tuple[ReasonCode, str] | None:
    """Refuse a type no registered thread kind takes (after every policy check)."""
    if type in threads.implemented_types():
        return None
    return ReasonCode.NOT_IMPLEMENTED, f"this node does not implement {type.value} messages yet"


def _inbox_row(
    opened: Opened,
    status: InboxStatus,
    receipt: bytes,
    now: dt.datetime,
    *,
    case: Case | None = None,
    reason: str = "",
    detail: str = "",
) -> InboxMessage:
    h = opened.header
    return InboxMessage.objects.create(
        from_node=h.from_node,
        message_id=h.message_id,
        conversation_id=h.conversation_id,
        from_org=h.from_org,
        to_org=h.to_org,
        message_type=h.type.value,
        agreement_id=h.agreement_id,
        purpose=h.purpose.value,
        categories=[c.value for c in h.data_categories],
        envelope_sha256=opened.envelope_sha256,
        status=status,
        reason=reason,
        detail=detail[:500],
        receipt=receipt.decode("ascii"),
        case=case,
        received_at=now,
        last_received_at=now,
    )


def _evidence(
    opened: Opened, receipt: bytes, status: str, *, case: Case | None = None, reason: str = ""
) -> None:
    h = opened.header
    evidence.envelope_received(
        envelope_sha256=opened.envelope_sha256,
        receipt=receipt,
        status=status,
        from_node=h.from_node,
        message_id=str(h.message_id),
        reason_code=reason,
        from_org=h.from_org,
        message_type=h.type.value,
        purpose=h.purpose.value,
        agreement=h.agreement_id,
        categories=[c.value for c in h.data_categories],
        case=case,
    )


def _again(existing: InboxMessage, digest: str, remote_addr: str, now: dt.datetime) -> InboundResult:
    """A message id seen before: the first answer again, and no effect."""
    same = existing.envelope_sha256 == digest
    reason = DUPLICATE if same else REPLAY
    with transaction.atomic():
        InboxMessage.objects.filter(pk=existing.pk).update(
            times_received=F("times_received") + 1, last_received_at=now
        )
        InboundRefusal.objects.create(
            at=now,
            reason=reason,
            detail=(
                "already received: answered with the original receipt"
                if same
                else "message id already received in another envelope: not applied again"
            ),
            envelope_sha256=digest,
            from_node=existing.from_node,
            message_id=str(existing.message_id),
            authenticated=same,
            remote_addr=remote_addr[:64],
        )
        receipt = existing.receipt.encode("ascii")
        evidence.envelope_received(
            envelope_sha256=digest,
            receipt=receipt,
            status=existing.status,
            from_node=existing.from_node,
            message_id=str(existing.message_id),
            reason_code=existing.reason or ("" if same else REPLAY),
            from_org=existing.from_org,
            message_type=existing.message_type,
            authenticated=same,
            duplicate=True,
        )
    log.warning("%s of %s from %s (%s)", reason, existing.message_id, existing.from_node, digest[:12])
    return InboundResult(receipt, DUPLICATE, reason)


def _refuse_unauthenticated(
    node: LocalNode,
    digest: str,
    exc: EnvelopeRefused,
    routing: Routing | None,
    remote_addr: str,
    now: dt.datetime,
) -> InboundResult:
    """Refused by the envelope layer: we cannot trust who it claims to be from, so nothing is
    kept in the inbox; the negative receipt is addressed to the claimed sender."""
    claimed_from = routing.from_node if routing and _NODE_ID.match(routing.from_node) else UNKNOWN_NODE
    message_id: uuid.UUID | None = routing.message_id if routing else None
    receipt = build_receipt(
        rejected(
            message_id=message_id,
            envelope_sha256=digest,
            reason_code=exc.reason,
            reason=exc.detail,
            received_at=now,
            from_node=node.node_id,
            to_node=claimed_from,
        ),
        node.keys,
    )
    with transaction.atomic():
        InboundRefusal.objects.create(
            at=now,
            reason=exc.reason.value,
            detail=exc.detail[:500],
            envelope_sha256=digest,
            from_node=claimed_from,
            message_id=str(message_id or ""),
            authenticated=False,
            remote_addr=remote_addr[:64],
        )
        evidence.envelope_received(
            envelope_sha256=digest,
            receipt=receipt,
            status="rejected",
            from_node=claimed_from,
            message_id=str(message_id or ""),
            reason_code=exc.reason.value,
            authenticated=False,
        )
    log.warning("refused envelope %s from %s: %s", digest[:12], claimed_from, exc)
    return InboundResult(receipt, "rejected", exc.reason.value)


def _refuse_authenticated(
    node: LocalNode,
    opened: Opened,
    reason: ReasonCode,
    detail: str,
    remote_addr: str,
    now: dt.datetime,
) -> InboundResult:
    """Refused by this node's checks: authentic, so the refusal is kept (a re-send gets it again)."""
    h = opened.header
    receipt = build_receipt(
        rejected(
            message_id=h.message_id,
            envelope_sha256=opened.envelope_sha256,
            reason_code=reason,
            reason=detail,
            received_at=now,
            from_node=node.node_id,
            to_node=h.from_node,
        ),
        node.keys,
    )
    try:
        with transaction.atomic():
            _inbox_row(opened, InboxStatus.REJECTED, receipt, now, reason=reason.value, detail=detail)
            InboundRefusal.objects.create(
                at=now,
                reason=reason.value,
                detail=detail[:500],
                envelope_sha256=opened.envelope_sha256,
                from_node=h.from_node,
                message_id=str(h.message_id),
                authenticated=True,
                remote_addr=remote_addr[:64],
            )
            _evidence(opened, receipt, "rejected", reason=reason.value)
    except IntegrityError:
        existing = InboxMessage.objects.filter(from_node=h.from_node, message_id=h.message_id).first()
        if existing is None:
            raise
        return _again(existing, opened.envelope_sha256, remote_addr, now)
    log.warning(
        "refused %s %s from %s: %s (%s)", h.type.value, h.message_id, h.from_node, reason.value, detail
    )
    return InboundResult(receipt, "rejected", reason.value)
