"""Envelopes: a message signed by its sender, then encrypted for its one recipient.

Layering (docs/protocol.md has the byte-level description)::

    JWE compact  alg ECDH-ES+A256KW (X25519), enc A256GCM, typ waymark-envelope+jwe
      protected: kid (recipient's encryption key), wm_from_node, wm_to_node, wm_message_id,
                 wm_sender_kid            <- routing: lets the receiver pick keys before decrypting
      plaintext: JWS compact  alg EdDSA (Ed25519), typ waymark-message+jws, kid (sender's key)
                   payload: {"header": Header, "body": Body}   <- everything that matters is signed

Sign-then-encrypt, so the receiver holds the sender's signature over the cleartext as evidence
(non-repudiation) while only the recipient can read it. ECDH-ES uses an ephemeral key, so the JWE
layer proves nothing about the sender: the routing fields are cross-checked against the signed
header after verification (``header_mismatch``).

On the way in every algorithm is checked against an explicit allow-list *before* jwcrypto parses
the token, and jwcrypto is also given the allow-list. Replay is not detected here: the inbox keeps
(from_node, message_id) unique for at least ``MAX_LIFETIME`` + clock tolerance and answers a
duplicate with the receipt it already gave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK
from pydantic import ValidationError

from waymark.core.protocol import jose
from waymark.core.protocol.jose import CONTENT_ENC, KEY_ALG, JoseError, JoseFault
from waymark.core.protocol.keys import NodeKeys
from waymark.core.protocol.messages import (
    BODY_SCHEMAS,
    Body,
    Header,
    body_json,
    check_categories,
    check_purpose,
    parse_body,
)
from waymark.core.protocol.reasons import EnvelopeRefused, ReasonCode, Routing

# Clocks of two nodes agree within this (NTP keeps them within a second; five minutes is the
# Kerberos-style margin for a badly kept server). Beyond it we refuse rather than guess.
DEFAULT_MAX_SKEW = dt.timedelta(minutes=5)
# Larger than any legitimate envelope (a referral with a 512 KiB photo is ~1.3 MiB after two
# base64 layers); refused before any parsing, so a hostile peer cannot make us work on gigabytes.
MAX_ENVELOPE_BYTES = 4 * 1024 * 1024

# A resolver gives the public Ed25519 key ``kid`` of node ``from_node`` (from the registry), or
# None. It may also raise EnvelopeRefused itself (a revoked key, a suspended node).
SigningKeyResolver = Callable[[str, str], JWK | None]

_ROUTING = ("wm_from_node", "wm_to_node", "wm_message_id", "wm_sender_kid")


@dataclass(frozen=True)
class Opened:
    """A verified, decrypted, validated message."""

    header: Header
    body: Body
    # SHA-256 (hex) of the envelope exactly as received: goes into the receipt and both audit logs.
    envelope_sha256: str
    # The sender's inner JWS, kept as evidence that the sender said exactly this.
    signed_message: str
    sender_kid: str


def envelope_sha256(raw: bytes) -> str:
    """Hex SHA-256 of the envelope bytes as sent / received (no normalisation whatsoever)."""
    return hashlib.sha256(raw).hexdigest()


def _message_payload(header: Header, body: Body) -> bytes:
    return jose.canonical_json({"header": header.model_dump(mode="json"), "body": body_json(body)})


def seal(header: Header, body: Body, sender_keys: NodeKeys, recipient_public_enc_jwk: JWK) -> bytes:
    """Sign ``header`` + ``body`` with the sender's Ed25519 key, encrypt to the recipient's X25519
    key, return the compact JWE as ASCII bytes.

    Refuses (EnvelopeRefused) what a receiver would refuse: a body of the wrong type, a body
    carrying undeclared categories, a forbidden purpose. Clocks are not checked here.
    """
    schema = BODY_SCHEMAS.get(header.type)
    if schema is None or type(body) is not schema:
        raise EnvelopeRefused(ReasonCode.SCHEMA_INVALID, f"a {header.type.value} body must be a {schema}")
    check_purpose(header.purpose)
    check_categories(header, body)
    if not jose.is_x25519(recipient_public_enc_jwk):
        raise ValueError("the recipient's encryption key must be an X25519 JWK")
    recipient = JWK.from_json(recipient_public_enc_jwk.export_public())

    signed = jose.sign(_message_payload(header, body), sender_keys.signing, jose.TYP_MESSAGE)
    protected = {
        "alg": KEY_ALG,
        "enc": CONTENT_ENC,
        "typ": jose.TYP_ENVELOPE,
        "cty": jose.TYP_MESSAGE,
        "kid": recipient.thumbprint(),
        "wm_from_node": header.from_node,
        "wm_to_node": header.to_node,
        "wm_message_id": str(header.message_id),
        "wm_sender_kid": sender_keys.signing_kid,
    }
    token = JWE(signed.encode("ascii"), protected=json.dumps(protected))
    token.add_recipient(recipient)
    return str(token.serialize(compact=True)).encode("ascii")


def _refuse(fault: JoseError, routing: Routing | None) -> EnvelopeRefused:
    code = {
        JoseFault.MALFORMED: ReasonCode.MALFORMED,
        JoseFault.ALG_NOT_ALLOWED: ReasonCode.ALG_NOT_ALLOWED,
        JoseFault.UNKNOWN_KEY: ReasonCode.UNKNOWN_SENDER,
        JoseFault.BAD_SIGNATURE: ReasonCode.BAD_SIGNATURE,
    }[fault.fault]
    return EnvelopeRefused(code, fault.detail, routing)


def _outer_header(raw: bytes) -> tuple[str, dict[str, Any]]:
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise JoseError(JoseFault.MALFORMED, f"envelope larger than {MAX_ENVELOPE_BYTES} bytes")
    token = jose.ascii_token(raw)
    parts = jose.split_compact(token, 5)
    return token, jose.protected_header(parts[0])


def _routing(header: dict[str, Any]) -> Routing:
    values = [header.get(name) for name in (*_ROUTING, "kid")]
    if not all(isinstance(v, str) and v for v in values):
        raise JoseError(JoseFault.MALFORMED, "routing fields missing from the JWE protected header")
    try:
        message_id = uuid.UUID(str(values[2]))
    except ValueError as exc:
        raise JoseError(JoseFault.MALFORMED, "wm_message_id is not a UUID") from exc
    return Routing(
        from_node=str(values[0]),
        to_node=str(values[1]),
        message_id=message_id,
        sender_kid=str(values[3]),
        recipient_kid=str(values[4]),
    )


def peek_routing(raw: bytes) -> Routing:
    """The routing fields of an envelope, without decrypting (unauthenticated; see Routing)."""
    try:
        return _routing(_outer_header(raw)[1])
    except JoseError as exc:
        raise _refuse(exc, None) from exc


def open_envelope(
    raw: bytes,
    my_keys: NodeKeys,
    resolve_sender_signing_key: SigningKeyResolver,
    now: dt.datetime,
    max_skew: dt.timedelta = DEFAULT_MAX_SKEW,
    expected_to_node: str | None = None,
) -> Opened:
    """Decrypt, verify and validate an envelope addressed to this node.

    Raises EnvelopeRefused with the first reason found, checking in this order: size and shape,
    algorithms, recipient (node and key), decryption, signature algorithm and key, signature,
    header schema, routing vs signed header, purpose, clocks, body schema, categories. Nothing
    read from unverified data is reported beyond the routing fields.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    routing: Routing | None = None
    try:
        token, outer = _outer_header(raw)
        routing = _routing(outer)
        if outer.get("alg") != KEY_ALG or outer.get("enc") != CONTENT_ENC:
            raise JoseError(
                JoseFault.ALG_NOT_ALLOWED,
                f"JWE alg/enc {outer.get('alg')!r}/{outer.get('enc')!r} not allowed "
                f"(only {KEY_ALG}/{CONTENT_ENC})",
            )
        if "zip" in outer:
            # Compressing before encryption leaks length (CRIME) and invites decompression bombs.
            raise JoseError(JoseFault.ALG_NOT_ALLOWED, "JWE compression is not allowed")
        if outer.get("typ") != jose.TYP_ENVELOPE:
            raise JoseError(JoseFault.MALFORMED, f"typ {outer.get('typ')!r} is not {jose.TYP_ENVELOPE!r}")
    except JoseError as exc:
        raise _refuse(exc, routing) from exc

    if expected_to_node is not None and routing.to_node != expected_to_node:
        raise EnvelopeRefused(ReasonCode.WRONG_RECIPIENT, f"addressed to node {routing.to_node!r}", routing)
    if routing.recipient_kid != my_keys.encryption_kid:
        raise EnvelopeRefused(
            ReasonCode.WRONG_RECIPIENT, f"encrypted to key {routing.recipient_kid!r}, not ours", routing
        )

    decrypter = JWE(algs=[KEY_ALG, CONTENT_ENC])
    try:
        decrypter.deserialize(token, key=my_keys.encryption)
        inner = jose.ascii_token(bytes(decrypter.payload))
    except Exception as exc:  # jwcrypto raises many types; every one means "cannot decrypt"
        raise EnvelopeRefused(ReasonCode.BAD_ENCRYPTION, "cannot decrypt", routing) from exc

    def resolve(kid: str) -> JWK | None:
        return resolve_sender_signing_key(routing.from_node, kid)

    try:
        payload, sender_kid = jose.verify(inner, jose.TYP_MESSAGE, resolve)
    except JoseError as exc:
        raise _refuse(exc, routing) from exc
    # From here on the sender's registered key signed what we read: every refusal says so.
    try:
        return _validated(raw, routing, inner, payload, sender_kid, now, max_skew)
    except EnvelopeRefused as exc:
        exc.signed = True
        raise


