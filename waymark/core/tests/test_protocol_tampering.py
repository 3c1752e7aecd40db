"""A changed, cut or garbled envelope is refused with a reason, and never half-read."""

from __future__ import annotations

import base64
import json

import pytest

from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import MAX_ENVELOPE_BYTES, open_envelope, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import body_json
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode

NOW = fed.NOW
IT, FR = fed.node_keys("node-it"), fed.node_keys("node-fr")


def sealed() -> bytes:
    body = fed.referral_offer()
    return seal(fed.header_for(body), body, IT, public_jwk(FR.encryption))


def refusal(raw: bytes) -> EnvelopeRefused:
    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(raw, FR, fed.KeyRing(), NOW, expected_to_node="node-fr")
    return caught.value


def flip(part: str, at: int) -> str:
    """Flip one bit of the decoded bytes of a base64url part."""
    data = bytearray(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    data[at] ^= 0x01
    return base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode()


@pytest.mark.parametrize(("part", "name"), [(1, "encrypted key"), (2, "iv"), (3, "ciphertext"), (4, "tag")])
def test_one_changed_bit_anywhere_is_refused_as_bad_encryption(part, name):
    parts = sealed().decode().split(".")
    for at in (0, -1):
        tampered = list(parts)
        tampered[part] = flip(parts[part], at)

        assert refusal(".".join(tampered).encode()).reason == ReasonCode.BAD_ENCRYPTION, name


def test_rewritten_routing_fields_break_the_authentication_tag():
    parts = sealed().decode().split(".")
    header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    header["wm_from_node"] = "node-be"
    parts[0] = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()

    refused = refusal(".".join(parts).encode())

    assert refused.reason == ReasonCode.BAD_ENCRYPTION
    assert refused.routing is not None and refused.routing.from_node == "node-be"  # as claimed


def test_an_envelope_cut_inside_its_tag_is_refused_as_bad_encryption():
    assert refusal(sealed()[:-3]).reason == ReasonCode.BAD_ENCRYPTION


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_an_envelope_missing_whole_parts_is_refused_as_malformed(cut):
    raw = b".".join(sealed().split(b".")[: 5 - cut])

    assert refusal(raw).reason == ReasonCode.MALFORMED


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"....",
        b"not an envelope",
        b"eyJ.a.b.c.d",
        "é.a.b.c.d".encode(),
        b'{"protected": "JSON serialisation is not accepted"}',
        b"a b.c.d.e.f",
    ],
)
def test_garbage_is_refused_as_malformed(raw):
    assert refusal(raw).reason == ReasonCode.MALFORMED


def test_an_oversized_envelope_is_refused_before_it_is_parsed():
    assert refusal(b"a" * (MAX_ENVELOPE_BYTES + 1)).reason == ReasonCode.MALFORMED


def test_duplicate_members_in_the_protected_header_are_refused():
    parts = sealed().decode().split(".")
    text = base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)).decode()
    doubled = text[:-1] + ',"wm_to_node":"node-be"}'
    parts[0] = base64.urlsafe_b64encode(doubled.encode()).rstrip(b"=").decode()

    assert refusal(".".join(parts).encode()).reason == ReasonCode.MALFORMED


def test_a_routing_message_id_that_disagrees_with_the_signed_header_is_refused():
    body = fed.referral_offer()
    header = fed.header_for(body).model_dump(mode="json")
    raw = fed.forge(header, body_json(body), wm_message_id="00000000-0000-4000-8000-000000000000")

    assert refusal(raw).reason == ReasonCode.HEADER_MISMATCH


def test_a_payload_that_is_not_header_and_body_is_refused():
    raw = fed.encrypt_for(fed.sign_message({"header": {}, "body": {}, "extra": 1}, IT), FR)

    assert refusal(raw).reason == ReasonCode.MALFORMED
