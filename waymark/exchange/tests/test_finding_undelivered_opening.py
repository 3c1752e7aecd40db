"""A finding noted at the last stop: a conversation whose opening message the receiver refused
(a signed negative receipt) stayed "offered" on the sender's side, its reply clock running, the
child still shared with the peer for it — and an undelivered transfer offer blocked every later
transfer of the case ("one transfer at a time"). The conversation never began: it now ends as
*undelivered* (a final state of every kind), its clock stops, the context it opened closes, and
the case may be offered again."""

from __future__ import annotations

import pytest

from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.threads import UNDELIVERED, Side
from waymark.exchange import threads
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import OutboxMessage, OutboxStatus, Thread
from waymark.exchange.templatetags.exchange import state, thread_clock
from waymark.exchange.threads import info_request as info_requests
from waymark.exchange.threads import transfer as transfers
from waymark.policy.models import SharedContext
from waymark.test import create_case
from waymark.vocab import DataCategory, Purpose


def refused_by_an_older_node(federation, wire, type: MessageType) -> None:
    """Deliver what is pending to a receiver that does not implement ``type``'s kind: it answers
    with a signed ``not_implemented`` receipt."""
    kind = threads.for_type(type)
    assert kind is not None
    threads.unregister(kind.conversation.kind)
    try:
        dispatch_pending(federation.it, wire)
    finally:
        threads.register(kind)


def offer(people, federation, case) -> Thread:
    return transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(
            confirmed=True,
            to_org="fr-ngo-calais",
            purpose=Purpose.CHILD_PROTECTION,
            reason="Moving to Calais.",
        ),
        node=federation.it,
    )


def open_contexts(thread: Thread) -> int:
    return SharedContext.objects.filter(source_id=thread.public_id, closed_at__isnull=True).count()


def test_finding_undelivered_transfer_offer_blocks_the_case(people, federation, wire):
    case = create_case(people.giulia, given_names="Yonas")
    sent = offer(people, federation, case)
    assert open_contexts(sent) == 1
    refused_by_an_older_node(federation, wire, MessageType.CASE_TRANSFER)
    row = OutboxMessage.objects.get(message_id=sent.opened_message_id)
    assert row.status == OutboxStatus.REJECTED and row.receipt_reason == "not_implemented"
    sent.refresh_from_db()
    assert sent.status == UNDELIVERED and str(state(sent)) == "not delivered"
    assert open_contexts(sent) == 0
    # Nothing may be sent in a conversation that never began.
    assert threads.KINDS["transfer"].conversation.sendable(sent.status, Side.OPENER) == []
    # The case may be offered again, and this time it arrives.
    again = offer(people, federation, case)
    dispatch_pending(federation.it, wire)
    again.refresh_from_db()
    assert again.status == "offered"


def test_finding_undelivered_request_keeps_its_reply_clock_running(people, federation, wire):
    case = create_case(people.giulia)
    asked = info_requests.do_request_information(
        people.giulia,
        case,
        info_requests.InfoRequestIn(
            to_org="be-police-mpu",
            questions=[info_requests.QuestionIn(category=DataCategory.CONTACT_LOCATION, text="Seen?")],
        ),
        node=federation.it,
    )
    assert asked.due_at is not None and thread_clock(asked) is not None
    refused_by_an_older_node(federation, wire, MessageType.INFO_REQUEST)
    asked.refresh_from_db()
    assert asked.status == UNDELIVERED and asked.due_at is None and thread_clock(asked) is None


@pytest.mark.parametrize(
    "kind", ["referral", "transfer", "info_request", "notice", "family_tracing", "guardian_handover"]
)
def test_every_kind_ends_as_undelivered(kind):
    conversation = threads.KINDS[kind].conversation
    assert conversation.is_final(UNDELIVERED) and UNDELIVERED in conversation.states
    assert conversation.sendable(UNDELIVERED, Side.OPENER) == []
    assert conversation.sendable(UNDELIVERED, Side.RESPONDER) == []


@pytest.mark.parametrize("kind", ["missing_alert", "erasure_notice", "audit_checkpoint"])
def test_kinds_that_show_each_delivery_keep_their_state(kind):
    conversation = threads.KINDS[kind].conversation
    assert not conversation.ends_undelivered and UNDELIVERED not in conversation.states