def _validated(
    raw: bytes,
    routing: Routing,
    inner: str,
    payload: bytes,
    sender_kid: str,
    now: dt.datetime,
    max_skew: dt.timedelta,
) -> Opened:
    """The signed payload as a header and body, checked (``open_envelope``'s second half)."""
    try:
        message = jose.strict_json(payload)
    except JoseError as exc:
        raise _refuse(exc, routing) from exc
    if not isinstance(message, dict) or set(message) != {"header", "body"}:
        raise EnvelopeRefused(ReasonCode.MALFORMED, "payload must be {header, body}", routing)

    try:
        header = Header.model_validate(message["header"])
    except ValidationError as exc:
        raise EnvelopeRefused(ReasonCode.SCHEMA_INVALID, _first_error(exc, "header"), routing) from exc

    mismatch = [
        name
        for name, outside, signed in (
            ("from_node", routing.from_node, header.from_node),
            ("to_node", routing.to_node, header.to_node),
            ("message_id", routing.message_id, header.message_id),
            ("sender_kid", routing.sender_kid, sender_kid),
        )
        if outside != signed
    ]
    if mismatch:
        raise EnvelopeRefused(
            ReasonCode.HEADER_MISMATCH, f"routing disagrees with the signed header: {mismatch}", routing
        )

    try:
        check_purpose(header.purpose)
    except EnvelopeRefused as exc:
        raise EnvelopeRefused(exc.reason, exc.detail, routing) from exc
    if header.created > now + max_skew:
        raise EnvelopeRefused(
            ReasonCode.CLOCK_SKEW,
            f"created {header.created.isoformat()} is ahead of our clock by more than {max_skew}",
            routing,
        )
    if header.expires < now - max_skew:
        raise EnvelopeRefused(ReasonCode.EXPIRED, f"expired at {header.expires.isoformat()}", routing)

    try:
        body = parse_body(header.type, message["body"])
    except KeyError as exc:
        raise EnvelopeRefused(
            ReasonCode.SCHEMA_INVALID, f"no body schema for {header.type}", routing
        ) from exc
    except ValidationError as exc:
        raise EnvelopeRefused(ReasonCode.SCHEMA_INVALID, _first_error(exc, "body"), routing) from exc
    try:
        check_categories(header, body)
    except EnvelopeRefused as exc:
        raise EnvelopeRefused(exc.reason, exc.detail, routing) from exc

    return Opened(
        header=header,
        body=body,
        envelope_sha256=envelope_sha256(raw),
        signed_message=inner,
        sender_kid=sender_kid,
    )


def _first_error(exc: ValidationError, where: str) -> str:
    """Where the first error is and what kind. The detail may travel in a receipt and into logs,
    so for the body only the error *type* is given: a message can quote the input (a name)."""
    err = exc.errors(include_input=False, include_url=False)[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    what = err.get("msg", "invalid") if where == "header" else err.get("type", "invalid")
    return f"{where}.{loc}: {what}" if loc else f"{where}: {what}"
