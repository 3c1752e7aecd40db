"""The dispatcher: claims outbox rows, sends them, and marks them done only on a valid receipt.

Claiming is atomic and is a lease, so any number of dispatcher processes and threads can run and
a killed one loses nothing. A worker claims a small batch (up to ten rows, each the head of its
conversation):

- PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` picks the eligible rows, which are marked
  ``sending`` with this worker's id and the time, in one short transaction.
- SQLite: the eligible ids are read, then claimed with a conditional
  ``UPDATE … WHERE id IN (…) AND status = 'pending' AND claimed_by IS NULL`` (or a stale lease);
  rows another worker got first no longer match and are left to it.

Before each attempt the registry is asked again whether the row's agreement still allows the
message (``Registry.agreement_decision``: active, in date, the parties, type and categories). An
envelope is sealed once and may wait days for a peer that is down; if its agreement was
suspended, ended or narrowed meanwhile, the row is ``cancelled`` — never sent, final — with the
reason on the row, on the case's timeline and in the audit log (a refused ``envelope_sent``).

A claim older than ``WAYMARK_EXCHANGE_LEASE_SECONDS`` is taken over. A row is eligible when it
is due and is the oldest open row of its conversation to that peer, so messages of one
conversation arrive in the order they were written.

The network call happens outside any transaction. Then:

- a valid signed receipt (``verify_receipt``: signed by the peer's registered key, for this
  message and these exact envelope bytes) → ``receipted`` (accepted) or ``rejected`` (final,
  with the peer's reason), audit entry, and for a refusal an entry on the case timeline;
- no receipt, an error status, or a receipt that does not verify → back to ``pending`` with
  exponential backoff and jitter, and the error kept for the dashboard.

Per-peer queues: ``Dispatcher`` runs worker threads per peer, so a peer that is down (its
threads back off) never holds up messages to the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, reset_queries, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.receipts import ReceiptInvalid, ReceiptStatus, verify_receipt
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import CONVERSATIONS, UNDELIVERED
from waymark.vocab import EventType

from . import contexts, evidence
from .guard import reason_text
from .models import OUTBOX_OPEN, Direction, OutboxMessage, OutboxStatus, Thread
from .node import LocalNode
from .plumbing import org_name
from .registry import ExchangeUnavailable, current_registry
from .timeline import add_event
from .transport import Peer, Transport, TransportError, TransportRefused

log = logging.getLogger("waymark.exchange.dispatcher")

FAULT_KILL_AFTER_SEND = "kill_after_send"


def backoff_seconds(attempts: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Delay before attempt ``attempts + 1``: exponential, capped, with "equal jitter" (half of
    it random) so that many senders retrying a recovered peer do not all arrive at once."""
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def _base() -> float:
    return settings.WAYMARK_EXCHANGE_RETRY_BASE_MS / 1000


def _cap() -> float:
    return settings.WAYMARK_EXCHANGE_RETRY_MAX_MS / 1000


def _stale(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.WAYMARK_EXCHANGE_LEASE_SECONDS)


def _due(now: dt.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_at__lt=_stale(now)
    )


def conversation_heads(peer: str) -> list[int]:
    """The id of the oldest open row of each conversation to ``peer``.

    Read through the (to_node, status, …) index, so the cost follows the open rows, not the
    whole history: grouping in SQL made SQLite walk every row ever sent to the peer and read
    each one's status past its envelope (12 ms per claim at 2,500 rows, growing for ever)."""
    heads: dict[str, int] = {}
    open_rows = OutboxMessage.objects.filter(to_node=peer, status__in=OUTBOX_OPEN)
    for row_id, conversation in open_rows.values_list("id", "conversation_id").iterator(chunk_size=2000):
        if conversation not in heads or row_id < heads[conversation]:
            heads[conversation] = row_id
    return sorted(heads.values())


def eligible(peer: str, now: dt.datetime) -> QuerySet[OutboxMessage]:
    """Rows to ``peer`` that may be claimed now, oldest first: the head (oldest open row) of each
    conversation, if it is due. A conversation whose head is backing off, or is being sent by
    another worker, contributes nothing — so its later messages wait their turn. (A head stays
    the head until it is closed, and a closed row is never due, so the list read first cannot
    let a later message overtake an earlier one.)"""
    return OutboxMessage.objects.filter(id__in=conversation_heads(peer)).filter(_due(now)).order_by("id")


