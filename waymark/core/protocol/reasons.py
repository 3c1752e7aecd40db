"""Why an envelope was refused: one code per cause, shared by the envelope layer, the registry
check of a header and negative receipts.

A refusal is final (EXCHANGE.md): the sender must not retry a refused message, so every code
here names something retrying cannot fix. Transient trouble (a peer down, a database restart)
never produces a receipt; the sender simply retries. Codes are only ever added: a node must
accept (and show as-is) a receipt whose code it does not know (``Receipt.reason_code`` is text).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    # The bytes are not a well-formed envelope (or are too large).
    MALFORMED = "malformed"
    # A JOSE algorithm outside the allow-list (alg "none", "dir", RSA, HS256, zip...).
    ALG_NOT_ALLOWED = "alg_not_allowed"
    # Decryption failed: tampered ciphertext, tag or key, or a bad ephemeral key.
    BAD_ENCRYPTION = "bad_encryption"
    # The inner signature does not verify with the sender's registered key.
    BAD_SIGNATURE = "bad_signature"
    # The sender node, its key id or its organisation is not in the registry.
    UNKNOWN_SENDER = "unknown_sender"
    # Addressed to another node, organisation or encryption key than ours.
    WRONG_RECIPIENT = "wrong_recipient"
    # The routing fields outside the signature disagree with the signed header.
    HEADER_MISMATCH = "header_mismatch"
    # Past its ``expires`` (or an agreement past its ``valid_until``).
    EXPIRED = "expired"
    # ``created`` is further in the future than the clock tolerance.
    CLOCK_SKEW = "clock_skew"
    # The agreement named has not yet taken effect.
    NOT_YET_VALID = "not_yet_valid"
    # The header or body does not validate against its schema (or an unknown schema_version).
    SCHEMA_INVALID = "schema_invalid"
    # The body carries a data category the header does not declare.
    UNDECLARED_CATEGORY = "undeclared_category"
    # The firewall: immigration enforcement (or any other forbidden purpose).
    FORBIDDEN_PURPOSE = "forbidden_purpose"
    # The agreement named is not in the registry.
    UNKNOWN_AGREEMENT = "unknown_agreement"
    # The agreement is suspended, terminated or still a draft.
    AGREEMENT_INACTIVE = "agreement_inactive"
    # Sender or recipient organisation is not a party to the agreement.
    NOT_PARTY = "not_party"
    # The agreement does not cover this message type, purpose or data category (a policy decision).
    NOT_GRANTED = "not_granted"
    # The receiving node does not implement this message type (yet): not a policy decision, and
    # final only for this node's current version. Given only to a sender the agreement allows.
    NOT_IMPLEMENTED = "not_implemented"
    # A privacy-preserving match query beyond the receiver's budget for the sending organisation
    # (per day, or per minute): final for this query; a new query may be sent once the budget allows.
    OVER_BUDGET = "over_budget"
    # A match query encoded under a key (``key_id``) or encoding version the receiver does not hold
    # for the agreement: nothing was compared. Re-encode under the agreement's current key.
    KEY_MISMATCH = "key_mismatch"


@dataclass(frozen=True)
class Routing:
    """The routing fields of an envelope, read from its JWE protected header.

    Before decryption they are unauthenticated: use them to pick keys and to address a negative
    receipt, never to make a decision about the data.
    """

    from_node: str
    to_node: str
    message_id: uuid.UUID
    sender_kid: str
    recipient_kid: str


class EnvelopeRefused(Exception):
    """An envelope (or a message about to be sealed) was refused. Final: do not retry.

    ``routing`` is set when the envelope's routing fields could be read, so the inbox can still
    address a signed negative receipt to the sender. ``signed`` is true when the refusal came
    after the sender's signature verified (a registered node said it): the inbox keeps an audit
    entry for each of those, and only counts the others.
    """

    def __init__(
        self, reason: ReasonCode, detail: str = "", routing: Routing | None = None, *, signed: bool = False
    ) -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
        self.routing = routing
        self.signed = signed
