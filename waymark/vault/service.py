"""Seal and open special-category text per child; destroy a child's key (crypto-shredding).

The contract for code that stores special categories (see README.md in this folder):

- Write: ``column = seal_text(child, "cases.event.details", text)`` inside the action's
  transaction. The first seal for a child creates its data key in that same transaction, so a
  rollback leaves neither the data nor a key behind. ``""`` stays ``""`` (a blank field is not
  a secret, and blank checks keep working).
- Read: ``reveal(child, field, column)`` (``open_text`` that lets blanks through). It raises
  ``Shredded`` once the child was erased: show the marker ``ERASED`` ("[erased]") instead.
  ``SealError`` means the value was tampered with or belongs to another child or field: treat
  it as an incident, never as "empty".
- ``field`` names the column, ``"<app>.<model>.<field>"`` in lower case, and must be the same
  string when reading; it is bound into the ciphertext.

Data keys are cached only inside ``key_cache()`` (one per request: ``KeyCacheMiddleware``), so a
key destroyed by ``shred`` in one process is not kept alive by a long-lived cache in another.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone

from waymark.audit import service as audit
from waymark.core import sealing
from waymark.core.sealing import MalformedSealed, SealError
from waymark.vocab import AuditKind

from .keys import load_keyring
from .models import ChildKey

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

__all__ = [
    "ERASED",
    "KeyMissing",
    "MalformedSealed",
    "SealError",
    "Shredded",
    "is_sealed",
    "is_shredded",
    "key_cache",
    "open_bytes",
    "open_text",
    "reveal",
    "seal_bytes",
    "seal_text",
    "seal_texts",
    "shred",
]

ERASED = "[erased]"
DEK_VERSION = 1


class Shredded(Exception):  # named for a state, not a failure: the data was erased
    """The child's data key was destroyed: whatever was sealed for them is gone for good."""


class KeyMissing(SealError):
    """Sealed data exists but this node holds no key row for the child at all.

    Not an erasure (that leaves a tombstone): the vault was restored without its keys, or rows
    were copied from another node. An operational incident.
    """


class _HasPublicId(Protocol):
    @property
    def public_id(self) -> uuid.UUID: ...


# Whose key: a child (anything with a ``public_id``: ``cases.models.Child``), its public id, or the
# id's text. A thread sealed under a key of its own passes that key's id the same way.
ChildRef = _HasPublicId | uuid.UUID | str


def _child_id(child: ChildRef) -> str:
    raw = getattr(child, "public_id", child)
    return str(uuid.UUID(str(raw)))


# ---------------------------------------------------------------------------------------------
# Request-scoped key cache


@dataclass
class _KeyCache:
    keys: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    # Keys created in this scope are not cached: their row may still be rolled back, and a
    # cached key without a row would seal data nobody can ever open.
    fresh: set[str] = field(default_factory=set)


_scope: ContextVar[_KeyCache | None] = ContextVar("waymark_vault_key_cache", default=None)


@contextmanager
def key_cache() -> Iterator[None]:
    """Cache unwrapped data keys until the block ends (a request, a batch job's unit of work)."""
    token = _scope.set(_KeyCache())
    try:
        yield
    finally:
        _scope.reset(token)


