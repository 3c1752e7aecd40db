"""A message type this node does not implement is refused as `not_implemented`, not as the policy
decision `not_granted`: after the signature and after the agreement, with a signed negative
receipt, and with no effect. What the agreement does not allow is still `not_granted`."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from waymark.cases.models import Case, Event
from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import envelope_sha256, open_envelope, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import REPLY_TYPES, MessageType, make_header
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.receipts import ReceiptStatus, verify_receipt
from waymark.core.protocol.registry import BASELINE_MESSAGE_TYPES, Grant, GrantAction
from waymark.core.protocol.vocab import DataCategory, Purpose, Role
from waymark.exchange import handlers
from waymark.exchange.inbound import receive
from waymark.exchange.models import CaseLink, InboundRefusal, InboxMessage, Thread, ThreadMessage
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import implemented_types

IT, FR = proto.node_keys("node-it"), proto.node_keys("node-fr")
SAMPLES = proto.sample_bodies()
# Every type of protocol version 1 is implemented since issues 11-13 (alerts, match queries,
# guardian hand-overs). The refusal of a type a node does not implement still matters between
# nodes of different versions: these tests take a kind away (``without``) to be such a node.
DROPPED = [MessageType.GUARDIAN_HANDOVER, MessageType.MATCH_QUERY]


@pytest.fixture
def without(request):
    """This node without the conversation kind of ``request.param`` (an older node)."""
    from waymark.exchange import threads

    taken = threads.for_type(request.param)
    assert taken is not None
    name = taken.conversation.kind
    threads.unregister(name)
    yield request.param
    threads.register(taken)


def sealed(kind: MessageType, *, from_org: str = "it-cps-milano") -> bytes:
    header = make_header(
        type=kind,
        body=SAMPLES[kind],
        conversation_id=str(uuid.uuid4()),
        from_node="node-it",
        from_org=from_org,
        to_node="node-fr",
        to_org="fr-ngo-calais",
        agreement_id=proto.AGREEMENT_ID,
        purpose=Purpose.CHILD_PROTECTION,
        now=timezone.now(),
        in_reply_to=uuid.uuid4() if kind in REPLY_TYPES else None,
    )
    return seal(header, SAMPLES[kind], IT, public_jwk(FR.encryption))


def effects() -> dict[str, int]:
    models = (Case, Event, CaseLink, Thread, ThreadMessage)
    counts = {m.__name__: m.objects.count() for m in models}
    counts["accepted"] = InboxMessage.objects.filter(status="accepted").count()
    return counts


@pytest.fixture
def every_category(federation):
    """The agreement also grants the French NGO the guardian category (a guardian handover
    carries it), so that every type is allowed by the agreement and only implementation decides."""
    guardian = Grant(
        org="fr-ngo-calais",
        role=Role.CASEWORKER,
        category=DataCategory.GUARDIAN,
        purpose=Purpose.CHILD_PROTECTION,
        action=GrantAction.READ,
    )
    federation.publish(
        dated_registry(version=2, agreements=(dated_agreement(grants=(*proto.grants(), guardian)),))
    )
    return federation


def test_every_type_of_protocol_version_1_is_implemented():
    assert sorted(t.value for t in SAMPLES if t not in implemented_types()) == []


def test_this_node_implements_at_least_the_baseline_every_peer_assumes_of_it():
    assert implemented_types() >= BASELINE_MESSAGE_TYPES


@pytest.mark.parametrize("without", DROPPED, indirect=True)
def test_unimplemented_type_is_refused_as_not_implemented_not_as_not_granted(people, every_category, without):
    raw = sealed(without)
    before = effects()

    result = receive(every_category.fr, raw)

    assert (result.outcome, result.reason) == ("rejected", "not_implemented")
    receipt = verify_receipt(
        result.receipt,
        resolve_signing_key=current_registry().resolve_signing_key,
        receiver_node="node-fr",
        sender_node="node-it",
        message_id=InboxMessage.objects.get().message_id,
        sent_envelope_sha256=envelope_sha256(raw),
    )
    assert receipt.status == ReceiptStatus.REJECTED
    assert receipt.known_reason == ReasonCode.NOT_IMPLEMENTED
    assert effects() == before
    log = InboundRefusal.objects.get(envelope_sha256=envelope_sha256(raw))
    assert log.reason == "not_implemented" and log.authenticated
    # Authentic, so kept: a re-send gets the same negative receipt and still no effect.
    assert receive(every_category.fr, raw).receipt == result.receipt
    assert effects() == before


def test_an_unimplemented_type_the_agreement_does_not_cover_is_still_not_granted(people, federation):
    covered = tuple(t for t in proto.agreement().message_types if t != MessageType.GUARDIAN_HANDOVER)
    federation.publish(dated_registry(version=2, agreements=(dated_agreement(message_types=covered),)))

    result = receive(federation.fr, sealed(MessageType.GUARDIAN_HANDOVER))

    assert (result.outcome, result.reason) == ("rejected", "not_granted")


def test_an_unimplemented_type_from_outside_the_agreement_is_refused_for_that(people, federation):
    # Policy first: a sender with no standing hears "not a party", never "not implemented".
    result = receive(federation.fr, sealed(MessageType.GUARDIAN_HANDOVER, from_org="it-guardians"))

    assert (result.outcome, result.reason) == ("rejected", "not_party")


def test_a_category_the_agreement_does_not_grant_is_still_not_granted(people, federation):
    # Without the guardian grant a guardian handover is refused by policy, before implementation.
    result = receive(federation.fr, sealed(MessageType.GUARDIAN_HANDOVER))

    assert (result.outcome, result.reason) == ("rejected", "not_granted")


@pytest.mark.parametrize("without", [MessageType.GUARDIAN_HANDOVER], indirect=True)
def test_the_handlers_never_apply_a_type_they_do_not_implement(people, federation, without):
    opened = open_envelope(sealed(without), FR, current_registry().resolve_signing_key, timezone.now())

    with pytest.raises(handlers.Refusal) as caught:
        handlers.apply(opened, current_registry(), timezone.now())

    assert caught.value.reason == ReasonCode.NOT_IMPLEMENTED
