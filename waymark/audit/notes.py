"""Signed checkpoints in the C2SP formats (signed-note, tlog-checkpoint), Ed25519 only.

A checkpoint's signed text is three lines, each ending in a newline::

    <origin>
    <tree size, decimal>
    <root hash, base64>

The note adds a blank line and one signature line: ``— <key name> <base64(key hash || sig)>``,
where the key hash is the first 4 bytes of ``SHA-256(name || 0x0A || 0x01 || public key)``
(0x01 = Ed25519). The key name is the origin. Verifier keys are exchanged as
``<name>+<key hash hex>+<base64(0x01 || public key)>``. Any tool that reads C2SP checkpoints can
check ours given that line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519_ALG = b"\x01"
SIGNATURE_DASH = "\u2014"


def checkpoint_text(origin: str, tree_size: int, root_hash: bytes) -> str:
    if not origin or "\n" in origin:
        raise ValueError("a checkpoint origin is one non-empty line")
    return f"{origin}\n{tree_size}\n{base64.b64encode(root_hash).decode()}\n"


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key hash C2SP signed notes use to say which key signed."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALG + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The one-line verifier key to give partners: ``name+hash+base64(0x01||key)``."""
    return f"{name}+{key_hash(name, public_key).hex()}+{base64.b64encode(ED25519_ALG + public_key).decode()}"


@dataclass(frozen=True)
class SignedCheckpoint:
    origin: str
    tree_size: int
    root_hash: bytes
    key_id: bytes  # the 4-byte key hash
    signature: bytes  # 64 bytes

    @property
    def text(self) -> str:
        return checkpoint_text(self.origin, self.tree_size, self.root_hash)

    def note(self) -> str:
        """The full signed note, to publish or send to a partner."""
        sig = base64.b64encode(self.key_id + self.signature).decode()
        return f"{self.text}\n{SIGNATURE_DASH} {self.origin} {sig}\n"


def sign(
    origin: str, tree_size: int, root_hash: bytes, key: Ed25519PrivateKey, public_key: bytes
) -> SignedCheckpoint:
    text = checkpoint_text(origin, tree_size, root_hash)
    return SignedCheckpoint(
        origin=origin,
        tree_size=tree_size,
        root_hash=root_hash,
        key_id=key_hash(origin, public_key),
        signature=key.sign(text.encode()),
    )


def parse_verifier_key(line: str) -> tuple[str, bytes]:
    """``(name, public key)`` from a verifier key line; ``ValueError`` if malformed or if its
    key hash does not belong to the name and key it carries."""
    name, sep, rest = line.strip().partition("+")
    hash_hex, sep2, key_b64 = rest.partition("+")
    if not (sep and sep2 and name) or len(hash_hex) != 8:
        raise ValueError("a verifier key is name+hash+key")
    try:
        raw = base64.b64decode(key_b64, validate=True)
        claimed = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("bad hex or base64 in the verifier key") from exc
    if len(raw) != 33 or raw[:1] != ED25519_ALG:
        raise ValueError("only Ed25519 verifier keys are accepted")
    public_key = raw[1:]
    if key_hash(name, public_key) != claimed:
        raise ValueError("the verifier key's hash does not match its name and key")
    return name, public_key


def verify(checkpoint: SignedCheckpoint, public_key: bytes) -> bool:
    """True if ``checkpoint`` was signed by ``public_key`` under its origin's key name."""
    if checkpoint.key_id != key_hash(checkpoint.origin, public_key):
        return False
    try:
        text = checkpoint.text
        Ed25519PublicKey.from_public_bytes(public_key).verify(checkpoint.signature, text.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_note(note: str) -> SignedCheckpoint:
    """Read a signed checkpoint note (the first signature line); ``ValueError`` if malformed."""
    body, sep, sigs = note.partition("\n\n")
    if not sep:
        raise ValueError("a signed note has a blank line before its signatures")
    lines = body.split("\n")
    if len(lines) < 3:
        raise ValueError("a checkpoint has an origin, a size and a root hash")
    origin, size, root_b64 = lines[0], lines[1], lines[2]
    first = sigs.split("\n", 1)[0]
    parts = first.split(" ")
    if len(parts) != 3 or parts[0] != SIGNATURE_DASH:
        raise ValueError("malformed signature line")
    try:
        raw = base64.b64decode(parts[2], validate=True)
        root_hash = base64.b64decode(root_b64, validate=True)
    except binascii.Error as exc:
        raise ValueError("bad base64 in the note") from exc
    if not size.isdigit() or len(raw) != 4 + 64 or len(root_hash) != 32:
        raise ValueError("malformed checkpoint")
    return SignedCheckpoint(origin, int(size), root_hash, raw[:4], raw[4:])
