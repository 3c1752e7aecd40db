"""Sealing: authenticated encryption of one field of one child (pure, no Django).

Special categories (health, psychosocial, trafficking indicators, disclosures, case notes) are
stored sealed with the child's own data key (DEK): AES-256-GCM, a fresh random 96-bit nonce per
seal, and *associated data* that names the child and the field. The associated data is not
stored; the reader must supply the same child and field, so a ciphertext copied into another
child's row, or into another column, does not open (it fails like a tampered one).

Binary format, version 1 (all integers big-endian)::

    0      1          5         17
    | 0x01 | key ver. | nonce   | ciphertext ‖ 16-byte GCM tag |
      1 B    4 B        12 B

The 5-byte header (format and key version) is authenticated too: it is prefixed to the
associated data, so neither can be changed without the tag failing.

Text form, for text columns: ``"sealed:" + base64url(blob)`` without padding. The prefix lets
a reader (and an operator looking at a dump) tell sealed values from legacy plain ones.

Data keys are wrapped (encrypted) by the node's key-encryption key (KEK) with :func:`wrap_key`.
We wrap with AES-256-GCM rather than AES-KW (RFC 3394) because GCM takes associated data: the
wrapped key is bound to its child and key version, so a wrapped DEK moved onto another child's
key row does not unwrap (AES-KW would unwrap it happily), and the tag is 128 bits instead of
AES-KW's 64-bit integrity check. The random nonce is safe: a KEK wraps one key per child, many
orders of magnitude below the 2**32 messages NIST SP 800-38D allows per key with random nonces.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_V1 = 0x01
WRAP_V1 = 0x01
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits: GCM's native nonce size
TAG_BYTES = 16
TEXT_PREFIX = "sealed:"

_HEADER = struct.Struct(">BI")  # format version, key version
_MIN_BLOB = _HEADER.size + NONCE_BYTES + TAG_BYTES
_AAD_PREFIX = b"waymark/v1|"
_WRAP_AAD_PREFIX = b"waymark/dek/v1|"
_MAX_KEY_VERSION = 2**32 - 1
# A field name is a short identifier ("cases.event.details"); "|" would make the associated
# data ambiguous, so it is refused along with anything outside this alphabet.
_FIELD_RE = re.compile(r"[A-Za-z0-9_.:#/-]{1,120}")
_CHILD_RE = re.compile(r"[A-Za-z0-9-]{1,64}")


class SealError(Exception):
    """A sealed value cannot be opened: wrong key, wrong child or field, tampered, or malformed.

    AES-GCM cannot tell a wrong key from a wrong child, field or tampered byte (all fail the same
    tag check), and that is deliberate: the message never says which.
    """


class MalformedSealed(SealError):
    """The value is not a sealed value of a format this code knows (bad base64, too short...)."""


def new_key() -> bytes:
    """A fresh random 256-bit key (DEK or KEK), from the operating system's CSPRNG."""
    return AESGCM.generate_key(bit_length=256)


def field_aad(child_id: str, field: str) -> bytes:
    """The associated data binding a ciphertext to one child and one field.

    ``child_id`` is the child's public id (canonical UUID text); ``field`` names the column, e.g.
    ``"cases.event.details"``. Both are validated so the encoding stays unambiguous.
    """
    if not _CHILD_RE.fullmatch(child_id):
        raise ValueError(f"child id must be a UUID-like token, not {child_id!r}")
    if not _FIELD_RE.fullmatch(field):
        raise ValueError(f"field name must match {_FIELD_RE.pattern}, not {field!r}")
    return _AAD_PREFIX + child_id.encode("ascii") + b"|" + field.encode("ascii")


def _check_key(key: bytes, what: str) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        # A wrong-sized key is a programming or configuration error, but it must still surface
        # as SealError so callers have one exception to handle.
        raise SealError(f"{what} must be {KEY_BYTES} bytes")


def seal(key: bytes, plaintext: bytes, aad: bytes, *, key_version: int = 1) -> bytes:
    """Encrypt ``plaintext`` under ``key``, bound to ``aad``; returns the version-1 blob."""
    _check_key(key, "data key")
    if not 0 <= key_version <= _MAX_KEY_VERSION:
        raise ValueError("key version out of range")
    header = _HEADER.pack(FORMAT_V1, key_version)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(bytes(key)).encrypt(nonce, plaintext, header + aad)


