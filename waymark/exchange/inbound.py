"""The inbox: one envelope in, one signed receipt out, the effect applied at most once.

``receive`` is what ``POST /exchange/inbox`` calls. The order of work:

1. The registry in force must verify now; if it does not, this node cannot judge anything and
   raises ``ExchangeUnavailable`` (HTTP 503, no receipt: the sender retries later).
2. Junk is refused before any database read or key work: bytes that are not an envelope, or
   whose routing names a node or signing key id the registry does not list, or another
   recipient node or key than ours.
3. A message already in the inbox (same ``from_node`` and ``message_id``) is a re-send: the
   receipt given the first time is returned unchanged and nothing else happens. The same id
   with *other* envelope bytes is a replay (someone re-wrapped a signed message): no effect,
   the original receipt again.
4. The envelope is opened (``open_envelope``: algorithms, decryption, signature against the
   registry key, header and body schemas, dates, declared categories, firewall purpose).
5. This node's own checks (``guard.inbound_refusal``: registry agreement, hosted recipient,
   Cedar, and that this node implements the message type).
6. The business effect (``handlers.apply``), the inbox row, and the audit entries for the
   envelope and the receipt commit in one transaction.

Every refusal gets a signed negative receipt with its reason code. Every envelope that carries
a valid signature of a registered node, accepted or refused, is an audit entry of its own
(FIREWALL.md); a refusal of an authenticated message is also kept in the inbox, so a re-send gets
the same negative receipt. What carries no valid signature (junk, and replays, which are not
opened) is counted and sampled (``unsigned``): anyone can post bytes, and an entry each would let
them fill the log and hold up every case read behind the audit head lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from waymark.cases.models import Case
from waymark.core.protocol.envelope import Opened, envelope_sha256, open_envelope, peek_routing
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode, Routing
from waymark.core.protocol.receipts import accepted, build_receipt, rejected
from waymark.core.protocol.registry import Registry

from . import evidence, guard, handlers, threads
from .models import InboundRefusal, InboxMessage, InboxStatus
from .node import LocalNode, receiving_as
from .registry import current_registry
from .unsigned import COUNTER

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
    _count_due(now)
    digest = envelope_sha256(raw)

    try:
        routing = peek_routing(raw)
    except EnvelopeRefused as exc:
        return _refuse_unsigned(node, digest, exc, None, remote_addr, now)
    junk = _unroutable(node, registry, routing)
    if junk is not None:
        return _refuse_unsigned(node, digest, junk, routing, remote_addr, now)

    existing = InboxMessage.objects.filter(from_node=routing.from_node, message_id=routing.message_id).first()
    if existing is not None:
        if existing.envelope_sha256 != digest:
            return _replayed(existing, digest, remote_addr, now)
        return _again(existing, digest, remote_addr, now)

    try:
        opened = open_envelope(
            raw, node.keys, registry.resolve_signing_key, now, expected_to_node=node.node_id
        )
    except EnvelopeRefused as exc:
        if exc.signed:
            return _refuse_signed(node, digest, exc, exc.routing or routing, remote_addr, now)
        return _refuse_unsigned(node, digest, exc, exc.routing or routing, remote_addr, now)

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


def _unroutable(node: LocalNode, registry: Registry, routing: Routing) -> EnvelopeRefused | None:
    """Junk that needs no key work to refuse: not for us, or not from a key the registry lists.

    The routing fields are unauthenticated, but a genuine envelope always carries its sender's
    registered key id and our node and encryption key id; anything else cannot verify."""
    if routing.to_node != node.node_id or routing.recipient_kid != node.keys.encryption_kid:
        return EnvelopeRefused(
            ReasonCode.WRONG_RECIPIENT, "not addressed to this node or its encryption key", routing
        )
    sender = registry.node(routing.from_node)
    if sender is None or sender.signing_kid != routing.sender_kid:
        return EnvelopeRefused(
            ReasonCode.UNKNOWN_SENDER, "the sender node or its signing key id is not in the registry", routing
        )
    return None


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
    """The very envelope seen before (a re-send): the first answer again, and no effect."""
    if existing.envelope_sha256 != digest:
        return _replayed(existing, digest, remote_addr, now)
    with transaction.atomic():
        InboxMessage.objects.filter(pk=existing.pk).update(
            times_received=F("times_received") + 1, last_received_at=now
        )
        InboundRefusal.objects.create(
            at=now,
            reason=DUPLICATE,
            detail="already received: answered with the original receipt",
            envelope_sha256=digest,
            from_node=existing.from_node,
            message_id=str(existing.message_id),
            authenticated=True,
            remote_addr=remote_addr[:64],
        )
        receipt = existing.receipt.encode("ascii")
        evidence.envelope_received(
            envelope_sha256=digest,
            receipt=receipt,
            status=existing.status,
            from_node=existing.from_node,
            message_id=str(existing.message_id),
            reason_code=existing.reason,
            from_org=existing.from_org,
            message_type=existing.message_type,
            duplicate=True,
        )
    log.warning("%s of %s from %s (%s)", DUPLICATE, existing.message_id, existing.from_node, digest[:12])
    return InboundResult(receipt, DUPLICATE, DUPLICATE)


def _replayed(existing: InboxMessage, digest: str, remote_addr: str, now: dt.datetime) -> InboundResult:
    """A message id seen before in *other* bytes: not opened, so unsigned as far as we know;
    the original receipt again, no effect, counted (``unsigned``)."""
    receipt = existing.receipt.encode("ascii")
    noted = COUNTER.note(now, REPLAY, existing.from_node)
    if noted.sample or noted.closed:
        with transaction.atomic():
            if noted.closed is not None:
                evidence.unsigned_counted(noted.closed, now)
            InboundRefusal.objects.create(
                at=now,
                reason=REPLAY,
                detail="message id already received in another envelope: not applied again" + _SAMPLED,
                envelope_sha256=digest,
                from_node=existing.from_node,
                message_id=str(existing.message_id),
                authenticated=False,
                remote_addr=remote_addr[:64],
            )
            evidence.envelope_received(
                envelope_sha256=digest,
                receipt=receipt,
                status=existing.status,
                from_node=existing.from_node,
                message_id=str(existing.message_id),
                reason_code=REPLAY,
                authenticated=False,
                duplicate=True,
            )
        log.warning("%s of %s from %s (%s)", REPLAY, existing.message_id, existing.from_node, digest[:12])
    return InboundResult(receipt, DUPLICATE, REPLAY)


# Said of the one refusal recorded in full at the start of a counting window.
_SAMPLED = " (recorded in full as the first of its window; later ones are counted)"


def _count_due(now: dt.datetime) -> None:
    """Write the count of a finished window of unsigned refusals, if there is one."""
    window = COUNTER.due(now)
    if window is not None:
        with transaction.atomic():
            evidence.unsigned_counted(window, now)


def _envelope_refusal_receipt(
    node: LocalNode, digest: str, exc: EnvelopeRefused, claimed_from: str, now: dt.datetime
) -> bytes:
    return build_receipt(
        rejected(
            message_id=exc.routing.message_id if exc.routing else None,
            envelope_sha256=digest,
            reason_code=exc.reason,
            reason=exc.detail,
            received_at=now,
            from_node=node.node_id,
            to_node=claimed_from,
        ),
        node.keys,
    )


def _claimed_sender(routing: Routing | None) -> str:
    return routing.from_node if routing and _NODE_ID.match(routing.from_node) else UNKNOWN_NODE


def _refuse_unsigned(
    node: LocalNode,
    digest: str,
    exc: EnvelopeRefused,
    routing: Routing | None,
    remote_addr: str,
    now: dt.datetime,
) -> InboundResult:
    """Refused before any valid signature of a registered node was seen: we cannot trust who it
    claims to be from. The negative receipt is addressed to the claimed sender; nothing is kept
    in the inbox; the refusal is counted, and recorded in full only as its window's sample."""
    claimed_from = _claimed_sender(routing)
    exc.routing = exc.routing or routing
    receipt = _envelope_refusal_receipt(node, digest, exc, claimed_from, now)
    noted = COUNTER.note(now, exc.reason.value, claimed_from)
    if not (noted.sample or noted.closed):
        log.debug("refused envelope %s from %s: %s (counted)", digest[:12], claimed_from, exc)
        return InboundResult(receipt, "rejected", exc.reason.value)
    message_id = str(routing.message_id) if routing else ""
    with transaction.atomic():
        if noted.closed is not None:
            evidence.unsigned_counted(noted.closed, now)
        InboundRefusal.objects.create(
            at=now,
            reason=exc.reason.value,
            detail=(exc.detail[: 500 - len(_SAMPLED)] + _SAMPLED),
            envelope_sha256=digest,
            from_node=claimed_from,
            message_id=message_id,
            authenticated=False,
            remote_addr=remote_addr[:64],
        )
        evidence.envelope_received(
            envelope_sha256=digest,
            receipt=receipt,
            status="rejected",
            from_node=claimed_from,
            message_id=message_id,
            reason_code=exc.reason.value,
            authenticated=False,
        )
    log.warning("refused envelope %s from %s: %s", digest[:12], claimed_from, exc)
    return InboundResult(receipt, "rejected", exc.reason.value)


def _refuse_signed(
    node: LocalNode,
    digest: str,
    exc: EnvelopeRefused,
    routing: Routing | None,
    remote_addr: str,
    now: dt.datetime,
) -> InboundResult:
    """Refused by the envelope layer after the sender's registered key verified (a forbidden
    purpose, a bad date or schema): said by that node, so recorded in full, every time. Nothing
    is kept in the inbox (the header may not even parse)."""
    claimed_from = _claimed_sender(routing)
    message_id = str(routing.message_id) if routing else ""
    receipt = _envelope_refusal_receipt(node, digest, exc, claimed_from, now)
    with transaction.atomic():
        InboundRefusal.objects.create(
            at=now,
            reason=exc.reason.value,
            detail=exc.detail[:500],
            envelope_sha256=digest,
            from_node=claimed_from,
            message_id=message_id,
            authenticated=True,
            remote_addr=remote_addr[:64],
        )
        evidence.envelope_received(
            envelope_sha256=digest,
            receipt=receipt,
            status="rejected",
            from_node=claimed_from,
            message_id=message_id,
            reason_code=exc.reason.value,
        )
    log.warning("refused signed envelope %s from %s: %s", digest[:12], claimed_from, exc)
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
