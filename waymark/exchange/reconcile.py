"""The reconciler: across nodes, nothing lost, nothing applied twice, all of it evidenced.

Each node exports a *ledger* (``ledger()``, ``manage.py exchange_ledger``): its outbox, its inbox,
the message ids its business rows record as applied, and the envelope and receipt hashes in its
audit log. ``reconcile(ledgers, registry)`` compares the ledgers of the nodes given and reports
every discrepancy:

- every receipted outbox row is an accepted inbox row at the receiver, same envelope hash, same
  receipt — and the receiver applied it exactly once (one business effect);
- every accepted inbox row matches an outbox row at its sender (receipted, or still in flight
  when ``allow_in_flight``); every business effect has its accepted inbox row;
- a row the sender cancelled (its agreement no longer allowed it) has no receipt and must not
  have been accepted anywhere;
- every receipt verifies: signed by the receiver's registered key, for that message and those
  envelope bytes;
- every envelope hash and receipt hash is in both nodes' audit logs.

Rows involving a node whose ledger is not given are skipped (a reconciler sees what it is shown).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from waymark.core.protocol.receipts import ReceiptInvalid, ReceiptStatus, verify_receipt
from waymark.core.protocol.registry import Registry

from . import evidence
from .models import Direction, InboxMessage, InboxStatus, OutboxMessage, OutboxStatus, Thread, ThreadMessage

Ledger = dict[str, Any]


def applied_message_ids(orgs: set[str] | None = None) -> Counter[str]:
    """How many business rows record each message this node received and applied.

    ``orgs`` restricts to threads of those local organisations (tests that run several nodes in
    one database); a real node counts everything.
    """
    received = ThreadMessage.objects.filter(direction=Direction.INCOMING)
    opened = Thread.objects.filter(direction=Direction.INCOMING)
    if orgs is not None:
        received = received.filter(thread__local_org__slug__in=orgs)
        opened = opened.filter(local_org__slug__in=orgs)
    applied = Counter(str(m) for m in received.values_list("message_id", flat=True))
    # A received thread stands for its opening message, unless a ledger row holds it.
    for message_id in opened.values_list("opened_message_id", flat=True):
        applied[str(message_id)] = applied[str(message_id)] or 1
    return applied


def ledger(node_id: str, *, orgs: set[str] | None = None) -> Ledger:
    """This node's side of the exchange, as plain JSON-able data (``orgs``: see above)."""
    outbox = OutboxMessage.objects.order_by("id")
    inbox = InboxMessage.objects.order_by("id")
    if orgs is not None:
        outbox = outbox.filter(from_org__in=orgs)
        inbox = inbox.filter(to_org__in=orgs)
    return {
        "node_id": node_id,
        "outbox": [
            {
                "message_id": str(r["message_id"]),
                "to_node": r["to_node"],
                "type": r["message_type"],
                "status": r["status"],
                "envelope_sha256": r["envelope_sha256"],
                "receipt": r["receipt"],
            }
            for r in outbox.values(
                "message_id", "to_node", "message_type", "status", "envelope_sha256", "receipt"
            )
        ],
        "inbox": [
            {
                "message_id": str(r["message_id"]),
                "from_node": r["from_node"],
                "type": r["message_type"],
                "status": r["status"],
                "envelope_sha256": r["envelope_sha256"],
                "receipt": r["receipt"],
            }
            for r in inbox.values(
                "message_id", "from_node", "message_type", "status", "envelope_sha256", "receipt"
            )
        ],
        "effects": dict(applied_message_ids(orgs)),
        "audit": {kind: sorted(values) for kind, values in evidence.logged_hashes().items()},
    }


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    receipted: int = 0
    rejected: int = 0
    in_flight: int = 0
    cancelled: int = 0  # stopped by the sender before sending: the agreement no longer allowed it
    inbox_accepted: int = 0
    effects: int = 0
    receipts_verified: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (
            f"{self.receipted} receipted, {self.rejected} refused, {self.cancelled} not sent, "
            f"{self.in_flight} in flight; "
            f"{self.inbox_accepted} accepted in inboxes, {self.effects} business effects, "
            f"{self.receipts_verified} receipts verified; "
            + ("no discrepancies" if self.ok else f"{len(self.problems)} discrepancies")
        )


