"""Putting a message in the outbox: sealed once, in the caller's transaction.

``enqueue`` must run inside the transaction that makes the business change (an action's
``do_*``): the outbox row, the audit entry and the business rows commit together or not at all
(transactional outbox). The dispatcher sends it later; this module never touches the network.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import connection
from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.core.protocol.envelope import envelope_sha256, seal
from waymark.core.protocol.messages import Body, Header, MessageType, make_header
from waymark.core.protocol.reasons import EnvelopeRefused
from waymark.core.protocol.registry import Registry
from waymark.errors import ActionError

from . import evidence
from .models import OutboxMessage, OutboxStatus
from .node import LocalNode


def build_header(
    node: LocalNode,
    registry: Registry,
    *,
    type: MessageType,
    body: Body,
    conversation_id: str,
    from_org: str,
    to_org: str,
    agreement_id: str,
    purpose: str,
    now: dt.datetime,
    in_reply_to: uuid.UUID | None = None,
) -> Header:
    peer = registry.node_for_org(to_org)
    if peer is None:
        raise ActionError(f"'{to_org}' is not hosted by any node in the registry", field="to_org")
    return make_header(
        type=type,
        body=body,
        conversation_id=conversation_id,
        from_node=node.node_id,
        from_org=from_org,
        to_node=peer.node_id,
        to_org=to_org,
        agreement_id=agreement_id,
        purpose=purpose,  # type: ignore[arg-type]  # pydantic coerces the vocabulary value
        now=now,
        lifetime=dt.timedelta(seconds=settings.WAYMARK_EXCHANGE_ENVELOPE_TTL_SECONDS),
        in_reply_to=in_reply_to,
    )


def enqueue(
    node: LocalNode,
    registry: Registry,
    header: Header,
    body: Body,
    *,
    case: Case | None,
    user: User | None,
    summary: str = "",
) -> OutboxMessage:
    """Seal ``body`` for the header's recipient and write the outbox row (and its audit entry)."""
    if not connection.in_atomic_block:
        raise RuntimeError("enqueue() must run inside the transaction of the business change")
    recipient = registry.encryption_key(header.to_node)
    if recipient is None:
        raise ActionError(f"node {header.to_node} is not in the registry", field="to_org")
    try:
        envelope = seal(header, body, node.keys, recipient)
    except EnvelopeRefused as exc:
        raise ActionError(f"this message cannot be sent: {exc.detail or exc.reason.value}") from exc
    now = timezone.now()
    row = OutboxMessage.objects.create(
        message_id=header.message_id,
        conversation_id=header.conversation_id,
        to_node=header.to_node,
        to_org=header.to_org,
        from_org=header.from_org,
        message_type=header.type.value,
        agreement_id=header.agreement_id,
        purpose=header.purpose.value,
        categories=[c.value for c in header.data_categories],
        summary=summary[:300],
        case=case,
        created_by=user,
        envelope=envelope.decode("ascii"),
        envelope_sha256=envelope_sha256(envelope),
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    evidence.envelope_sent(row, user=user)
    return row