def claim_batch(
    peer: str, worker: str, *, limit: int = 10, now: dt.datetime | None = None
) -> list[OutboxMessage]:
    """Claim up to ``limit`` eligible rows to ``peer`` (each the head of its conversation)."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                eligible(peer, now)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("id", flat=True)[:limit]
            )
            if not ids:
                return []
            OutboxMessage.objects.filter(id__in=ids).update(
                status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now
            )
    else:
        ids = list(eligible(peer, now).values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # The conditional update is the claim: a row another worker took in between no longer
        # matches (it is no longer pending-and-unclaimed, nor a stale lease) and is left alone.
        OutboxMessage.objects.filter(id__in=ids).filter(
            Q(status=OutboxStatus.PENDING, claimed_by__isnull=True)
            | Q(status=OutboxStatus.SENDING, claimed_at__lt=_stale(now))
        ).update(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now)
    # The case and its child come along: the receipt's audit entry names the child's pseudonym.
    return list(
        OutboxMessage.objects.filter(id__in=ids, claimed_by=worker, claimed_at=now)
        .select_related("case__child")
        .order_by("id")
    )


def claim(peer: str, worker: str, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Claim the next eligible row to ``peer`` for ``worker``, or None if there is none."""
    rows = claim_batch(peer, worker, limit=1, now=now)
    return rows[0] if rows else None


@dataclass(frozen=True)
class Delivery:
    """What one attempt came to: receipted | rejected | cancelled | retry | lost_lease."""

    outcome: str
    detail: str = ""
    transport_failed: bool = False


def _release(row: OutboxMessage, worker: str, error: str, now: dt.datetime) -> Delivery:
    delay = backoff_seconds(row.attempts + 1, base=_base(), cap=_cap())
    OutboxMessage.objects.filter(pk=row.pk, claimed_by=worker, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        claimed_by=None,
        claimed_at=None,
        attempts=F("attempts") + 1,
        next_attempt_at=now + dt.timedelta(seconds=delay),
        last_error=error[:500],
    )
    return Delivery("retry", error)


def _undelivered(row: OutboxMessage, now: dt.datetime) -> None:
    """The message that opened one of our conversations was refused by its receiver, or never
    sent: the conversation never began over there. It ends as UNDELIVERED — nothing more may be
    sent in it, its reply clock stops, the child is no longer shared with the peer for it — if it
    is still where its opening left it (kinds that show each recipient's delivery themselves keep
    their state). Inside the caller's transaction."""
    thread = (
        Thread.objects.select_for_update()
        .filter(opened_message_id=row.message_id, direction=Direction.OUTGOING)
        .first()
    )
    if thread is None:
        return
    conversation = CONVERSATIONS.get(thread.kind)
    if conversation is None or not conversation.ends_undelivered or thread.status != conversation.opened:
        return
    thread.status, thread.due_at, thread.updated_at = UNDELIVERED, None, now
    thread.save(update_fields=["status", "due_at", "updated_at"])
    contexts.on_undelivered(thread, now)


def _cancel(
    registry: Registry, row: OutboxMessage, worker: str, reason: ReasonCode, now: dt.datetime
) -> Delivery:
    """Close a claimed row unsent: its agreement no longer allows it (final)."""
    detail = f"not sent: agreement {row.agreement_id}: {reason_text(reason)}"
    with transaction.atomic():
        won = OutboxMessage.objects.filter(pk=row.pk, claimed_by=worker, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.CANCELLED,
            receipt_reason=reason.value,
            receipt_detail=detail[:500],
            claimed_by=None,
            claimed_at=None,
            last_error="",
        )
        if not won:
            return Delivery("lost_lease")
        evidence.envelope_cancelled(row, reason_code=reason.value)
        _undelivered(row, now)
        if row.case is not None:
            add_event(
                row.case,
                type=EventType.NOTE,
                summary=(
                    f"Our {row.message_type.replace('_', ' ')} to {org_name(registry, row.to_org)} "
                    f"was not sent: {reason.value}"
                ),
                details=detail,
                at=now,
            )
    log.warning("%s %s to %s cancelled: %s", row.message_type, row.message_id, row.to_node, detail)
    return Delivery("cancelled", reason.value)


