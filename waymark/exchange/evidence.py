"""Evidence: every envelope and every receipt goes into this node's audit log, by hash.

The sender logs ``envelope_sent`` when it commits to sending (same transaction as the outbox
row) and ``receipt`` when a valid signed receipt comes back; the receiver logs one
``envelope_received`` entry naming the envelope and the receipt it issued, in the transaction
that applies the message (or records the refusal). Both logs therefore hold the same envelope SHA-256 and
receipt SHA-256, which is what the reconciler checks. Entries hold identifiers and hashes,
never message content (``waymark.audit.service`` contract).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from waymark.audit import service as audit
from waymark.audit.models import AuditEntry
from waymark.vocab import AuditDecision, AuditKind

if TYPE_CHECKING:
    import datetime as dt

    from waymark.accounts.models import User
    from waymark.cases.models import Case

    from .models import OutboxMessage
    from .unsigned import Window

EXCHANGE_KINDS = (AuditKind.ENVELOPE_SENT, AuditKind.ENVELOPE_RECEIVED, AuditKind.RECEIPT)


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("ascii") if isinstance(data, str) else data).hexdigest()


def envelope_sent(row: OutboxMessage, *, user: User | None) -> None:
    audit.record(
        AuditKind.ENVELOPE_SENT,
        actor=user,
        purpose=row.purpose,
        decision=AuditDecision.ALLOW,
        agreement=row.agreement_id,
        peer_org=row.to_org,
        subject=row.case.audit_subject if row.case is not None else None,
        categories=row.categories,
        details={
            "message_id": str(row.message_id),
            "type": row.message_type,
            "to_node": row.to_node,
            "envelope_sha256": row.envelope_sha256,
        },
    )


def envelope_cancelled(row: OutboxMessage, *, reason_code: str) -> None:
    """The sender stopped a queued envelope before (re)sending it: the agreement no longer
    allows it. A refused ``envelope_sent``, so the child's access report says it was not sent."""
    audit.record(
        AuditKind.ENVELOPE_SENT,
        actor_org=row.from_org,  # the dispatcher acts for the sending organisation
        purpose=row.purpose,
        decision=AuditDecision.DENY,
        reasons=[reason_code],
        agreement=row.agreement_id,
        peer_org=row.to_org,
        subject=row.case.audit_subject if row.case is not None else None,
        categories=row.categories,
        details={
            "message_id": str(row.message_id),
            "type": row.message_type,
            "to_node": row.to_node,
            "envelope_sha256": row.envelope_sha256,
            "cancelled": reason_code,
        },
    )


def receipt_received(row: OutboxMessage, receipt: bytes, *, status: str, reason_code: str = "") -> None:
    audit.record(
        AuditKind.RECEIPT,
        purpose=row.purpose,
        decision=AuditDecision.ALLOW if status == "accepted" else AuditDecision.DENY,
        reasons=[reason_code] if reason_code else [],
        agreement=row.agreement_id,
        peer_org=row.to_org,
        subject=row.case.audit_subject if row.case is not None else None,
        details={
            "direction": "received",
            "message_id": str(row.message_id),
            "peer_node": row.to_node,
            "envelope_sha256": row.envelope_sha256,
            "receipt_sha256": sha256_hex(receipt),
            "status": status,
        },
    )


def envelope_received(
    *,
    envelope_sha256: str,
    receipt: bytes,
    status: str,
    from_node: str,
    message_id: str,
    reason_code: str = "",
    from_org: str = "",
    message_type: str = "",
    purpose: str = "",
    agreement: str = "",
    categories: Iterable[str] = (),
    case: Case | None = None,
    authenticated: bool = True,
    duplicate: bool = False,
) -> None:
    """The envelope as received and the receipt this node answered with, in one entry: both
    hashes, the decision and its reason. (One entry, not two, because it is one event — and the
    audit append is the costliest step of receiving a message.)"""
    audit.record(
        AuditKind.ENVELOPE_RECEIVED,
        # The principal is on another node: named by its organisation (and node), not a User.
        actor_name=f"node:{from_node}"[:150] if authenticated else "",
        actor_org=from_org if authenticated else "",
        purpose=purpose if authenticated else "",
        decision=AuditDecision.ALLOW if status == "accepted" else AuditDecision.DENY,
        reasons=[reason_code] if reason_code else [],
        agreement=agreement if authenticated else "",
        peer_org=from_org if authenticated else "",
        subject=case.audit_subject if case is not None else None,
        categories=categories if authenticated else (),
        details={
            "message_id": message_id,
            "peer_node": from_node,
            "type": message_type,
            "envelope_sha256": envelope_sha256,
            "receipt_sha256": sha256_hex(receipt),
            "status": status,
            "authenticated": authenticated,
            "duplicate": duplicate,
        },
    )


def unsigned_counted(window: Window, now: dt.datetime) -> None:
    """One entry for the envelopes refused without a valid signature of a registered node that
    were counted rather than recorded one by one (``unsigned``): how many, why, claimed by whom."""
    audit.record(
        AuditKind.ENVELOPE_RECEIVED,
        decision=AuditDecision.DENY,
        reasons=sorted(window.reasons),
        details={
            "unsigned_refused": window.count,
            "reasons": dict(sorted(window.reasons.items())),
            "claimed_from": dict(sorted(window.claimed_from.items())),
            "window_started": window.started.isoformat(timespec="seconds"),
            "window_ended": now.isoformat(timespec="seconds"),
            "authenticated": False,
        },
    )


def logged_hashes() -> dict[str, set[str]]:
    """Every envelope and receipt hash in this node's audit log, by kind (for the reconciler)."""
    out: dict[str, set[str]] = {"envelope_sent": set(), "envelope_received": set(), "receipt": set()}
    for kind, details in AuditEntry.objects.filter(kind__in=EXCHANGE_KINDS).values_list("kind", "details"):
        if not isinstance(details, dict):
            continue
        # A receipt hash is logged by the sender (kind receipt) and by the receiver (inside its
        # envelope_received entry).
        if details.get("receipt_sha256"):
            out["receipt"].add(str(details["receipt_sha256"]))
        if kind != AuditKind.RECEIPT and details.get("envelope_sha256"):
            out[str(kind)].add(str(details["envelope_sha256"]))
    return out
