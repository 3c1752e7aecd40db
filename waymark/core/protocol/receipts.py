"""Signed receipts: the receiver's answer to every envelope it could attribute.

A receipt is a compact JWS (EdDSA, ``typ`` waymark-receipt+jws) signed by the *receiving* node
over ``{receipt_for, envelope_sha256, status, reason_code, reason, received_at, from_node,
to_node}``. ``from_node`` is the receipt's issuer (the node that received the envelope),
``to_node`` the node that sent the envelope.

Receipts are signed but not encrypted: they contain no personal data — a message id, a hash of
ciphertext, a status and a reason code with a short fixed explanation — and must be verifiable
by anyone holding the registry (an auditor, a DPO) without the receiver's private key. Whoever
builds a receipt must keep child data out of ``reason``.

The sender verifies that the receipt is signed by the node it sent to, answers the message it
sent, and names the hash of the exact bytes it sent (``envelope_sha256``): that hash ties the
receipt to the envelope in both nodes' audit logs. ``reason_code`` is kept as text: a peer
running a newer version may refuse with a code this one does not know, and that receipt still
proves delivery and must be shown as it is (``known_reason`` is None for it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

from jwcrypto.jwk import JWK
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from waymark.core.protocol import jose
from waymark.core.protocol.jose import JoseError
from waymark.core.protocol.keys import NodeKeys
from waymark.core.protocol.messages import SCHEMA_VERSION, NodeId, UtcDatetime
from waymark.core.protocol.reasons import ReasonCode

MAX_RECEIPT_BYTES = 16 * 1024


class ReceiptStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# A reason code as a receipt carries it: one of ReasonCode, or a code a newer peer added.
ReasonCodeText = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Receipt(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # The message id answered; null only when the envelope was too broken to read one.
    receipt_for: uuid.UUID | None
    envelope_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    status: ReceiptStatus
    reason_code: ReasonCodeText | None = None
    # A short fixed explanation. Never personal data.
    reason: Annotated[str, StringConstraints(max_length=500)] = ""
    received_at: UtcDatetime
    from_node: NodeId
    to_node: NodeId
    schema_version: int = SCHEMA_VERSION

    @model_validator(mode="after")
    def _reason(self) -> Receipt:
        if self.status == ReceiptStatus.REJECTED and self.reason_code is None:
            raise ValueError("a rejection must say why (reason_code)")
        if self.status == ReceiptStatus.ACCEPTED and (self.reason_code is not None or self.reason):
            raise ValueError("an acceptance carries no reason")
        return self

    @property
    def known_reason(self) -> ReasonCode | None:
        """The reason code if this node knows it; None for an acceptance or a newer peer's code."""
        try:
            return ReasonCode(self.reason_code) if self.reason_code is not None else None
        except ValueError:
            return None


class ReceiptFault(StrEnum):
    MALFORMED = "malformed"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    UNKNOWN_SIGNER = "unknown_signer"
    BAD_SIGNATURE = "bad_signature"
    # Signed correctly, but not a receipt for what we sent, or not from the node we sent it to.
    WRONG_ENVELOPE = "wrong_envelope"
    WRONG_MESSAGE = "wrong_message"
    WRONG_PARTIES = "wrong_parties"


class ReceiptInvalid(Exception):
    """A receipt that does not prove delivery. The outbox keeps the message pending."""

    def __init__(self, fault: ReceiptFault, detail: str = "") -> None:
        super().__init__(f"{fault.value}: {detail}" if detail else fault.value)
        self.fault = fault
        self.detail = detail


def build_receipt(receipt: Receipt, receiver_keys: NodeKeys) -> bytes:
    """Sign ``receipt`` with the receiving node's Ed25519 key; compact JWS as ASCII bytes."""
    payload = jose.canonical_json(receipt.model_dump(mode="json"))
    return jose.sign(payload, receiver_keys.signing, jose.TYP_RECEIPT).encode("ascii")


def verify_receipt(
    raw: bytes,
    *,
    resolve_signing_key: Callable[[str, str], JWK | None],
    receiver_node: str,
    sender_node: str,
    message_id: uuid.UUID,
    sent_envelope_sha256: str,
) -> Receipt:
    """Check that ``raw`` is a receipt signed by ``receiver_node`` (key from the registry via
    ``resolve_signing_key(node, kid)``), issued to ``sender_node``, for ``message_id`` and for
    the exact envelope bytes we sent. Returns the receipt (accepted or rejected) or raises
    ReceiptInvalid.

    A rejection for which the receiver could not read a message id (``receipt_for`` null) is
    accepted as long as the envelope hash matches: the hash alone identifies what we sent.
    """
    if len(raw) > MAX_RECEIPT_BYTES:
        raise ReceiptInvalid(ReceiptFault.MALFORMED, "too large")
    try:
        token = jose.ascii_token(raw)
        payload, _ = jose.verify(token, jose.TYP_RECEIPT, lambda kid: resolve_signing_key(receiver_node, kid))
        receipt = Receipt.model_validate(jose.strict_json(payload))
    except JoseError as exc:
        fault = {
            jose.JoseFault.MALFORMED: ReceiptFault.MALFORMED,
            jose.JoseFault.ALG_NOT_ALLOWED: ReceiptFault.ALG_NOT_ALLOWED,
            jose.JoseFault.UNKNOWN_KEY: ReceiptFault.UNKNOWN_SIGNER,
            jose.JoseFault.BAD_SIGNATURE: ReceiptFault.BAD_SIGNATURE,
        }[exc.fault]
        raise ReceiptInvalid(fault, exc.detail) from exc
    except ValidationError as exc:
        raise ReceiptInvalid(ReceiptFault.MALFORMED, "not a receipt") from exc

    if receipt.envelope_sha256 != sent_envelope_sha256:
        raise ReceiptInvalid(ReceiptFault.WRONG_ENVELOPE, "receipt names another envelope hash")
    if receipt.receipt_for is not None and receipt.receipt_for != message_id:
        raise ReceiptInvalid(ReceiptFault.WRONG_MESSAGE, "receipt answers another message")
    if receipt.receipt_for is None and receipt.status == ReceiptStatus.ACCEPTED:
        raise ReceiptInvalid(ReceiptFault.WRONG_MESSAGE, "an acceptance must name the message")
    if receipt.from_node != receiver_node or receipt.to_node != sender_node:
        raise ReceiptInvalid(ReceiptFault.WRONG_PARTIES, "receipt is not between these two nodes")
    return receipt


def accepted(
    *, message_id: uuid.UUID, envelope_sha256: str, received_at: dt.datetime, from_node: str, to_node: str
) -> Receipt:
    """An acceptance. ``from_node``: the receiver (issuer); ``to_node``: the envelope's sender."""
    return Receipt(
        receipt_for=message_id,
        envelope_sha256=envelope_sha256,
        status=ReceiptStatus.ACCEPTED,
        received_at=received_at,
        from_node=from_node,
        to_node=to_node,
    )


def rejected(
    *,
    message_id: uuid.UUID | None,
    envelope_sha256: str,
    reason_code: ReasonCode,
    reason: str = "",
    received_at: dt.datetime,
    from_node: str,
    to_node: str,
) -> Receipt:
    """A final rejection with its reason code (EnvelopeRefused.reason / .detail)."""
    return Receipt(
        receipt_for=message_id,
        envelope_sha256=envelope_sha256,
        status=ReceiptStatus.REJECTED,
        reason_code=reason_code.value,
        reason=reason[:500],
        received_at=received_at,
        from_node=from_node,
        to_node=to_node,
    )