class KeyCacheMiddleware:
    """One ``key_cache()`` per request: a page showing 50 sealed events unwraps the key once."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with key_cache():
            return self.get_response(request)


def _forget(child_id: str) -> None:
    cache = _scope.get()
    if cache is not None:
        cache.keys.pop(child_id, None)


# ---------------------------------------------------------------------------------------------
# Data keys


def _unwrap(row: ChildKey) -> bytes:
    kek_version, wrapped = row.wrapped()
    kek = load_keyring().kek(kek_version)
    return sealing.unwrap_key(kek, wrapped, sealing.dek_aad(str(row.child_public_id), row.dek_version))


def _data_key(child_id: str, *, create: bool) -> tuple[int, bytes]:
    """``(dek_version, dek)`` for the child; creates it if ``create`` and there is none."""
    cache = _scope.get()
    if cache is not None and child_id in cache.keys:
        return cache.keys[child_id]
    row = ChildKey.objects.filter(child_public_id=child_id).first()
    if row is None:
        if not create:
            raise KeyMissing("no data key for this child on this node")
        return _create_key(child_id)
    if row.shredded_at is not None:
        raise Shredded(child_id)
    found = (row.dek_version, _unwrap(row))
    if cache is not None and child_id not in cache.fresh:
        cache.keys[child_id] = found
    return found


def _create_key(child_id: str) -> tuple[int, bytes]:
    kek_version, kek = load_keyring().current()
    dek = sealing.new_key()
    wrapped = sealing.wrap_key(kek, dek, sealing.dek_aad(child_id, DEK_VERSION))
    try:
        # A savepoint: if another transaction created this child's key first (unique id), we
        # roll back only our insert and use theirs, so a child never ends up with two keys.
        with transaction.atomic():
            ChildKey.objects.create(
                child_public_id=child_id,
                dek_version=DEK_VERSION,
                wrapped_dek=wrapped,
                kek_version=kek_version,
            )
    except IntegrityError:
        return _data_key(child_id, create=False)
    cache = _scope.get()
    if cache is not None:
        cache.fresh.add(child_id)
    return DEK_VERSION, dek


# ---------------------------------------------------------------------------------------------
# Public API


def is_sealed(value: object) -> bool:
    """True if ``value`` is in the sealed text format (legacy plain text is not)."""
    return sealing.is_sealed(value)


def seal_text(child: ChildRef, field: str, plaintext: str) -> str:
    """Seal ``plaintext`` for this child and field. Raises ``Shredded`` for an erased child.

    Call inside the transaction that writes the column. ``""`` is returned unchanged.
    """
    if plaintext == "":
        return ""
    child_id = _child_id(child)
    aad = sealing.field_aad(child_id, field)  # validates the field name before any key work
    version, dek = _data_key(child_id, create=True)
    return sealing.seal_text(dek, plaintext, aad, key_version=version)


def seal_texts(child: ChildRef, texts: Mapping[str, str]) -> dict[str, str]:
    """``seal_text`` for several fields of one child, the data key fetched once (a thread's
    named values written together). Same contract; an empty text stays ``""``."""
    child_id = _child_id(child)
    aads = {field: sealing.field_aad(child_id, field) for field in texts}  # every name first
    if not any(texts.values()):
        return dict.fromkeys(texts, "")
    version, dek = _data_key(child_id, create=True)
    return {
        field: sealing.seal_text(dek, text, aads[field], key_version=version) if text else ""
        for field, text in texts.items()
    }


def open_text(child: ChildRef, field: str, sealed: str) -> str:
    """Open a value from ``seal_text`` for the same child and field.

    Raises ``Shredded`` if the child was erased, ``KeyMissing`` if the node holds no key for the
    child, ``SealError`` if the value is malformed, tampered, or sealed for another child/field.
    """
    child_id = _child_id(child)
    aad = sealing.field_aad(child_id, field)
    blob = sealing.decode_text(sealed)
    version, dek = _data_key(child_id, create=False)
    if sealing.key_version_of(blob) != version:
        raise SealError("sealed under a data key version this node does not hold")
    return sealing.open_text(dek, sealed, aad)


def seal_bytes(child: ChildRef, field: str, data: bytes) -> bytes:
    """Seal binary ``data`` (a photo) for this child and field: the raw blob, no text form.

    Same contract as ``seal_text``: call it in the writing transaction; ``Shredded`` for an
    erased child. Empty data is sealed too (a file is never stored in the clear).
    """
    child_id = _child_id(child)
    aad = sealing.field_aad(child_id, field)
    version, dek = _data_key(child_id, create=True)
    return sealing.seal(dek, data, aad, key_version=version)


def open_bytes(child: ChildRef, field: str, blob: bytes) -> bytes:
    """Open a blob from ``seal_bytes`` for the same child and field (``open_text``'s exceptions)."""
    child_id = _child_id(child)
    aad = sealing.field_aad(child_id, field)
    version, dek = _data_key(child_id, create=False)
    if sealing.key_version_of(blob) != version:
        raise SealError("sealed under a data key version this node does not hold")
    return sealing.open_sealed(dek, blob, aad)


def reveal(child: ChildRef, field: str, value: str) -> str:
    """The readable text of a sealed column: blank stays blank, sealed text is opened as in
    ``open_text`` (same exceptions), the marker ``ERASED`` reads as itself.

    Plain text is refused (``MalformedSealed``, a ``SealError``): every value written before
    sealing was sealed by migration (cases 0003, exchange 0007), so plain text in a sealed
    column was written around the application — a downgrade to text of someone's choosing.
    """
    if not value or value == ERASED:
        return value
    return open_text(child, field, value)


def is_shredded(child: ChildRef) -> bool:
    """True if this child's key was destroyed (the child was erased on this node)."""
    return ChildKey.objects.filter(child_public_id=_child_id(child), shredded_at__isnull=False).exists()


@transaction.atomic
def shred(child: ChildRef, *, actor: audit.Actor | None) -> None:
    """Destroy the child's data key for good; leave a tombstone. Idempotent.

    Why this erases every copy: each sealed value can only be opened with this child's DEK, and
    the only copy of the DEK is this row, wrapped by the node KEK. Once the row holds no key,
    a ciphertext anywhere — the live table, a replica, a database dump, an export — is noise.

    What can still hold the old *wrapped* DEK: a backup of this table taken before the erasure,
    PostgreSQL dead tuples and WAL until vacuumed and recycled, SQLite free pages. Each of those
    is still wrapped by the KEK, so anyone holding both that remnant and the KEK could recover the
    DEK. Two measures close this: (1) the vault table is excluded from ordinary backups and
    backed up separately with a short retention (README.md), and (2) after erasures the KEK is
    rotated (``manage.py vault_rotate_kek``): live keys are re-wrapped under a new KEK and the old
    KEK is destroyed, so every remnant wrapped under it is unreadable too.
    """
    child_id = _child_id(child)
    now = timezone.now()
    row = ChildKey.objects.select_for_update().filter(child_public_id=child_id).first()
    if row is None:
        # No key yet (nothing sealed): a tombstone still refuses any key created later.
        try:
            with transaction.atomic():
                ChildKey.objects.create(
                    child_public_id=child_id, wrapped_dek=None, kek_version=None, shredded_at=now
                )
        except IntegrityError:  # created concurrently: shred that one
            row = ChildKey.objects.select_for_update().get(child_public_id=child_id)
    if row is not None:
        if row.shredded_at is not None:
            _forget(child_id)
            return
        # Overwrite, then clear. Best effort only: SQLite rewrites the cell in place, but its WAL
        # and PostgreSQL's old tuple versions keep the bytes for a while — hence KEK rotation.
        ChildKey.objects.filter(pk=row.pk).update(wrapped_dek=bytes(len(row.wrapped_dek or b"")))
        ChildKey.objects.filter(pk=row.pk).update(wrapped_dek=None, kek_version=None, shredded_at=now)
    _forget(child_id)
    # In the shred's transaction: if the entry cannot be written (``AuditUnavailable``), the key
    # is not destroyed — nothing is erased unlogged (FIREWALL.md: "every key deletion is an entry").
    audit.record(AuditKind.KEY_DELETION, actor=actor, subject=audit.Subject(child_public_id=child_id))