def key_version_of(blob: bytes) -> int:
    """The key version recorded in a sealed blob (not authenticated until it is opened)."""
    if len(blob) < _MIN_BLOB:
        raise MalformedSealed("sealed value is too short")
    version, key_version = _HEADER.unpack_from(blob)
    if version != FORMAT_V1:
        raise MalformedSealed(f"unknown sealed format version {version}")
    return int(key_version)


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt and authenticate a blob from :func:`seal`; raises ``SealError`` on any mismatch."""
    _check_key(key, "data key")
    key_version_of(blob)  # format checks
    header, nonce, body = (
        blob[: _HEADER.size],
        blob[_HEADER.size : _HEADER.size + NONCE_BYTES],
        blob[_HEADER.size + NONCE_BYTES :],
    )
    try:
        return AESGCM(bytes(key)).decrypt(nonce, body, header + aad)
    except InvalidTag as exc:
        raise SealError("cannot open sealed value: wrong key, wrong child or field, or tampered") from exc


# ---------------------------------------------------------------------------------------------
# Text form


def encode_text(blob: bytes) -> str:
    return TEXT_PREFIX + base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")


def decode_text(value: str) -> bytes:
    if not value.startswith(TEXT_PREFIX):
        raise MalformedSealed("value is not sealed")
    body = value[len(TEXT_PREFIX) :]
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise MalformedSealed("sealed value is not valid base64") from exc
    key_version_of(blob)
    return blob


def is_sealed(value: object) -> bool:
    """True if ``value`` is text in the sealed format (says nothing about whether it opens)."""
    if not isinstance(value, str) or not value.startswith(TEXT_PREFIX):
        return False
    try:
        decode_text(value)
    except MalformedSealed:
        return False
    return True


def seal_text(key: bytes, plaintext: str, aad: bytes, *, key_version: int = 1) -> str:
    """Seal UTF-8 text and return the text form."""
    return encode_text(seal(key, plaintext.encode("utf-8"), aad, key_version=key_version))


def open_text(key: bytes, value: str, aad: bytes) -> str:
    """Open the text form produced by :func:`seal_text`."""
    raw = open_sealed(key, decode_text(value), aad)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # authenticated, so only a writer bug gets here
        raise SealError("sealed value does not hold UTF-8 text") from exc


def sealed_text_length(plaintext_bytes: int) -> int:
    """Characters the text form takes for ``plaintext_bytes`` of UTF-8 (to size columns)."""
    raw = _MIN_BLOB + plaintext_bytes
    return len(TEXT_PREFIX) + (raw * 4 + 2) // 3


# ---------------------------------------------------------------------------------------------
# Key wrapping (DEK under KEK)


def dek_aad(child_id: str, dek_version: int) -> bytes:
    """The associated data binding a wrapped DEK to its child and DEK version."""
    if not _CHILD_RE.fullmatch(child_id):
        raise ValueError(f"child id must be a UUID-like token, not {child_id!r}")
    return _WRAP_AAD_PREFIX + child_id.encode("ascii") + b"|" + str(int(dek_version)).encode("ascii")


def wrap_key(kek: bytes, dek: bytes, aad: bytes) -> bytes:
    """Encrypt a data key under the key-encryption key: ``0x01 | nonce | AES-GCM(dek) ‖ tag``."""
    _check_key(kek, "key-encryption key")
    _check_key(dek, "data key")
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([WRAP_V1])
    return header + nonce + AESGCM(bytes(kek)).encrypt(nonce, bytes(dek), header + aad)


def unwrap_key(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    """Recover a data key wrapped by :func:`wrap_key`; ``SealError`` if anything does not match."""
    _check_key(kek, "key-encryption key")
    if len(wrapped) != 1 + NONCE_BYTES + KEY_BYTES + TAG_BYTES or wrapped[0] != WRAP_V1:
        raise MalformedSealed("wrapped key has the wrong size or format version")
    header, nonce, body = wrapped[:1], wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return AESGCM(bytes(kek)).decrypt(nonce, body, header + aad)
    except InvalidTag as exc:
        raise SealError("cannot unwrap data key: wrong key-encryption key, wrong child, or tampered") from exc
