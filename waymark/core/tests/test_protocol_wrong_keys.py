"""An envelope for someone else, or signed by someone other than its claimed sender, is refused."""

from __future__ import annotations

import base64
import json

import pytest

from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import open_envelope, seal
from waymark.core.protocol.keys import NodeKeys, public_jwk
from waymark.core.protocol.messages import body_json
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode

NOW = fed.NOW
IT, FR, BE = fed.node_keys("node-it"), fed.node_keys("node-fr"), fed.node_keys("node-be")


def referral_from_italy_to_france() -> bytes:
    body = fed.referral_offer()
    return seal(fed.header_for(body), body, IT, public_jwk(FR.encryption))


def refusal(raw: bytes, keys: NodeKeys = FR, resolver=None, expected_to_node: str | None = "node-fr"):
    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(raw, keys, resolver or fed.KeyRing(), NOW, expected_to_node=expected_to_node)
    return caught.value


def test_belgium_cannot_open_a_referral_meant_for_france():
    refused = refusal(referral_from_italy_to_france(), keys=BE, expected_to_node="node-be")

    assert refused.reason == ReasonCode.WRONG_RECIPIENT
    assert refused.routing is not None and refused.routing.from_node == "node-it"  # to address the receipt


def test_an_envelope_encrypted_to_an_old_key_of_ours_is_refused_as_wrong_recipient():
    rotated = NodeKeys.generate()

    assert refusal(referral_from_italy_to_france(), keys=rotated).reason == ReasonCode.WRONG_RECIPIENT


def test_an_envelope_claiming_our_key_id_but_encrypted_to_another_key_does_not_decrypt():
    body = fed.referral_offer()
    header = fed.header_for(body).model_dump(mode="json")
    raw = fed.forge(header, body_json(body), recipient=BE, kid=FR.encryption_kid)

    assert refusal(raw).reason == ReasonCode.BAD_ENCRYPTION


def test_belgium_signing_in_italys_name_is_refused_as_a_bad_signature():
    # The JWS names Italy's key id, but Belgium's key made the signature.
    body = fed.referral_offer()
    header = fed.header_for(body).model_dump(mode="json")
    impostor = NodeKeys(signing=BE.signing, encryption=BE.encryption)
    inner = fed.sign_message({"header": header, "body": body_json(body)}, impostor)
    parts = inner.split(".")
    protected = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    protected["kid"] = IT.signing_kid
    parts[0] = base64.urlsafe_b64encode(json.dumps(protected).encode()).rstrip(b"=").decode()
    raw = fed.encrypt_for(".".join(parts), FR, wm_message_id=header["message_id"])

    assert refusal(raw).reason == ReasonCode.BAD_SIGNATURE


def test_a_message_signed_with_belgiums_own_key_but_claiming_to_be_italy_is_refused():
    body = fed.referral_offer()
    header = fed.header_for(body).model_dump(mode="json")
    raw = fed.forge(header, body_json(body), signer=BE)

    assert refusal(raw).reason == ReasonCode.UNKNOWN_SENDER


def test_a_node_missing_from_the_registry_is_an_unknown_sender():
    body = fed.referral_offer()
    header = fed.header_for(body, from_node="node-xx")
    raw = seal(header, body, NodeKeys.generate(), public_jwk(FR.encryption))

    assert refusal(raw).reason == ReasonCode.UNKNOWN_SENDER


def test_a_revoked_signing_key_is_an_unknown_sender():
    registry_after_rotation = fed.KeyRing(keys={"node-it": NodeKeys.generate(), "node-fr": FR})

    refused = refusal(referral_from_italy_to_france(), resolver=registry_after_rotation)

    assert refused.reason == ReasonCode.UNKNOWN_SENDER


def test_an_envelope_routed_to_another_node_is_refused_before_decryption():
    body = fed.referral_offer()
    header = fed.header_for(body, to_node="node-be", to_org="be-police-mpu")
    raw = seal(header, body, IT, public_jwk(FR.encryption))

    assert refusal(raw).reason == ReasonCode.WRONG_RECIPIENT
