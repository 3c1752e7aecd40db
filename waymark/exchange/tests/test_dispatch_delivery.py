"""The dispatcher delivers the outbox and marks a row done only on a valid signed receipt."""

from __future__ import annotations

import hashlib

from waymark.audit.models import AuditEntry
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.evidence import EXCHANGE_KINDS
from waymark.exchange.models import Direction, InboxMessage, InboxStatus, OutboxMessage, OutboxStatus, Thread
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case
from waymark.vocab import AuditKind


def offer_from_giulia(people, federation, **child):
    case = create_case(people.giulia, **child)
    return case, referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason="Travelling to Calais."),
        node=federation.it,
    )


def test_a_delivered_offer_is_receipted_and_appears_at_the_receiver(people, federation, wire):
    case, _ = offer_from_giulia(people, federation, given_names="Amina", family_name="Tesfay")

    assert dispatch_pending(federation.it, wire) == 1

    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.RECEIPTED and row.receipted_at is not None and row.attempts == 1
    inbox = InboxMessage.objects.get()
    assert (inbox.from_node, inbox.message_id, inbox.status) == (
        "node-it",
        row.message_id,
        InboxStatus.ACCEPTED,
    )
    assert inbox.envelope_sha256 == row.envelope_sha256
    assert inbox.receipt == row.receipt
    received = Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)
    assert received.local_org == people.fr_ngo and received.status == "offered"
    assert received.data.doc("offer")["child"]["given_names"] == "Amina"
    assert received.conversation_id == str(case.public_id)


def test_both_audit_logs_hold_the_envelope_and_receipt_hashes(people, federation, wire):
    offer_from_giulia(people, federation)
    dispatch_pending(federation.it, wire)
    row = OutboxMessage.objects.get()
    receipt_sha = hashlib.sha256(row.receipt.encode()).hexdigest()
    entries = {e.kind: e.details for e in AuditEntry.objects.filter(kind__in=list(EXCHANGE_KINDS))}
    assert entries[AuditKind.ENVELOPE_SENT]["envelope_sha256"] == row.envelope_sha256
    assert entries[AuditKind.RECEIPT]["receipt_sha256"] == receipt_sha
    received = entries[AuditKind.ENVELOPE_RECEIVED]
    assert (received["envelope_sha256"], received["receipt_sha256"]) == (row.envelope_sha256, receipt_sha)


def test_nothing_due_means_nothing_sent(people, federation, wire):
    assert dispatch_pending(federation.it, wire) == 0
    assert wire.sent == []
