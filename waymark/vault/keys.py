"""The node's key-encryption key (KEK): where it comes from and how it is stored.

The KEK wraps every child's data key (DEK). It never enters the database and never enters
``django.conf.settings`` (a debug page or a settings dump must not show it). It comes from:

1. the environment variable ``WAYMARK_KEK``, if set; else
2. the file ``settings.WAYMARK_KEK_FILE`` (default ``DATA_DIR/keys/kek``), which must be mode
   0600 (or stricter). Outside production a missing file is created on first use; production
   never invents a key and refuses to start without one (settings and :func:`load_keyring`).

Both hold a *keyring*: one or more ``<version>:<base64 of 32 bytes>`` entries, separated by
new lines or commas. The highest version is the current KEK (new wraps use it); older versions
are kept only while some DEK is still wrapped under them, i.e. during a rotation
(``manage.py vault_rotate_kek``). A bare base64 value means version 1. Generate one with
``python -c "import base64,os; print('1:' + base64.b64encode(os.urandom(32)).decode())"``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from waymark.core.sealing import KEY_BYTES, new_key

ENV_VAR = "WAYMARK_KEK"


class KeyringError(ImproperlyConfigured):
    """The KEK is missing, malformed, too widely readable, or lacks a version that is needed."""


@dataclass(frozen=True)
class Keyring:
    """The KEK versions this node holds; ``source`` says where they came from (never the keys)."""

    keys: Mapping[int, bytes]
    source: str
    from_file: Path | None = None

    @property
    def current_version(self) -> int:
        return max(self.keys)

    def current(self) -> tuple[int, bytes]:
        version = self.current_version
        return version, self.keys[version]

    def kek(self, version: int) -> bytes:
        try:
            return self.keys[version]
        except KeyError:
            raise KeyringError(
                f"KEK version {version} is not in the keyring ({self.source}); it was retired or "
                "never configured, so data keys wrapped under it cannot be opened"
            ) from None

    def __repr__(self) -> str:  # never print key material
        return f"Keyring(versions={sorted(self.keys)}, source={self.source!r})"


def _decode_key(text: str, where: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyringError(f"{where}: a KEK must be base64") from exc
    if len(raw) != KEY_BYTES:
        raise KeyringError(f"{where}: a KEK must be {KEY_BYTES} bytes (base64 of 32 random bytes)")
    return raw


def parse_keyring(text: str, where: str) -> dict[int, bytes]:
    """Parse ``"<version>:<base64>"`` entries (new lines or commas); a bare value is version 1."""
    entries = [e.strip() for e in text.replace(",", "\n").splitlines()]
    entries = [e for e in entries if e and not e.startswith("#")]
    if not entries:
        raise KeyringError(f"{where} holds no key")
    keys: dict[int, bytes] = {}
    for entry in entries:
        version_text, sep, key_text = entry.partition(":")
        if not sep:
            if len(entries) > 1:
                raise KeyringError(f"{where}: with several keys each must be '<version>:<base64>'")
            version_text, key_text = "1", entry
        try:
            version = int(version_text)
        except ValueError:
            raise KeyringError(f"{where}: KEK version must be a whole number, not {version_text!r}") from None
        if version < 1 or version in keys:
            raise KeyringError(f"{where}: KEK versions must be positive and distinct ({version})")
        keys[version] = _decode_key(key_text, where)
    return keys


def format_keyring(keys: Mapping[int, bytes]) -> str:
    lines = ["# Waymark node key-encryption keys: <version>:<base64>. Keep secret; mode 0600."]
    lines += [f"{v}:{base64.b64encode(keys[v]).decode('ascii')}" for v in sorted(keys, reverse=True)]
    return "\n".join(lines) + "\n"


def _check_mode(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(
            f"{path} is readable or writable by group or others (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )


def write_keyring_file(path: Path, keys: Mapping[int, bytes], *, replace: bool = True) -> None:
    """Write the keyring atomically with mode 0600 (directory 0700).

    The content goes to a temporary file in the same directory, is flushed to disk and then
    renamed over (``replace``) or linked into place (not ``replace``: fails with
    ``FileExistsError`` if another process created the file first, so two processes starting
    at once never end up with two different KEKs).
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".kek-", text=True)  # mkstemp: 0600
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(format_keyring(keys))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _create_keyring_file(path: Path) -> None:
    # Only ever outside production: a development node gets a key on first use.
    with contextlib.suppress(FileExistsError):
        write_keyring_file(path, {1: new_key()}, replace=False)


_cache: tuple[tuple[object, ...], Keyring] | None = None


def load_keyring() -> Keyring:
    """The node's KEKs. Raises ``KeyringError`` (an ``ImproperlyConfigured``) if there are none.

    Cached per process, keyed on the environment value and the file's identity and mtime, so a
    rotation done by the management command is seen without a restart.
    """
    global _cache
    env = os.environ.get(ENV_VAR, "")
    path = Path(settings.WAYMARK_KEK_FILE)
    if not env and not path.exists():
        if settings.PRODUCTION or not settings.WAYMARK_KEK_AUTOCREATE:
            raise KeyringError(
                f"no key-encryption key: set {ENV_VAR} (base64 of 32 random bytes) or create "
                f"WAYMARK_KEK_FILE ({path}, mode 0600). Production never generates one, because a "
                "key nobody backed up would make every sealed record unreadable after a move."
            )
        _create_keyring_file(path)
    if env:
        cache_key: tuple[object, ...] = ("env", env)
    else:
        st = path.stat()
        cache_key = ("file", str(path), st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)
    if _cache is not None and _cache[0] == cache_key:
        return _cache[1]
    if env:
        ring = Keyring(parse_keyring(env, f"${ENV_VAR}"), source=f"${ENV_VAR}")
    else:
        _check_mode(path)
        ring = Keyring(parse_keyring(path.read_text(encoding="ascii"), str(path)), str(path), from_file=path)
    _cache = (cache_key, ring)
    return ring


def kek_configured() -> bool:
    """True if a KEK is available without creating one (used by the start-up check)."""
    return bool(os.environ.get(ENV_VAR)) or Path(settings.WAYMARK_KEK_FILE).exists()
