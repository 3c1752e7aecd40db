"""The exchange layer of the firewall: a message for immigration enforcement is never sealed and
never accepted, whatever else is right about it."""

from __future__ import annotations

import pytest

from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import open_envelope, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import MessageType, body_json
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode
from waymark.core.protocol.vocab import Purpose

IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")


def test_a_node_refuses_to_seal_a_message_for_immigration_enforcement():
    body = fed.referral_offer()
    header = fed.header_for(body, purpose=Purpose.IMMIGRATION_ENFORCEMENT)

    with pytest.raises(EnvelopeRefused) as caught:
        seal(header, body, IT, public_jwk(FR.encryption))

    assert caught.value.reason == ReasonCode.FORBIDDEN_PURPOSE


def test_a_correctly_signed_envelope_for_immigration_enforcement_is_refused():
    body = fed.referral_offer()
    header = fed.header_for(body, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
    raw = fed.forge(header.model_dump(mode="json"), body_json(body))

    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(raw, FR, fed.KeyRing(), fed.NOW)

    assert caught.value.reason == ReasonCode.FORBIDDEN_PURPOSE


def test_the_registry_refuses_to_let_any_agreement_carry_it():
    registry = fed.registry()

    decision = registry.agreement_decision(
        fed.AGREEMENT_ID,
        from_org="it-cps-milano",
        to_org="fr-ngo-calais",
        purpose=Purpose.IMMIGRATION_ENFORCEMENT,
        categories=[],
        type=MessageType.NOTICE,
        at=fed.NOW,
    )

    assert decision == ReasonCode.FORBIDDEN_PURPOSE
