"""Only ECDH-ES+A256KW / A256GCM outside and EdDSA inside are accepted: "none", "dir", RSA,
HMAC (key confusion) and compression are refused before any key is used."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from waymark.core.protocol import jose
from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import open_envelope
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import body_json
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode

NOW = fed.NOW
IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")


def routing(**extra: Any) -> dict[str, Any]:
    fields = {
        "typ": jose.TYP_ENVELOPE,
        "cty": jose.TYP_MESSAGE,
        "kid": FR.encryption_kid,
        "wm_from_node": "node-it",
        "wm_to_node": "node-fr",
        "wm_message_id": str(uuid.uuid4()),
        "wm_sender_kid": IT.signing_kid,
    }
    fields.update(extra)
    return fields


def message() -> dict[str, Any]:
    body = fed.referral_offer()
    return {"header": fed.header_for(body).model_dump(mode="json"), "body": body_json(body)}


def refusal(raw: bytes) -> EnvelopeRefused:
    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(raw, FR, fed.KeyRing(), NOW)
    return caught.value


def b64json(data: dict[str, Any]) -> str:
    return jose.b64url_encode(json.dumps(data).encode())


# --- the outer JWE ---


def test_a_jwe_with_alg_none_is_refused():
    raw = ".".join([b64json(routing(alg="none", enc="A256GCM")), "", "AAAA", "AAAA", "AAAA"]).encode()

    assert refusal(raw).reason == ReasonCode.ALG_NOT_ALLOWED


def test_a_jwe_with_a_shared_symmetric_key_dir_is_refused():
    # Anyone who learnt a shared key could forge; we only accept keys agreed with our X25519 key.
    token = JWE(
        fed.sign_message(message(), IT).encode(), protected=json.dumps(routing(alg="dir", enc="A256GCM"))
    )
    token.add_recipient(JWK.generate(kty="oct", size=256))

    assert refusal(token.serialize(compact=True).encode()).reason == ReasonCode.ALG_NOT_ALLOWED


def test_a_jwe_encrypted_with_rsa_is_refused():
    rsa = JWK.generate(kty="RSA", size=2048)
    token = JWE(
        fed.sign_message(message(), IT).encode(),
        protected=json.dumps(routing(alg="RSA-OAEP-256", enc="A256GCM")),
    )
    token.add_recipient(rsa)

    assert refusal(token.serialize(compact=True).encode()).reason == ReasonCode.ALG_NOT_ALLOWED


@pytest.mark.parametrize(("alg", "enc"), [("ECDH-ES", "A256GCM"), ("ECDH-ES+A256KW", "A128CBC-HS256")])
def test_other_curve_modes_and_content_ciphers_are_refused(alg, enc):
    token = JWE(fed.sign_message(message(), IT).encode(), protected=json.dumps(routing(alg=alg, enc=enc)))
    token.add_recipient(public_jwk(FR.encryption))

    assert refusal(token.serialize(compact=True).encode()).reason == ReasonCode.ALG_NOT_ALLOWED


def test_compressed_envelopes_are_refused():
    raw = fed.encrypt_for(fed.sign_message(message(), IT), FR, zip="DEF")

    assert refusal(raw).reason == ReasonCode.ALG_NOT_ALLOWED


def test_a_critical_header_extension_is_refused():
    raw = fed.encrypt_for(fed.sign_message(message(), IT), FR, crit=["wm_future"], wm_future=1)

    assert refusal(raw).reason == ReasonCode.MALFORMED


# --- the inner JWS ---


def test_an_unsigned_message_alg_none_is_refused():
    inner = ".".join(
        [
            b64json({"alg": "none", "kid": IT.signing_kid, "typ": jose.TYP_MESSAGE}),
            jose.b64url_encode(jose.canonical_json(message())),
            "",
        ]
    )

    assert refusal(fed.encrypt_for(inner, FR)).reason == ReasonCode.ALG_NOT_ALLOWED


def test_an_hmac_keyed_with_the_senders_public_key_is_refused():
    # Classic key confusion: the public key is public, so an HMAC "with" it proves nothing.
    public = public_jwk(IT.signing)
    confused = JWK(kty="oct", k=public["x"])
    token = JWS(jose.canonical_json(message()))
    token.add_signature(
        confused,
        alg="HS256",
        protected=json.dumps({"alg": "HS256", "kid": IT.signing_kid, "typ": jose.TYP_MESSAGE}),
    )

    refused = refusal(fed.encrypt_for(token.serialize(compact=True), FR))

    assert refused.reason == ReasonCode.ALG_NOT_ALLOWED


def test_a_message_signed_with_an_ecdsa_key_is_refused():
    p256 = JWK.generate(kty="EC", crv="P-256")
    token = JWS(jose.canonical_json(message()))
    token.add_signature(
        p256,
        alg="ES256",
        protected=json.dumps({"alg": "ES256", "kid": IT.signing_kid, "typ": jose.TYP_MESSAGE}),
    )

    assert refusal(fed.encrypt_for(token.serialize(compact=True), FR)).reason == ReasonCode.ALG_NOT_ALLOWED


def test_a_signed_receipt_cannot_be_passed_off_as_a_message():
    # Same key, same algorithm, other typ: refused, so no signed object changes meaning.
    receipt_like = jose.sign(jose.canonical_json(message()), IT.signing, jose.TYP_RECEIPT)

    assert refusal(fed.encrypt_for(receipt_like, FR)).reason == ReasonCode.MALFORMED


def test_a_key_embedded_in_the_token_is_never_trusted():
    token = JWS(jose.canonical_json(message()))
    attacker = JWK.generate(kty="OKP", crv="Ed25519")
    token.add_signature(
        attacker,
        alg="EdDSA",
        protected=json.dumps(
            {
                "alg": "EdDSA",
                "kid": IT.signing_kid,
                "typ": jose.TYP_MESSAGE,
                "jwk": json.loads(attacker.export_public()),
            }
        ),
    )

    assert refusal(fed.encrypt_for(token.serialize(compact=True), FR)).reason == ReasonCode.MALFORMED
