"""KEK rotation: re-wrap every live data key under a new key-encryption key, retire the old.

Why rotate after erasures: a backup of the vault table taken before an erasure, PostgreSQL
dead tuples or a SQLite WAL may still hold the erased child's wrapped data key. It is wrapped
under the KEK of that time. Once every live key is re-wrapped under a new KEK and the old KEK
is destroyed, those remnants cannot be unwrapped by anything the node holds — the erasure is
complete everywhere, not only in the live table.

The order is crash-safe: (1) add the new KEK to the keyring next to the old one, (2) re-wrap
in small transactions (each row conditional on its old version, so a concurrent shred or a
second rotation is never overwritten), (3) remove old versions only when no live row uses them.
A crash at any point leaves every key openable; running the command again finishes the job.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from waymark.core import sealing

from .keys import KeyringError, load_keyring, write_keyring_file
from .models import ChildKey

BATCH = 200


@dataclass(frozen=True)
class Rotation:
    target_version: int
    generated: bool
    rewrapped: int
    retired_versions: tuple[int, ...]  # removed from the key file
    removable_versions: tuple[int, ...]  # still in $WAYMARK_KEK: the operator removes them


def _rewrap_batch(target: int, kek: bytes) -> int:
    ring = load_keyring()
    with transaction.atomic():
        rows = list(
            ChildKey.objects.select_for_update()
            .filter(shredded_at__isnull=True)
            .exclude(kek_version=target)
            .order_by("pk")[:BATCH]
        )
        for row in rows:
            old_version, wrapped = row.wrapped()
            aad = sealing.dek_aad(str(row.child_public_id), row.dek_version)
            dek = sealing.unwrap_key(ring.kek(old_version), wrapped, aad)
            ChildKey.objects.filter(pk=row.pk, kek_version=old_version, shredded_at__isnull=True).update(
                wrapped_dek=sealing.wrap_key(kek, dek, aad), kek_version=target, rewrapped_at=timezone.now()
            )
        return len(rows)


def rotate_kek(*, generate: bool = True) -> Rotation:
    """Re-wrap all live data keys under the newest KEK (generating one first if the keyring is a
    file and ``generate``), then retire KEK versions no live key uses any more."""
    ring = load_keyring()
    generated = False
    if generate and ring.from_file is not None:
        new_version = ring.current_version + 1
        write_keyring_file(ring.from_file, {**ring.keys, new_version: sealing.new_key()})
        ring = load_keyring()
        if ring.current_version != new_version:
            raise KeyringError(f"{ring.from_file} was not updated; nothing was re-wrapped")
        generated = True
    target, kek = ring.current()

    rewrapped = 0
    while done := _rewrap_batch(target, kek):
        rewrapped += done

    still_used = set(
        ChildKey.objects.filter(shredded_at__isnull=True).values_list("kek_version", flat=True).distinct()
    )
    old = tuple(sorted(v for v in ring.keys if v != target and v not in still_used))
    retired: tuple[int, ...] = ()
    removable: tuple[int, ...] = ()
    if ring.from_file is not None:
        if old:
            write_keyring_file(ring.from_file, {v: k for v, k in ring.keys.items() if v not in old})
            retired = old
    else:
        removable = old
    return Rotation(target, generated, rewrapped, retired, removable)
