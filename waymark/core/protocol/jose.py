"""Strict JOSE helpers shared by envelopes, receipts and the registry.

jwcrypto does the cryptography; this module decides *what we accept* before jwcrypto sees a
token: compact serialisation only, base64url without padding, protected headers that are JSON
objects without duplicate keys, no ``crit``, no ``zip``, and one signature algorithm (EdDSA
with Ed25519). Each token kind carries its own ``typ`` so a signed receipt can never be
replayed as a signed message or a registry (cross-protocol confusion).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

SIGNATURE_ALG = "EdDSA"
KEY_ALG = "ECDH-ES+A256KW"
CONTENT_ENC = "A256GCM"

TYP_MESSAGE = "waymark-message+jws"
TYP_ENVELOPE = "waymark-envelope+jwe"
TYP_RECEIPT = "waymark-receipt+jws"
TYP_REGISTRY = "waymark-registry+jws"

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class JoseFault(StrEnum):
    MALFORMED = "malformed"
    ALG_NOT_ALLOWED = "alg_not_allowed"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


class JoseError(Exception):
    def __init__(self, fault: JoseFault, detail: str) -> None:
        super().__init__(f"{fault.value}: {detail}")
        self.fault = fault
        self.detail = detail


def b64url_decode(part: str) -> bytes:
    """Strict base64url (RFC 7515 §2): URL alphabet, no padding, no white space."""
    if not _B64URL.match(part) or len(part) % 4 == 1:
        raise JoseError(JoseFault.MALFORMED, "not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JoseError(JoseFault.MALFORMED, "not base64url") from exc


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JoseError(JoseFault.MALFORMED, f"duplicate JSON member {key!r}")
        out[key] = value
    return out


def strict_json(data: bytes | str) -> Any:
    """Parse JSON, refusing duplicate object members (two parsers could read them differently)."""
    try:
        return json.loads(data, object_pairs_hook=_no_duplicates)
    except JoseError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise JoseError(JoseFault.MALFORMED, "not JSON") from exc


def canonical_json(data: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON: what we sign. (Receivers verify bytes, not a re-encoding.)"""
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")


def split_compact(token: str, parts: int) -> list[str]:
    pieces = token.split(".")
    if len(pieces) != parts:
        raise JoseError(JoseFault.MALFORMED, f"expected {parts} compact parts, got {len(pieces)}")
    for piece in pieces:
        if not _B64URL.match(piece):
            raise JoseError(JoseFault.MALFORMED, "not base64url")
    return pieces


def protected_header(part: str) -> dict[str, Any]:
    header = strict_json(b64url_decode(part))
    if not isinstance(header, dict):
        raise JoseError(JoseFault.MALFORMED, "protected header is not a JSON object")
    if "crit" in header:
        # We understand no extensions, so per RFC 7515 §4.1.11 we must refuse any marked critical.
        raise JoseError(JoseFault.MALFORMED, "'crit' header parameters are not supported")
    return header


def ascii_token(raw: bytes | str) -> str:
    if isinstance(raw, bytes):
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError as exc:
            raise JoseError(JoseFault.MALFORMED, "not ASCII") from exc
    return raw


def is_ed25519(key: JWK) -> bool:
    return bool(key.get("kty") == "OKP" and key.get("crv") == "Ed25519")


def is_x25519(key: JWK) -> bool:
    return bool(key.get("kty") == "OKP" and key.get("crv") == "X25519")


def sign(payload: bytes, key: JWK, typ: str) -> str:
    """Compact JWS, EdDSA, with ``kid`` = the key's RFC 7638 thumbprint and the given ``typ``."""
    if not (is_ed25519(key) and key.has_private):
        raise ValueError("signing needs a private Ed25519 key")
    token = JWS(payload)
    token.add_signature(
        key,
        alg=SIGNATURE_ALG,
        protected=json.dumps({"alg": SIGNATURE_ALG, "kid": key.thumbprint(), "typ": typ}),
    )
    return str(token.serialize(compact=True))


def signed_header(token: str, typ: str) -> tuple[dict[str, Any], list[str]]:
    """Read a compact JWS's protected header and check alg, typ and kid. Nothing is verified yet."""
    parts = split_compact(token, 3)
    header = protected_header(parts[0])
    alg = header.get("alg")
    if alg != SIGNATURE_ALG:
        # "none", HS256 (key confusion: an HMAC "keyed" with our public key), RS256, ES256...
        raise JoseError(JoseFault.ALG_NOT_ALLOWED, f"signature alg {alg!r} is not allowed (only EdDSA)")
    if header.get("typ") != typ:
        raise JoseError(JoseFault.MALFORMED, f"typ {header.get('typ')!r} is not {typ!r}")
    if "b64" in header or "jwk" in header or "jku" in header or "x5u" in header or "x5c" in header:
        # Keys come from the registry, never from the token itself.
        raise JoseError(JoseFault.MALFORMED, "embedded or referenced keys are not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JoseError(JoseFault.MALFORMED, "missing kid")
    if not parts[2]:
        raise JoseError(JoseFault.MALFORMED, "empty signature")
    return header, parts


def verify(token: str, typ: str, resolve: Callable[[str], JWK | None]) -> tuple[bytes, str]:
    """Verify a compact JWS of kind ``typ``; ``resolve(kid)`` gives the public key or None.

    Returns (payload bytes, kid). Only EdDSA with an Ed25519 key is accepted.
    """
    header, _ = signed_header(token, typ)
    kid = header["kid"]
    key = resolve(kid)
    if key is None:
        raise JoseError(JoseFault.UNKNOWN_KEY, f"no key with kid {kid!r}")
    if not is_ed25519(key):
        raise JoseError(JoseFault.UNKNOWN_KEY, f"key {kid!r} is not an Ed25519 key")
    checker = JWS()
    checker.allowed_algs = [SIGNATURE_ALG]
    try:
        checker.deserialize(token, key=key)
    except Exception as exc:  # jwcrypto raises several unrelated types; all mean "does not verify"
        raise JoseError(JoseFault.BAD_SIGNATURE, "signature does not verify") from exc
    return bytes(checker.payload), kid
