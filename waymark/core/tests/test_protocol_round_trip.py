"""An envelope sealed by one node opens, verified and intact, at the node it is addressed to."""

from __future__ import annotations

import uuid

import pytest

from waymark.core.protocol import jose
from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import envelope_sha256, open_envelope, peek_routing, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import BODY_SCHEMAS, REPLY_TYPES, MessageType

NOW = fed.NOW
IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")

SAMPLES = fed.sample_bodies()


def test_every_message_type_that_travels_has_a_sample():
    assert set(SAMPLES) == set(BODY_SCHEMAS)
    assert MessageType.RECEIPT not in BODY_SCHEMAS


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_each_message_type_arrives_as_it_was_sent(kind):
    body = SAMPLES[kind]
    in_reply_to = uuid.uuid4() if kind in REPLY_TYPES else None
    header = fed.header_for(body, type=kind, in_reply_to=in_reply_to)
    raw = seal(header, body, IT, public_jwk(FR.encryption))

    opened = open_envelope(raw, FR, fed.KeyRing(), NOW, expected_to_node="node-fr")

    assert opened.header == header
    assert opened.body == body
    assert opened.sender_kid == IT.signing_kid
    assert opened.envelope_sha256 == envelope_sha256(raw)


def test_a_typical_referral_is_about_two_kilobytes_and_hides_the_child():
    body = fed.referral_offer()
    raw = seal(fed.header_for(body), body, IT, public_jwk(FR.encryption))

    assert 2_000 < len(raw) < 8_000
    assert b"Amina" not in raw
    assert b"child_protection" not in raw  # the purpose is inside the encryption too


def test_the_routing_fields_can_be_read_before_decrypting():
    body = fed.referral_offer()
    header = fed.header_for(body)
    raw = seal(header, body, IT, public_jwk(FR.encryption))

    routing = peek_routing(raw)

    assert (routing.from_node, routing.to_node, routing.message_id) == (
        "node-it",
        "node-fr",
        header.message_id,
    )
    assert routing.sender_kid == IT.signing_kid
    assert routing.recipient_kid == FR.encryption_kid


def test_the_receiver_keeps_the_senders_signature_as_evidence():
    body = fed.referral_offer()
    raw = seal(fed.header_for(body), body, IT, public_jwk(FR.encryption))

    opened = open_envelope(raw, FR, fed.KeyRing(), NOW)

    payload, kid = jose.verify(opened.signed_message, jose.TYP_MESSAGE, lambda k: public_jwk(IT.signing))
    assert kid == IT.signing_kid
    assert b"Amina" in payload


def test_two_seals_of_one_message_differ_but_both_open():
    body = fed.referral_offer()
    header = fed.header_for(body)
    first = seal(header, body, IT, public_jwk(FR.encryption))
    second = seal(header, body, IT, public_jwk(FR.encryption))

    assert first != second  # fresh ephemeral key and IV each time
    assert (
        open_envelope(first, FR, fed.KeyRing(), NOW).header
        == open_envelope(second, FR, fed.KeyRing(), NOW).header
    )
