"""Signed receipts: the sender believes a receipt only if the node it wrote to signed it, for the
message it sent, naming the hash of the exact bytes it sent."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from pydantic import ValidationError

from waymark.core.protocol import jose
from waymark.core.protocol import testing as fed
from waymark.core.protocol.envelope import envelope_sha256, open_envelope, seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import Header, body_json
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode
from waymark.core.protocol.receipts import (
    Receipt,
    ReceiptFault,
    ReceiptInvalid,
    ReceiptStatus,
    accepted,
    build_receipt,
    rejected,
    verify_receipt,
)
from waymark.core.protocol.vocab import Purpose

IT, FR, BE = fed.node_keys("node-it"), fed.node_keys("node-fr"), fed.node_keys("node-be")


def sent() -> tuple[Header, bytes]:
    body = fed.referral_offer()
    header = fed.header_for(body)
    return header, seal(header, body, IT, public_jwk(FR.encryption))


def check(raw: bytes, header, envelope: bytes) -> Receipt:
    return verify_receipt(
        raw,
        resolve_signing_key=fed.KeyRing(),
        receiver_node="node-fr",
        sender_node="node-it",
        message_id=header.message_id,
        sent_envelope_sha256=envelope_sha256(envelope),
    )


def france_accepts(envelope: bytes) -> bytes:
    opened = open_envelope(envelope, FR, fed.KeyRing(), fed.NOW)
    receipt = accepted(
        message_id=opened.header.message_id,
        envelope_sha256=opened.envelope_sha256,
        received_at=fed.NOW,
        from_node="node-fr",
        to_node="node-it",
    )
    return build_receipt(receipt, FR)


def test_italy_verifies_frances_acceptance():
    header, envelope = sent()

    receipt = check(france_accepts(envelope), header, envelope)

    assert receipt.status == ReceiptStatus.ACCEPTED
    assert receipt.receipt_for == header.message_id
    assert receipt.received_at == fed.NOW


def test_a_rejection_carries_its_reason_and_verifies():
    body = fed.referral_offer()
    header = fed.header_for(body, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
    envelope = fed.forge(header.model_dump(mode="json"), body_json(body))
    with pytest.raises(EnvelopeRefused) as caught:
        open_envelope(envelope, FR, fed.KeyRing(), fed.NOW)
    refused = caught.value
    assert refused.routing is not None
    raw = build_receipt(
        rejected(
            message_id=refused.routing.message_id,
            envelope_sha256=envelope_sha256(envelope),
            reason_code=refused.reason,
            reason=refused.detail,
            received_at=fed.NOW,
            from_node="node-fr",
            to_node=refused.routing.from_node,
        ),
        FR,
    )

    receipt = check(raw, header, envelope)

    assert receipt.status == ReceiptStatus.REJECTED
    assert receipt.reason_code == ReasonCode.FORBIDDEN_PURPOSE


def test_receipts_hold_no_personal_data():
    _, envelope = sent()
    raw = france_accepts(envelope)

    payload = jose.b64url_decode(raw.decode().split(".")[1])
    assert set(json.loads(payload)) == {
        "receipt_for",
        "envelope_sha256",
        "status",
        "reason_code",
        "reason",
        "received_at",
        "from_node",
        "to_node",
        "schema_version",
    }
    assert b"Amina" not in payload


def test_a_tampered_receipt_is_refused():
    header, envelope = sent()
    token = france_accepts(envelope).decode()
    head, payload, signature = token.split(".")
    data = json.loads(jose.b64url_decode(payload))
    data["status"] = "rejected"
    data["reason_code"] = "bad_signature"
    forged = ".".join([head, jose.b64url_encode(jose.canonical_json(data)), signature]).encode()

    with pytest.raises(ReceiptInvalid) as caught:
        check(forged, header, envelope)

    assert caught.value.fault == ReceiptFault.BAD_SIGNATURE


def test_a_receipt_for_other_bytes_is_refused():
    header, envelope = sent()
    _, other = sent()

    with pytest.raises(ReceiptInvalid) as caught:
        check(france_accepts(other), header, envelope)

    assert caught.value.fault == ReceiptFault.WRONG_ENVELOPE


def test_a_receipt_for_another_message_is_refused():
    header, envelope = sent()
    receipt = accepted(
        message_id=uuid.uuid4(),
        envelope_sha256=envelope_sha256(envelope),
        received_at=fed.NOW,
        from_node="node-fr",
        to_node="node-it",
    )

    with pytest.raises(ReceiptInvalid) as caught:
        check(build_receipt(receipt, FR), header, envelope)

    assert caught.value.fault == ReceiptFault.WRONG_MESSAGE


def test_a_receipt_signed_by_another_node_is_refused():
    header, envelope = sent()
    receipt = accepted(
        message_id=header.message_id,
        envelope_sha256=envelope_sha256(envelope),
        received_at=fed.NOW,
        from_node="node-fr",
        to_node="node-it",
    )

    with pytest.raises(ReceiptInvalid) as caught:
        check(build_receipt(receipt, BE), header, envelope)

    assert caught.value.fault == ReceiptFault.UNKNOWN_SIGNER


def test_a_receipt_naming_other_nodes_is_refused():
    header, envelope = sent()
    receipt = accepted(
        message_id=header.message_id,
        envelope_sha256=envelope_sha256(envelope),
        received_at=fed.NOW,
        from_node="node-fr",
        to_node="node-be",
    )

    with pytest.raises(ReceiptInvalid) as caught:
        check(build_receipt(receipt, FR), header, envelope)

    assert caught.value.fault == ReceiptFault.WRONG_PARTIES


def test_an_unsigned_receipt_is_refused():
    header, envelope = sent()
    payload = jose.canonical_json(
        accepted(
            message_id=header.message_id,
            envelope_sha256=envelope_sha256(envelope),
            received_at=fed.NOW,
            from_node="node-fr",
            to_node="node-it",
        ).model_dump(mode="json")
    )
    head = jose.b64url_encode(
        json.dumps({"alg": "none", "kid": FR.signing_kid, "typ": jose.TYP_RECEIPT}).encode()
    )
    raw = f"{head}.{jose.b64url_encode(payload)}.".encode()

    with pytest.raises(ReceiptInvalid) as caught:
        check(raw, header, envelope)

    assert caught.value.fault == ReceiptFault.ALG_NOT_ALLOWED


def test_a_signed_message_is_not_a_receipt():
    header, envelope = sent()
    raw = jose.sign(b"{}", FR.signing, jose.TYP_MESSAGE).encode()

    with pytest.raises(ReceiptInvalid) as caught:
        check(raw, header, envelope)

    assert caught.value.fault == ReceiptFault.MALFORMED


def test_a_rejection_must_say_why_and_an_acceptance_must_not():
    common = {
        "receipt_for": uuid.uuid4(),
        "envelope_sha256": "0" * 64,
        "received_at": fed.NOW,
        "from_node": "node-fr",
        "to_node": "node-it",
    }
    with pytest.raises(ValidationError):
        Receipt(status=ReceiptStatus.REJECTED, **common)
    with pytest.raises(ValidationError):
        Receipt(status=ReceiptStatus.ACCEPTED, reason_code=ReasonCode.EXPIRED, **common)


def test_a_rejection_of_an_unreadable_envelope_still_proves_what_was_refused():
    header, envelope = sent()
    raw = build_receipt(
        rejected(
            message_id=None,
            envelope_sha256=envelope_sha256(envelope),
            reason_code=ReasonCode.MALFORMED,
            received_at=fed.NOW + dt.timedelta(seconds=1),
            from_node="node-fr",
            to_node="node-it",
        ),
        FR,
    )

    assert check(raw, header, envelope).reason_code == ReasonCode.MALFORMED


def newer_peers_refusal(code: str) -> tuple[object, bytes, bytes]:
    """A rejection signed by France with ``code``, as a node on a later version might send it."""
    header, envelope = sent()
    payload = {
        "receipt_for": str(header.message_id),
        "envelope_sha256": envelope_sha256(envelope),
        "status": "rejected",
        "reason_code": code,
        "reason": "a reason from a later version",
        "received_at": "2025-06-02T09:30:00Z",
        "from_node": "node-fr",
        "to_node": "node-it",
        "schema_version": 1,
    }
    return header, envelope, jose.sign(jose.canonical_json(payload), FR.signing, jose.TYP_RECEIPT).encode()


def test_receipt_with_unknown_reason_code_is_accepted_and_kept_as_sent():
    header, envelope, raw = newer_peers_refusal("quota_exceeded")

    receipt = check(raw, header, envelope)

    assert receipt.status == ReceiptStatus.REJECTED
    assert receipt.reason_code == "quota_exceeded"
    assert receipt.known_reason is None


def test_a_known_reason_code_is_read_as_one():
    header, envelope, raw = newer_peers_refusal("not_implemented")

    assert check(raw, header, envelope).known_reason == ReasonCode.NOT_IMPLEMENTED


@pytest.mark.parametrize("code", ["Not_Granted", "no spaces", "<b>", "x" * 65, ""])
def test_a_reason_code_that_is_not_a_code_makes_the_receipt_malformed(code):
    header, envelope, raw = newer_peers_refusal(code)

    with pytest.raises(ReceiptInvalid) as caught:
        check(raw, header, envelope)

    assert caught.value.fault == ReceiptFault.MALFORMED