def deliver(node: LocalNode, transport: Transport, row: OutboxMessage, worker: str) -> Delivery:
    """Send one claimed row and record the result (see the module docstring)."""
    try:
        registry = current_registry()
        node.check_listed(registry)
    except ExchangeUnavailable as exc:
        # Our own registry is unusable: give the claim back untouched and say why.
        OutboxMessage.objects.filter(pk=row.pk, claimed_by=worker).update(
            status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None, last_error=exc.reason[:500]
        )
        raise
    entry = registry.node(row.to_node)
    if entry is None:
        return _release(row, worker, f"{row.to_node} is not in the registry", timezone.now())
    now = timezone.now()
    refusal = registry.agreement_decision(
        row.agreement_id,
        from_org=row.from_org,
        to_org=row.to_org,
        purpose=row.purpose,
        categories=row.categories,
        type=MessageType(row.message_type),
        at=now,
    )
    if refusal is not None:
        return _cancel(registry, row, worker, refusal, now)
    peer = Peer(
        node_id=entry.node_id, endpoint=str(entry.endpoint), tls_fingerprint=entry.tls_cert_sha256 or ""
    )
    try:
        raw = transport.send(peer, row.envelope.encode("ascii"))
    except TransportRefused as exc:
        return _release(row, worker, f"not sent: {exc}", timezone.now())
    except TransportError as exc:
        delivery = _release(row, worker, str(exc), timezone.now())
        return Delivery(delivery.outcome, delivery.detail, transport_failed=True)

    if settings.WAYMARK_EXCHANGE_FAULT == FAULT_KILL_AFTER_SEND:
        # Fault injection for the process tests: die after the peer applied the message and
        # before we record the receipt. The lease runs out, the row is sent again, and the
        # peer's inbox must absorb the duplicate.
        os.kill(os.getpid(), signal.SIGKILL)

    try:
        receipt = verify_receipt(
            raw,
            resolve_signing_key=registry.resolve_signing_key,
            receiver_node=row.to_node,
            sender_node=node.node_id,
            message_id=row.message_id,
            sent_envelope_sha256=row.envelope_sha256,
        )
    except ReceiptInvalid as exc:
        return _release(row, worker, f"receipt does not verify: {exc}", timezone.now())

    now = timezone.now()
    refused = receipt.status == ReceiptStatus.REJECTED
    reason = receipt.reason_code or ""
    with transaction.atomic():
        won = OutboxMessage.objects.filter(pk=row.pk, claimed_by=worker, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.REJECTED if refused else OutboxStatus.RECEIPTED,
            receipt=raw.decode("ascii"),
            receipt_reason=reason,
            receipt_detail=receipt.reason[:500],
            receipted_at=now,
            claimed_by=None,
            claimed_at=None,
            attempts=F("attempts") + 1,
            last_error="",
        )
        if not won:
            # Our lease ran out and another worker took the row; it will get the same receipt.
            return Delivery("lost_lease")
        evidence.receipt_received(row, raw, status=receipt.status.value, reason_code=reason)
        if refused:
            _undelivered(row, now)
        if refused and row.case is not None:
            add_event(
                row.case,
                type=EventType.NOTE,
                summary=f"{org_name(registry, row.to_org)} refused our {row.message_type.replace('_', ' ')}: {reason}",
                details=receipt.reason,
                at=now,
            )
    if refused:
        log.warning(
            "%s %s refused by %s: %s %s",
            row.message_type,
            row.message_id,
            row.to_node,
            reason,
            receipt.reason,
        )
        return Delivery("rejected", reason)
    return Delivery("receipted")


def dispatch_one(node: LocalNode, transport: Transport, peer: str, worker: str) -> Delivery | None:
    """Claim and deliver one row to ``peer``; None when nothing is due."""
    row = claim(peer, worker)
    if row is None:
        return None
    return deliver(node, transport, row, worker)


def dispatch_batch(
    node: LocalNode, transport: Transport, peer: str, worker: str, *, limit: int = 10
) -> list[Delivery]:
    """Claim up to ``limit`` rows to ``peer`` and deliver them in order. Stops at the first
    transport failure (the peer is probably down) and gives the rest of the batch back."""
    rows = claim_batch(peer, worker, limit=limit)
    results: list[Delivery] = []
    for i, row in enumerate(rows):
        result = deliver(node, transport, row, worker)
        results.append(result)
        if result.transport_failed:
            rest = [r.pk for r in rows[i + 1 :]]
            OutboxMessage.objects.filter(pk__in=rest, claimed_by=worker, status=OutboxStatus.SENDING).update(
                status=OutboxStatus.PENDING, claimed_by=None, claimed_at=None
            )
            break
    return results


def peers_with_work() -> list[str]:
    return sorted(set(OutboxMessage.objects.filter(status__in=OUTBOX_OPEN).values_list("to_node", flat=True)))


def dispatch_pending(
    node: LocalNode, transport: Transport, *, worker: str = "inline", limit: int = 10_000
) -> int:
    """Deliver everything due now, peer by peer, in this thread (tests, one-shot runs).
    Returns the number of attempts made."""
    attempts = 0
    progress = True
    while progress and attempts < limit:
        progress = False
        for peer in peers_with_work():
            if dispatch_one(node, transport, peer, worker) is not None:
                attempts += 1
                progress = True
    return attempts


