"""The vault: one wrapped data key per child, kept apart from the case record.

``ChildKey`` names its child by public id (a UUID), not by a foreign key to ``cases.Child``:

- the vault must be separable from the main tables: it can move to its own database alias or
  schema, and it is excluded from ordinary backups (``pg_dump --exclude-table=vault_childkey``)
  and backed up on its own schedule — see ``waymark/vault/README.md``;
- nothing may cascade into it or out of it. Deleting a child must not silently drop the key
  row (the tombstone records the erasure), and destroying a key must never touch case rows.

A row is either *live* (``wrapped_dek`` and ``kek_version`` set) or a *tombstone*
(``shredded_at`` set, no key material): erasure replaces the key by the tombstone, so later
reads raise ``Shredded`` rather than "no key", and no new key can be created for that child.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ChildKey(models.Model):
    child_public_id = models.UUIDField(unique=True, editable=False)
    # The version recorded in every value sealed under this key (core.sealing header).
    dek_version = models.PositiveIntegerField(default=1)
    # AES-GCM(KEK, DEK) bound to child and DEK version (core.sealing.wrap_key); NULL once shredded.
    wrapped_dek = models.BinaryField(null=True, editable=False)
    kek_version = models.PositiveIntegerField(null=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True)
    shredded_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(shredded_at__isnull=True, wrapped_dek__isnull=False, kek_version__isnull=False)
                    | Q(shredded_at__isnull=False, wrapped_dek__isnull=True, kek_version__isnull=True)
                ),
                name="childkey_live_or_shredded",
            )
        ]

    def __str__(self) -> str:
        state = "shredded" if self.shredded_at else f"KEK v{self.kek_version}"
        return f"data key of {self.child_public_id} ({state})"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None

    def wrapped(self) -> tuple[int, bytes]:
        """``(kek_version, wrapped DEK)`` of a live key; ``ValueError`` for a tombstone."""
        if self.shredded_at is not None or self.wrapped_dek is None or self.kek_version is None:
            raise ValueError("this child's data key was shredded")
        return self.kek_version, bytes(self.wrapped_dek)
