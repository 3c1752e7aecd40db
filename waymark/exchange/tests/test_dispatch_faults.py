"""Faults the exchange survives with a fake transport: a dead peer, a lost response, a bad
receipt, a killed worker's claim, concurrent workers; ordering per conversation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.exchange.dispatcher import claim, deliver, dispatch_one, dispatch_pending
from waymark.exchange.models import InboxMessage, OutboxMessage, OutboxStatus, Thread
from waymark.exchange.testing import make_due
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case


def notice(people, federation, case, subject, to_org="fr-ngo-calais"):
    return notices.do_send_notice(
        people.giulia,
        case,
        notices.NoticeIn(to_org=to_org, subject=subject, text="Fictional."),
        node=federation.it,
    )


def test_a_dead_peer_is_retried_with_backoff_then_everything_arrives(people, federation, wire):
    case = create_case(people.giulia)
    wire.down.add("node-fr")
    for n in range(3):
        notice(people, federation, case, f"notice {n}")

    dispatch_pending(federation.it, wire)

    head = OutboxMessage.objects.order_by("id")[0]
    assert head.status == OutboxStatus.PENDING and head.attempts == 1
    assert "connection refused" in head.last_error
    assert head.next_attempt_at > timezone.now()  # backing off
    assert not InboxMessage.objects.exists()

    wire.down.clear()
    make_due()
    dispatch_pending(federation.it, wire)

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.RECEIPTED}
    # In order, per conversation: the receiver applied them in the order they were written.
    received = [
        n.data.text("subject")
        for n in Thread.objects.filter(kind="notice").filter(direction="in").order_by("id")
    ]
    assert received == ["notice 0", "notice 1", "notice 2"]


def test_a_later_message_of_a_conversation_waits_for_the_earlier_one(people, federation, wire):
    case = create_case(people.giulia)
    wire.down.add("node-fr")
    notice(people, federation, case, "first")
    dispatch_pending(federation.it, wire)  # first attempt fails, first message backs off
    notice(people, federation, case, "second")
    wire.down.clear()

    dispatch_pending(federation.it, wire)  # the second is due, but must not overtake the first

    assert not InboxMessage.objects.exists()
    make_due()
    dispatch_pending(federation.it, wire)
    assert [
        n.data.text("subject")
        for n in Thread.objects.filter(kind="notice").filter(direction="in").order_by("id")
    ] == [
        "first",
        "second",
    ]


def test_a_dead_peer_does_not_hold_up_the_others(people, federation, wire):
    case = create_case(people.giulia)
    wire.down.add("node-fr")
    notice(people, federation, case, "to France")
    notice(people, federation, case, "to Belgium", to_org="be-police-mpu")

    dispatch_pending(federation.it, wire)

    assert OutboxMessage.objects.get(to_node="node-be").status == OutboxStatus.RECEIPTED
    assert OutboxMessage.objects.get(to_node="node-fr").status == OutboxStatus.PENDING


def test_a_lost_response_is_resent_and_absorbed_with_the_same_receipt(people, federation, wire):
    case = create_case(people.giulia)
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
    )
    wire.lose_response.add("node-fr")
    dispatch_pending(federation.it, wire)
    first_receipt = InboxMessage.objects.get().receipt
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING

    wire.lose_response.clear()
    make_due()
    dispatch_pending(federation.it, wire)

    row = OutboxMessage.objects.get()
    inbox = InboxMessage.objects.get()
    assert row.status == OutboxStatus.RECEIPTED
    assert row.receipt == first_receipt  # the same signed receipt, not a new one
    assert inbox.times_received == 2
    assert Thread.objects.filter(kind="referral").filter(direction="in").count() == 1  # one effect


def test_a_receipt_that_does_not_verify_leaves_the_message_pending(people, federation, wire):
    from waymark.core.protocol.receipts import accepted, build_receipt

    case = create_case(people.giulia)
    notice(people, federation, case, "hello")
    row = OutboxMessage.objects.get()

    def forged(node_id, genuine):
        # Signed by node-be's key, claiming to be node-fr's receipt.
        fake = accepted(
            message_id=row.message_id,
            envelope_sha256=row.envelope_sha256,
            received_at=timezone.now(),
            from_node="node-fr",
            to_node="node-it",
        )
        return build_receipt(fake, federation.be.keys)

    wire.reply = forged
    dispatch_pending(federation.it, wire)

    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert "receipt does not verify" in row.last_error


def test_a_killed_workers_claim_is_taken_over_after_the_lease(people, federation, wire, settings):
    case = create_case(people.giulia)
    notice(people, federation, case, "hello")
    assert claim("node-fr", "worker-that-dies") is not None
    # Within the lease nobody else may take it.
    assert claim("node-fr", "worker-2") is None

    later = timezone.now() + dt.timedelta(seconds=settings.WAYMARK_EXCHANGE_LEASE_SECONDS + 1)
    row = claim("node-fr", "worker-2", now=later)
    assert row is not None and row.claimed_by == "worker-2"
    assert deliver(federation.it, wire, row, "worker-2").outcome == "receipted"


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_owner(people, federation, wire, settings):
    case = create_case(people.giulia)
    notice(people, federation, case, "hello")
    stale = claim("node-fr", "slow-worker")
    assert stale is not None
    later = timezone.now() + dt.timedelta(seconds=settings.WAYMARK_EXCHANGE_LEASE_SECONDS + 1)
    claim("node-fr", "worker-2", now=later)

    assert deliver(federation.it, wire, stale, "slow-worker").outcome == "lost_lease"
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.SENDING and row.claimed_by == "worker-2"
    # The message did arrive; the new owner gets the same receipt back and finishes it.
    assert dispatch_one(federation.it, wire, "node-fr", "worker-2") is None  # still leased to itself
    assert deliver(federation.it, wire, row, "worker-2").outcome == "receipted"
    assert InboxMessage.objects.get().times_received == 2