class Dispatcher:
    """Worker threads per peer, started as peers get work; ``run`` until ``stop`` is set."""

    def __init__(
        self,
        node_factory: Callable[[], LocalNode],
        transport: Transport,
        *,
        threads_per_peer: int = 2,
        poll_seconds: float = 0.05,
        batch: int = 10,
        name: str = "",
    ) -> None:
        self.node_factory = node_factory
        self.transport = transport
        self.threads_per_peer = threads_per_peer
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.stop = threading.Event()
        self._threads: dict[str, list[threading.Thread]] = {}
        # A peer that failed at the transport level is left alone until this time (per peer,
        # shared by its threads): one dead peer costs one attempt per backoff period.
        self._peer_pause: dict[str, float] = {}
        self._peer_failures: dict[str, int] = {}
        self._work: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def run(self) -> None:
        log.info("dispatcher %s started", self.name)
        try:
            while not self.stop.is_set():
                try:
                    peers = peers_with_work()
                except DatabaseError as exc:
                    log.warning("dispatcher cannot read the outbox: %s", exc)
                    close_old_connections()
                    peers = []
                for peer in peers:
                    self._ensure_threads(peer)
                self.stop.wait(1.0)
        finally:
            self.stop.set()
            for threads in self._threads.values():
                for thread in threads:
                    thread.join(timeout=30)
            log.info("dispatcher %s stopped", self.name)

    def _ensure_threads(self, peer: str) -> None:
        with self._lock:
            alive = [t for t in self._threads.get(peer, []) if t.is_alive()]
            while len(alive) < self.threads_per_peer:
                lead = not any(t.name.endswith("-lead") for t in alive)
                n = len(alive)
                thread = threading.Thread(
                    target=self._peer_loop,
                    args=(peer, f"{self.name}:{peer}:{n}", lead),
                    name=f"dispatch-{peer}-{n}" + ("-lead" if lead else ""),
                    daemon=True,
                )
                thread.start()
                alive.append(thread)
            self._threads[peer] = alive

    def _peer_loop(self, peer: str, worker: str, lead: bool) -> None:
        """One worker for ``peer``. The lead thread polls the outbox every ``poll_seconds``; the
        others sleep until the lead finds more than one batch's worth of work (or a second has
        passed), so an idle peer costs one small query per poll, not one per thread."""
        idle_since: float | None = None
        clock = timezone.now
        work = self._work.setdefault(peer, threading.Event())
        try:
            node = self.node_factory()
            while not self.stop.is_set():
                # With DEBUG on, Django keeps every query of a connection (up to 9,000); web
                # requests reset that list, a long-running worker must do it itself.
                reset_queries()
                pause = self._peer_pause.get(peer, 0.0) - clock().timestamp()
                if pause > 0:
                    self.stop.wait(min(pause, 1.0))
                    continue
                try:
                    results = dispatch_batch(node, self.transport, peer, worker, limit=self.batch)
                except ExchangeUnavailable as exc:
                    log.error("exchange unavailable: %s", exc.reason)
                    self.stop.wait(5.0)
                    continue
                except DatabaseError as exc:
                    log.warning("database error while dispatching to %s: %s", peer, exc)
                    close_old_connections()
                    self.stop.wait(1.0)
                    continue
                if not results:
                    idle_since = idle_since or clock().timestamp()
                    if clock().timestamp() - idle_since > 30:
                        return  # restarted by ``run`` when this peer has work again
                    if lead:
                        self.stop.wait(self.poll_seconds)
                    else:
                        work.clear()
                        work.wait(1.0)
                    continue
                idle_since = None
                if len(results) >= self.batch:
                    work.set()  # a full batch: there is probably more; wake the helpers
                for result in results:
                    self._note(peer, result)
        finally:
            connection.close()

    def _note(self, peer: str, result: Delivery) -> None:
        with self._lock:
            if result.transport_failed:
                failures = self._peer_failures.get(peer, 0) + 1
                self._peer_failures[peer] = failures
                delay = backoff_seconds(failures, base=_base(), cap=_cap())
                self._peer_pause[peer] = timezone.now().timestamp() + delay
                log.info("peer %s unreachable (%s); next try in %.1fs", peer, result.detail, delay)
            elif result.outcome in ("receipted", "rejected"):
                self._peer_failures.pop(peer, None)
                self._peer_pause.pop(peer, None)
