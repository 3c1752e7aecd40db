"""The node's audit keys: the Ed25519 checkpoint signing key and the child-pseudonym HMAC key.

Both are files (``settings.WAYMARK_AUDIT_KEY_FILE``, ``settings.WAYMARK_PSEUDONYM_KEY_FILE``,
by default under ``DATA_DIR/keys``), created on first use with mode 0600 in a 0700 directory,
and never stored in the database: a database dump alone can neither forge a checkpoint nor
link a pseudonym back to a child.

Creation is race-safe across processes: the key is written to a private temporary file and
hard-linked into place, so two workers starting together end up with the same key and nobody
reads half a file. Any failure raises ``OSError`` (or ``ValueError`` for a corrupt file);
``service.record`` turns that into ``AuditUnavailable``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

logger = logging.getLogger(__name__)

PSEUDONYM_KEY_BYTES = 32
_cache: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


def _create_exclusively(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` unless it already exists (then leave the existing key)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first: theirs wins
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_or_create(path: Path, make: bytes) -> bytes:
    if not path.exists():
        _create_exclusively(path, make)
        logger.info("created audit key file %s", path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        logger.warning("audit key file %s is readable by others (mode %o); it should be 0600", path, mode)
    return path.read_bytes()


def _new_signing_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def signing_key() -> Ed25519PrivateKey:
    """The node's checkpoint signing key (created on first use)."""
    path = Path(settings.WAYMARK_AUDIT_KEY_FILE)
    cache_key = ("signing", str(path))
    with _lock:
        cached = _cache.get(cache_key)
        if isinstance(cached, Ed25519PrivateKey):
            return cached
        key = serialization.load_pem_private_key(_read_or_create(path, _new_signing_key_pem()), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        _cache[cache_key] = key
        return key


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_bytes() -> bytes:
    """The raw 32-byte public key (what partners and the verifier need; not secret)."""
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def pseudonym_key() -> bytes:
    """The node's HMAC key for child pseudonyms (32 random bytes, stored as hex)."""
    path = Path(settings.WAYMARK_PSEUDONYM_KEY_FILE)
    cache_key = ("pseudonym", str(path))
    with _lock:
        cached = _cache.get(cache_key)
        if isinstance(cached, bytes):
            return cached
        raw = _read_or_create(path, (secrets.token_hex(PSEUDONYM_KEY_BYTES) + "\n").encode())
        key = bytes.fromhex(raw.decode("ascii").strip())
        if len(key) < PSEUDONYM_KEY_BYTES:
            raise ValueError(f"{path} must hold at least {PSEUDONYM_KEY_BYTES} bytes of key, in hex")
        _cache[cache_key] = key
        return key


def forget_cached_keys() -> None:
    """Drop keys held in memory (tests that delete or replace key files)."""
    with _lock:
        _cache.clear()
