"""The audit log: append-only entries, the head that orders them, and signed checkpoints.

Rows are written only by ``waymark.audit.service`` (``record`` and ``checkpoint``). Entries and
checkpoints refuse updates and deletes three times over: ``save()``/``delete()`` raise, their
querysets refuse ``update()``/``delete()``, and database triggers (migration 0002, SQL in
``waymark.audit.triggers``) refuse UPDATE, DELETE and TRUNCATE from any client. Even so, someone
with the database owner's rights can drop the triggers; what they cannot do is change an entry
without ``audit_verify`` noticing (RFC 9162 Merkle tree + Ed25519 checkpoints).

An entry's leaf hash is ``SHA-256(0x00 || canonical_bytes(entry))``. The canonical bytes are
the JSON object of ``CANONICAL_FIELDS`` with keys sorted, no whitespace, UTF-8, ``created_at``
as ISO 8601 UTC with microseconds and a ``Z`` (RFC 8785/JCS for the value types allowed here:
strings, integers, booleans, null, lists and objects). ``seq`` is not in the bytes: it is the
leaf's index, bound by the tree itself, as in Certificate Transparency. ``prev_hash`` (the
previous entry's leaf hash) is, so an entry moved to another place no longer links to its
neighbour and verification can tell "reordered" from "altered".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.core import merkle
from waymark.vocab import AuditDecision, AuditKind

CANONICAL_VERSION = 1
CANONICAL_FIELDS = (
    "created_at",
    "kind",
    "actor",
    "actor_org",
    "role",
    "purpose",
    "decision",
    "reasons",
    "agreement",
    "peer_org",
    "child_pseudonym",
    "case_reference",
    "categories",
    "details",
    "prev_hash",
)
EMPTY_ROOT_HEX = merkle.EMPTY_ROOT.hex()


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit row through the ORM."""


def iso_utc(value: dt.datetime) -> str:
    """``2026-03-03T09:15:00.000000Z``: the only datetime form in canonical bytes."""
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical_bytes(values: Mapping[str, Any]) -> bytes:
    """The bytes an entry's leaf hash covers, from a mapping holding ``CANONICAL_FIELDS``.

    Takes a mapping (not a model) so verification can stream ``.values()`` rows.
    """
    doc: dict[str, Any] = {name: values[name] for name in CANONICAL_FIELDS}
    doc["created_at"] = iso_utc(values["created_at"])
    doc["v"] = CANONICAL_VERSION
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk writes would skip the model's refusals and the head's sequence: refuse them."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: update refused")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: delete refused")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are written one by one by waymark.audit.service")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: update refused")


class AppendOnlyModel(models.Model):
    """Insert once; never update, never delete."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: update refused")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: delete refused")


class AuditEntry(AppendOnlyModel):
    """One event: who did what to which child's data, when, why, and what was decided.

    Holds no names and no personal data about the child: ``child_pseudonym`` is a keyed hash
    (``service.pseudonym``), so erasing a child never breaks the log. ``actor`` is a username,
    not a foreign key, so deleting an account never rewrites history.
    """

    # The leaf index in the Merkle tree: unique, gap-free, from 0, assigned under the head's lock.
    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    kind = models.CharField(max_length=32, choices=AuditKind.choices)
    actor = models.CharField(max_length=150, blank=True)
    actor_org = models.CharField(max_length=64, blank=True)
    role = models.CharField(max_length=32, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    decision = models.CharField(max_length=8, choices=AuditDecision.choices, blank=True)
    # The deciding policy ids (Cedar diagnostics.reasons), so a DPO can see why.
    reasons = models.JSONField(default=list, blank=True)
    agreement = models.CharField(max_length=128, blank=True)
    # The other organisation of an exchange (sender of what we received, recipient of what we sent).
    peer_org = models.CharField(max_length=64, blank=True)
    child_pseudonym = models.CharField(max_length=64, blank=True)
    case_reference = models.CharField(max_length=64, blank=True)
    categories = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["child_pseudonym", "seq"]),
            # Verification looks a leaf up by hash to tell a moved entry from a rewritten one.
            models.Index(fields=["leaf_hash"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.actor or '-'}"

    def canonical_bytes(self) -> bytes:
        return canonical_bytes({name: getattr(self, name) for name in CANONICAL_FIELDS})

    def computed_leaf_hash(self) -> str:
        return merkle.leaf_hash(self.canonical_bytes()).hex()


class AuditHead(models.Model):
    """The log's single head row (pk 1): the next seq and the tree's right edge.

    Appenders lock it (``select_for_update``), which is what makes ``seq`` gap-free; it is the
    only mutable audit row. Keeping the frontier here makes an append O(log n) and the current
    root a read. It is a cache of the entries, not a source of truth: ``verify`` recomputes it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    tree_size = models.PositiveBigIntegerField(default=0)
    frontier = models.JSONField(default=list)
    root_hash = models.CharField(max_length=64, default=EMPTY_ROOT_HEX)
    last_leaf_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"audit head: {self.tree_size} entries"


class Checkpoint(AppendOnlyModel):
    """A signed statement of the tree at one size (C2SP tlog-checkpoint as a signed note).

    The signed text is ``origin\\nsize\\nbase64(root)\\n``; ``created_at`` is not signed.
    ``key_id`` is the note key hash (4 bytes, hex) naming the Ed25519 key that signed it.
    """

    origin = models.CharField(max_length=200)
    tree_size = models.PositiveBigIntegerField()
    root_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    key_id = models.CharField(max_length=8)
    signature = models.CharField(max_length=88)  # base64 of the 64-byte Ed25519 signature

    class Meta:
        ordering = ["tree_size", "id"]
        indexes = [models.Index(fields=["tree_size"])]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} {self.root_hash[:12]}"


class Verdict(models.TextChoices):
    """What witnessing a peer's checkpoint found, against the last good one we hold from it."""

    FIRST = "first", _("First seen (pinned)")
    CONSISTENT = "consistent", _("Consistent (proven to extend the last one)")
    UNCHANGED = "unchanged", _("Unchanged")
    BACKWARDS = "backwards", _("Went backwards")
    FORKED = "forked", _("Forked")
    UNPROVEN = "unproven", _("Not proven to extend the last one")
    KEY_CHANGED = "key_changed", _("Signed by another key")
    RESET = "reset", _("Reset by an administrator")


class PeerCheckpoint(AppendOnlyModel):
    """A partner node's signed checkpoint as we received it, and what witnessing it found.

    Append-only like the log (model and database triggers): the history of what a partner
    showed us is evidence about *their* log, kept in ours. The last good row of a peer
    (first, consistent, unchanged; or a reset) is what the next one is checked against.
    """

    peer_node = models.CharField(max_length=64)
    origin = models.CharField(max_length=200, blank=True)
    tree_size = models.PositiveBigIntegerField(default=0)
    root_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=8, blank=True)
    signature = models.CharField(max_length=88, blank=True)
    verifier_key = models.CharField(max_length=300, blank=True)
    # The size the peer proved this checkpoint extends (its consistency proof's old size).
    proven_from = models.PositiveBigIntegerField(null=True, blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    detail = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["peer_node", "id"]
        indexes = [models.Index(fields=["peer_node", "id"])]

    def __str__(self) -> str:
        return f"{self.peer_node} checkpoint {self.tree_size} ({self.verdict})"