def reconcile(ledgers: list[Ledger], registry: Registry, *, allow_in_flight: bool = False) -> Report:
    """Compare the ledgers (see the module docstring)."""
    report = Report()
    by_node = {entry["node_id"]: entry for entry in ledgers}
    inboxes = {
        node: {(row["from_node"], row["message_id"]): row for row in entry["inbox"]}
        for node, entry in by_node.items()
    }
    audits = {node: {k: set(v) for k, v in entry["audit"].items()} for node, entry in by_node.items()}

    for sender, entry in by_node.items():
        for row in entry["outbox"]:
            receiver = row["to_node"]
            mid, sha = row["message_id"], row["envelope_sha256"]
            where = f"{row['type']} {mid} {sender}→{receiver}"
            if sha not in audits[sender].get("envelope_sent", set()):
                report.problems.append(f"{where}: envelope hash not in {sender}'s audit log")
            if row["status"] == OutboxStatus.CANCELLED:
                # No receipt to check. Had an earlier attempt reached the receiver (a lost
                # receipt), its accepted inbox row is reported below as a discrepancy.
                report.cancelled += 1
                continue
            if row["status"] in (OutboxStatus.PENDING, OutboxStatus.SENDING):
                report.in_flight += 1
                if not allow_in_flight:
                    report.problems.append(f"{where}: still {row['status']}")
                continue
            receipt = row["receipt"].encode("ascii")
            try:
                verified = verify_receipt(
                    receipt,
                    resolve_signing_key=registry.resolve_signing_key,
                    receiver_node=receiver,
                    sender_node=sender,
                    message_id=uuid.UUID(mid),
                    sent_envelope_sha256=sha,
                )
                report.receipts_verified += 1
            except ReceiptInvalid as exc:
                report.problems.append(f"{where}: receipt does not verify ({exc})")
                continue
            expected = (
                ReceiptStatus.ACCEPTED if row["status"] == OutboxStatus.RECEIPTED else ReceiptStatus.REJECTED
            )
            if verified.status != expected:
                report.problems.append(
                    f"{where}: marked {row['status']} but the receipt says {verified.status}"
                )
            if row["status"] == OutboxStatus.RECEIPTED:
                report.receipted += 1
            else:
                report.rejected += 1
            receipt_sha = evidence.sha256_hex(receipt)
            if receipt_sha not in audits[sender].get("receipt", set()):
                report.problems.append(f"{where}: receipt hash not in {sender}'s audit log")
            if receiver not in by_node:
                continue
            if sha not in audits[receiver].get("envelope_received", set()):
                report.problems.append(f"{where}: envelope hash not in {receiver}'s audit log")
            if receipt_sha not in audits[receiver].get("receipt", set()):
                report.problems.append(f"{where}: receipt hash not in {receiver}'s audit log")
            got = inboxes[receiver].get((sender, mid))
            if row["status"] == OutboxStatus.RECEIPTED:
                if got is None or got["status"] != InboxStatus.ACCEPTED:
                    report.problems.append(f"{where}: receipted but not accepted in {receiver}'s inbox")
                    continue
                if got["envelope_sha256"] != sha or got["receipt"] != row["receipt"]:
                    report.problems.append(f"{where}: {receiver}'s inbox holds another envelope or receipt")
                effects = by_node[receiver]["effects"].get(mid, 0)
                if effects != 1:
                    report.problems.append(f"{where}: applied {effects} times at {receiver}")

    for receiver, entry in by_node.items():
        accepted = {row["message_id"] for row in entry["inbox"] if row["status"] == InboxStatus.ACCEPTED}
        report.inbox_accepted += len(accepted)
        report.effects += sum(entry["effects"].values())
        for row in entry["inbox"]:
            sender = row["from_node"]
            if row["status"] != InboxStatus.ACCEPTED or sender not in by_node:
                continue
            sent = next((o for o in by_node[sender]["outbox"] if o["message_id"] == row["message_id"]), None)
            if sent is None:
                report.problems.append(
                    f"{row['type']} {row['message_id']}: in {receiver}'s inbox, not in {sender}'s outbox"
                )
            elif sent["status"] not in (OutboxStatus.RECEIPTED,) and not (
                allow_in_flight and sent["status"] in (OutboxStatus.PENDING, OutboxStatus.SENDING)
            ):
                report.problems.append(
                    f"{row['type']} {row['message_id']}: accepted by {receiver} but {sent['status']} at {sender}"
                )
        for mid, count in entry["effects"].items():
            if mid not in accepted:
                report.problems.append(
                    f"message {mid}: a business effect at {receiver} without an accepted inbox row"
                )
            elif count != 1:
                report.problems.append(f"message {mid}: {count} business effects at {receiver}")
    return report
