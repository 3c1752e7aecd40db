"""Witnessed audit: this node's signed checkpoints go to its partner nodes, theirs are kept and
checked here (``core.protocol.threads.AUDIT_CHECKPOINT``; the checks are ``waymark.audit.witness``).

A *round* (``witness_round``, run by the dispatcher every ``WAYMARK_AUDIT_CHECKPOINT_SECONDS``:
``run_rounds``) signs a checkpoint if the log grew, then sends the latest one to each partner
node that has none of ours in flight, with a consistency proof from the last one that partner
accepted. A partner node is one hosting an organisation that one of ours has an agreement in
force with, listing this message type, and whose registry entry says it takes it. The message
travels between the first such pair of organisations (agreements by identifier, organisations
by slug), under that agreement, for the purpose ``audit``, carrying no data category: it is
about the node's log, never about a child (docs/protocol.md §6.7).

On the receiving side the checkpoint is witnessed (kept, judged, audited) and the thread records
that it arrived; one whose signature does not verify is refused (``schema_invalid``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.audit import service as audit
from waymark.audit import witness
from waymark.audit.models import Checkpoint
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import AUDIT_CHECKPOINT
from waymark.errors import ActionError
from waymark.vocab import Purpose

from .. import guard, outbound
from .. import plumbing as p
from ..models import OUTBOX_OPEN, Direction, OutboxMessage, OutboxStatus, Thread
from ..node import LocalNode, local_node
from ..registry import ExchangeUnavailable, current_registry
from . import register
from .base import ThreadKind

T = MessageType
log = logging.getLogger("waymark.exchange.witness")


def conversation_id(node_id: str) -> str:
    """One conversation per sending node: the dispatcher delivers it in order to each peer."""
    return f"audit:{node_id}"


@dataclass(frozen=True)
class Partner:
    node_id: str
    from_org: str
    to_org: str
    agreement_id: str


def partners(registry: Registry, node_id: str, now: dt.datetime) -> list[Partner]:
    """The partner nodes of ``node_id`` and the organisations and agreement a checkpoint travels
    between and under, checked as the receiver will check them (registry, then Cedar)."""
    ours = {o.slug for o in registry.organisations if o.node_id == node_id}
    hosted = set(Organisation.objects.filter(slug__in=ours).values_list("slug", flat=True))
    found: dict[str, Partner] = {}
    for agreement in sorted(registry.agreements, key=lambda a: a.identifier):
        for from_org in sorted(set(agreement.parties) & hosted):
            for to_org in sorted(agreement.parties):
                peer = registry.node_for_org(to_org)
                if (
                    peer is None
                    or peer.node_id == node_id
                    or peer.node_id in found
                    or not peer.takes(T.AUDIT_CHECKPOINT)
                ):
                    continue
                refused = registry.agreement_decision(
                    agreement.identifier,
                    from_org=from_org,
                    to_org=to_org,
                    purpose=Purpose.AUDIT,
                    categories=(),
                    type=T.AUDIT_CHECKPOINT,
                    at=now,
                ) or guard.policy_refusal(
                    registry,
                    agreement_id=agreement.identifier,
                    from_org=from_org,
                    to_org=to_org,
                    purpose=Purpose.AUDIT,
                    categories=(),
                    now=now,
                )
                if not refused:
                    found[peer.node_id] = Partner(peer.node_id, from_org, to_org, agreement.identifier)
    return [found[k] for k in sorted(found)]


def _accepted_size(peer_node: str) -> int:
    """The tree size of the last of our checkpoints ``peer_node`` accepted (0 for none)."""
    receipted = (
        OutboxMessage.objects.filter(
            to_node=peer_node, message_type=T.AUDIT_CHECKPOINT, status=OutboxStatus.RECEIPTED
        )
        .order_by("-id")
        .values_list("message_id", flat=True)
        .first()
    )
    if receipted is None:
        return 0
    thread = Thread.objects.filter(
        kind=AUDIT_CHECKPOINT.kind, direction=Direction.OUTGOING, opened_message_id=receipted
    ).first()
    return int(thread.facts.get("tree_size", 0)) if thread is not None else 0


def _already_sent(peer_node: str, cp: Checkpoint) -> bool:
    """Is ``cp`` in flight to the peer or accepted by it (or is anything of ours in flight)?"""
    ours = OutboxMessage.objects.filter(to_node=peer_node, message_type=T.AUDIT_CHECKPOINT)
    if ours.filter(status__in=OUTBOX_OPEN).exists():
        return True
    last = (
        Thread.objects.filter(kind=AUDIT_CHECKPOINT.kind, direction=Direction.OUTGOING, peer_node=peer_node)
        .order_by("-id")
        .first()
    )
    if last is None or last.facts.get("checkpoint") != cp.pk:
        return False
    return ours.filter(message_id=last.opened_message_id, status=OutboxStatus.RECEIPTED).exists()


def send_checkpoint(
    node: LocalNode, registry: Registry, partner: Partner, cp: Checkpoint, now: dt.datetime
) -> Thread:
    """Seal ``cp`` with its proof for ``partner`` into the outbox, and record the thread."""
    since = _accepted_size(partner.node_id)
    offered = witness.offer(cp, since)
    body = m.AuditCheckpoint(
        note=offered.note,
        verifier_key=offered.verifier_key,
        old_size=offered.old_size,
        old_root=offered.old_root,
        proof=offered.proof,
    )
    with transaction.atomic():
        header = outbound.build_header(
            node,
            registry,
            type=T.AUDIT_CHECKPOINT,
            body=body,
            conversation_id=conversation_id(node.node_id),
            from_org=partner.from_org,
            to_org=partner.to_org,
            agreement_id=partner.agreement_id,
            purpose=Purpose.AUDIT,
            now=now,
        )
        row = outbound.enqueue(
            node,
            registry,
            header,
            body,
            case=None,
            user=None,
            summary=f"Audit checkpoint ({cp.tree_size} entries) to {partner.node_id}",
        )
        thread = Thread(
            kind=AUDIT_CHECKPOINT.kind,
            direction=Direction.OUTGOING,
            status=AUDIT_CHECKPOINT.opened,
            conversation_id=header.conversation_id,
            local_org=Organisation.objects.get(slug=partner.from_org),
            peer_node=partner.node_id,
            peer_org=partner.to_org,
            peer_org_name=p.org_name(registry, partner.to_org)[:200],
            agreement_id=partner.agreement_id,
            purpose=Purpose.AUDIT,
            categories=[],
            opened_message_id=row.message_id,
            facts={
                "checkpoint": cp.pk,
                "tree_size": cp.tree_size,
                "root_hash": cp.root_hash,
                "old_size": since,
            },
            created_at=now,
            updated_at=now,
        )
        thread.save(force_insert=True)
        p.record(
            thread, message_id=row.message_id, direction=Direction.OUTGOING, type=T.AUDIT_CHECKPOINT, at=now
        )
    return thread


@dataclass(frozen=True)
class Round:
    checkpoint: Checkpoint | None  # the one signed this round, if the log grew
    sent: list[Thread] = field(default_factory=list)


def witness_round(node: LocalNode | None = None, *, now: dt.datetime | None = None) -> Round:
    """Sign a checkpoint if the log grew, and send the latest to each partner that needs it.

    Raises ``ExchangeUnavailable`` (no registry or keys) and ``AuditUnavailable``; a partner the
    message cannot be sealed for is logged and skipped."""
    now = now or timezone.now()
    made = witness.checkpoint_if_grown()
    node = node or local_node()
    registry = current_registry(now)
    node.check_listed(registry)
    latest = made or Checkpoint.objects.order_by("-id").first()
    sent: list[Thread] = []
    if latest is None:
        return Round(made, sent)
    for partner in partners(registry, node.node_id, now):
        if _already_sent(partner.node_id, latest):
            continue
        try:
            sent.append(send_checkpoint(node, registry, partner, latest, now))
        except ActionError as exc:
            log.warning("audit checkpoint not sent to %s: %s", partner.node_id, exc)
    return Round(made, sent)


def run_rounds(
    stop: threading.Event,
    node: LocalNode | None,
    *,
    interval: float | None = None,
    round: Callable[[LocalNode | None], object] = witness_round,
) -> None:
    """A round now, then every ``interval`` seconds (``WAYMARK_AUDIT_CHECKPOINT_SECONDS``) until
    ``stop`` is set: the dispatcher runs this in a thread of its own. 0: no rounds at all."""
    every = float(interval if interval is not None else settings.WAYMARK_AUDIT_CHECKPOINT_SECONDS)
    if every <= 0:
        return
    try:
        while not stop.is_set():
            try:
                round(node)
            except (ExchangeUnavailable, audit.AuditUnavailable, DatabaseError) as exc:
                log.warning("audit checkpoint round skipped: %s", getattr(exc, "reason", exc))
                close_old_connections()
            if stop.wait(every):
                break
    finally:
        connection.close()


# --- receiving ----------------------------------------------------------------------------------


def _on_checkpoint(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.AuditCheckpoint)
    h = opened.header
    if h.purpose.value != Purpose.AUDIT:
        raise p.Refusal(ReasonCode.NOT_GRANTED, "an audit checkpoint travels for the purpose audit only")
    offered = witness.Offered(
        note=body.note,
        verifier_key=body.verifier_key,
        old_size=body.old_size,
        old_root=body.old_root,
        proof=tuple(body.proof),
    )
    try:
        held = witness.witness(h.from_node, offered, received_at=now, message_id=str(h.message_id))
    except witness.WitnessRefused as exc:
        raise p.Refusal(ReasonCode.SCHEMA_INVALID, str(exc)) from exc
    return p.open_incoming(
        AUDIT_CHECKPOINT,
        opened,
        registry,
        now,
        facts={"tree_size": held.tree_size, "root_hash": held.root_hash, "verdict": held.verdict},
    )


KIND = register(
    ThreadKind(
        conversation=AUDIT_CHECKPOINT,
        slug="checkpoint",
        label=_("Audit checkpoint"),
        line="exchange/audit_checkpoint/_line.html",
        on_open=_on_checkpoint,
        states={"sent": _("Sent")},
        messages={T.AUDIT_CHECKPOINT: _("Audit checkpoint")},
        order=90,
    )
)
