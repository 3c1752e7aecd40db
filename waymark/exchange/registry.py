"""This node's copy of the signed federation registry: store it, check it on every use.

``store_registry`` accepts a signed registry only if it verifies against the trust anchor
(``WAYMARK_EXCHANGE_REGISTRY_KEY_FILE``) and is not older than the copy already held (a
rollback could revive a revoked key). ``current_registry`` is called before every send and
every receive: it re-verifies the stored bytes (a copy edited in the database no longer
verifies) and its dates, so an expired or tampered registry stops the exchange — fail closed —
and the exchange dashboard says why (``registry_status``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jwcrypto.jwk import JWK

from waymark.core.protocol.registry import Registry, RegistryFault, RegistryRefused, load_registry

from .models import RegistryCopy


class ExchangeUnavailable(Exception):
    """This node cannot exchange right now (no keys, no valid registry). Never a refusal of a
    peer's message: the peer retries and the dashboard shows ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def trusted_registry_keys() -> list[JWK]:
    """The registry authority's public key(s): a JWK, or a JWK Set for a key rollover."""
    path = settings.WAYMARK_EXCHANGE_REGISTRY_KEY_FILE
    if not path:
        raise ExchangeUnavailable("no registry trust anchor: set WAYMARK_EXCHANGE_REGISTRY_KEY_FILE")
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExchangeUnavailable(f"cannot read the registry trust anchor {path}: {exc}") from exc
    entries = data["keys"] if isinstance(data, dict) and "keys" in data else [data]
    keys: list[JWK] = []
    for entry in entries:
        if not isinstance(entry, dict) or "d" in entry:
            raise ExchangeUnavailable(f"{path} must hold public JWKs only")
        keys.append(JWK(**entry))
    return keys


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_registry(raw: bytes, *, source: str = "", now: dt.datetime | None = None) -> RegistryCopy:
    """Verify ``raw`` and keep it as the registry in force. Raises ``RegistryRefused``.

    Storing the same document twice is a no-op; another document with the same version is
    refused (two different registries cannot both be version N).
    """
    now = now or timezone.now()
    raw = raw.strip()
    with transaction.atomic():
        latest = RegistryCopy.objects.select_for_update().order_by("-serial").first()
        registry = load_registry(
            raw, trusted_registry_keys(), now, min_version=latest.serial if latest else 0
        )
        digest = _sha256(raw)
        if latest is not None and registry.version == latest.serial:
            if latest.sha256 == digest:
                return latest
            raise RegistryRefused(
                RegistryFault.ROLLED_BACK, f"version {registry.version} is already held with other content"
            )
        return RegistryCopy.objects.create(
            serial=registry.version,
            document=raw.decode("ascii"),
            sha256=digest,
            issued_at=registry.issued_at,
            expires_at=registry.expires_at,
            loaded_from=source[:400],
        )


def load_registry_file(path: str | Path, *, now: dt.datetime | None = None) -> RegistryCopy:
    return store_registry(Path(path).read_bytes(), source=str(path), now=now)


@dataclass(frozen=True)
class _Verified:
    sha256: str
    registry: Registry


_cache: _Verified | None = None
_cache_lock = threading.Lock()


def current_registry(now: dt.datetime | None = None) -> Registry:
    """The registry in force, verified now; ``ExchangeUnavailable`` saying why if there is none.

    The signature check is cached per exact document bytes; dates are checked on every call.
    """
    global _cache
    now = now or timezone.now()
    row = RegistryCopy.objects.order_by("-serial").values_list("serial", "document").first()
    if row is None:
        raise ExchangeUnavailable("no registry has been loaded: run `manage.py registry_load <file>`")
    serial, document = row
    raw = document.encode("utf-8")
    digest = _sha256(raw)
    cached = _cache
    try:
        if cached is None or cached.sha256 != digest:
            registry = load_registry(raw, trusted_registry_keys(), now, min_version=serial)
            with _cache_lock:
                _cache = _Verified(digest, registry)
        else:
            registry = cached.registry
    except RegistryRefused as exc:
        raise ExchangeUnavailable(
            f"the stored registry is refused ({exc.fault.value}): {exc.detail}"
        ) from exc
    if registry.version != serial:
        raise ExchangeUnavailable("the stored registry's version does not match its signed content")
    if registry.expires_at <= now:
        raise ExchangeUnavailable(f"the registry expired at {registry.expires_at:%Y-%m-%d %H:%M} UTC")
    if registry.issued_at > now + dt.timedelta(minutes=5):
        raise ExchangeUnavailable("the registry is not yet valid (issued in the future)")
    return registry


def forget_cache() -> None:
    global _cache
    with _cache_lock:
        _cache = None


@dataclass(frozen=True)
class RegistryStatus:
    ok: bool
    message: str
    registry: Registry | None = None
    copy: RegistryCopy | None = None


def registry_status(now: dt.datetime | None = None) -> RegistryStatus:
    """For the dashboard: is the registry usable, and if not, why (in words)."""
    copy = RegistryCopy.objects.order_by("-serial").first()
    try:
        registry = current_registry(now)
    except ExchangeUnavailable as exc:
        return RegistryStatus(False, exc.reason, None, copy)
    return RegistryStatus(
        True,
        f"version {registry.version}, valid until {registry.expires_at:%Y-%m-%d %H:%M} UTC",
        registry,
        copy,
    )


def refresh_from_file(now: dt.datetime | None = None) -> RegistryCopy | None:
    """Load ``WAYMARK_EXCHANGE_REGISTRY_FILE`` if it is set and newer than the stored copy.

    A refused file is reported (raised), and the stored copy stays in force until it expires.
    """
    path = settings.WAYMARK_EXCHANGE_REGISTRY_FILE
    if not path or not Path(path).exists():
        return None
    raw = Path(path).read_bytes().strip()
    if RegistryCopy.objects.filter(sha256=_sha256(raw)).exists():
        return None
    return store_registry(raw, source=str(path), now=now)
