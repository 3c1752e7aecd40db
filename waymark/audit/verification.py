"""Verify the whole audit log and name the first thing that is wrong.

``verify()`` reads the checkpoints, then the head, then streams the entries in ``seq`` order
(constant memory: the tree is rebuilt with a ``merkle.Frontier``). For each position it checks,
in this order, and stops at the first failure:

1. ``seq`` equals the position — otherwise the entry at that position is **missing**;
2. the leaf hash recomputed from the entry's fields equals the stored one — otherwise the
   entry was **altered**;
3. ``prev_hash`` equals the stored leaf hash of the entry before it — otherwise the entry was
   **reordered** (its real predecessor is elsewhere in the log) or its predecessor was altered
   *and re-hashed* (no entry has the hash it links to);
4. every checkpoint whose size is reached: a valid Ed25519 signature by this node's key, and the
   recomputed root at that size equals the signed root. A mismatch with every entry individually
   intact means a stretch of entries was rewritten consistently (hashes and links recomputed): it
   lies after the last checkpoint that verified.

Finally every checkpoint must lie inside the log (a checkpoint beyond the last entry means
entries were removed from the end) and the head must equal the recomputed tree.

Checkpoints are read before the head, and the head before the entries: anything appended while
``verify`` runs is after the head it read and is simply not checked this time.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from waymark.audit import keys, notes
from waymark.audit.models import CANONICAL_FIELDS, AuditEntry, AuditHead, Checkpoint, canonical_bytes
from waymark.core import merkle

_VALUES = ("seq", "leaf_hash", *CANONICAL_FIELDS)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    tree_size: int  # entries checked (the head's size when verification started)
    first_bad_seq: int | None  # the first entry that fails, when one can be named
    message: str
    checkpoints: int = 0  # checkpoints whose signature and root were verified
    root_hash: str = ""  # the recomputed root (when ok)


def checkpoint_note(cp: Checkpoint) -> notes.SignedCheckpoint:
    """The stored checkpoint as a signed note (``.note()`` gives the text to publish)."""
    return notes.SignedCheckpoint(
        origin=cp.origin,
        tree_size=cp.tree_size,
        root_hash=bytes.fromhex(cp.root_hash),
        key_id=bytes.fromhex(cp.key_id),
        signature=base64.b64decode(cp.signature),
    )


def verify_checkpoint(cp: Checkpoint, public_key: bytes | None = None) -> bool:
    """True if the stored checkpoint carries a valid signature (by this node's key by default)."""
    try:
        signed = checkpoint_note(cp)
    except ValueError:  # malformed hex or base64 in the row
        return False
    return notes.verify(signed, public_key if public_key is not None else keys.public_key_bytes())


def _diagnose_link(pos: int, row: dict[str, Any]) -> tuple[int, str]:
    """Entry ``pos`` does not link to the entry before it: moved, or was its predecessor rewritten?"""
    if not row["prev_hash"]:
        return pos, f"entry {pos} reordered (it was written as the first entry of the log)"
    origin = AuditEntry.objects.filter(leaf_hash=row["prev_hash"]).values_list("seq", flat=True).first()
    if origin is not None:
        return pos, f"entry {pos} reordered (it was written after the entry now at seq {origin})"
    if pos == 0:
        return 0, "entry 0 altered (it links to an entry that is not in the log)"
    return pos - 1, (
        f"entry {pos - 1} altered (its hash was recomputed; entry {pos} still links to the original)"
    )


def _rows(tree_size: int, chunk_size: int) -> Iterator[dict[str, Any]]:
    return AuditEntry.objects.filter(seq__lt=tree_size).order_by("seq").values(*_VALUES).iterator(chunk_size)


def verify(*, chunk_size: int = 2000) -> VerifyResult:
    """Check every entry, every checkpoint and the head. Read-only; see the module docstring."""
    checkpoints = list(Checkpoint.objects.order_by("tree_size", "id"))
    head = AuditHead.objects.filter(pk=1).first()
    size = head.tree_size if head is not None else 0
    public_key = keys.public_key_bytes()
    frontier = merkle.Frontier()
    previous = ""
    next_cp = 0
    verified_cps = 0
    good_size = 0  # the size of the last checkpoint that verified

    def fail(seq: int | None, message: str) -> VerifyResult:
        return VerifyResult(False, size, seq, message, verified_cps)

    def check_checkpoints() -> VerifyResult | None:
        nonlocal next_cp, verified_cps, good_size
        while next_cp < len(checkpoints) and checkpoints[next_cp].tree_size == frontier.size:
            cp = checkpoints[next_cp]
            if not verify_checkpoint(cp, public_key):
                return fail(None, f"checkpoint {cp.pk} (tree size {cp.tree_size}) has an invalid signature")
            if cp.root_hash != frontier.root().hex():
                first = good_size if good_size < cp.tree_size else None
                return fail(
                    first,
                    f"checkpoint {cp.pk} (tree size {cp.tree_size}) does not match the log: entries "
                    f"{good_size}..{cp.tree_size - 1} were rewritten (the last checkpoint that "
                    f"verifies covers {good_size} entries)",
                )
            verified_cps += 1
            good_size = cp.tree_size
            next_cp += 1
        return None

    if head is None and AuditEntry.objects.exists():
        return fail(None, "head missing (the log has entries but no head row)")
    if (problem := check_checkpoints()) is not None:
        return problem
    for pos, row in enumerate(_rows(size, chunk_size)):
        if row["seq"] != pos:
            return fail(pos, f"entry {pos} missing (the next entry in the log is {row['seq']})")
        try:
            computed = merkle.leaf_hash(canonical_bytes(row))
        except (TypeError, ValueError):
            return fail(pos, f"entry {pos} altered (its fields cannot be serialised)")
        if computed.hex() != row["leaf_hash"]:
            return fail(pos, f"entry {pos} altered (leaf hash mismatch)")
        if row["prev_hash"] != previous:
            return fail(*_diagnose_link(pos, row))
        frontier.append(computed)
        previous = row["leaf_hash"]
        if (problem := check_checkpoints()) is not None:
            return problem

    if frontier.size < size:
        return fail(frontier.size, f"entry {frontier.size} missing (the head records {size} entries)")
    if next_cp < len(checkpoints):
        cp = checkpoints[next_cp]
        return fail(
            frontier.size,
            f"entries {frontier.size}..{cp.tree_size - 1} missing "
            f"(checkpoint {cp.pk} covers {cp.tree_size} entries, the log has {frontier.size})",
        )
    root = frontier.root().hex()
    if head is not None and (
        head.root_hash != root or head.frontier != frontier.to_hex() or head.last_leaf_hash != previous
    ):
        return fail(None, f"head altered (it records root {head.root_hash}, the entries give {root})")
    return VerifyResult(
        True, size, None, f"{size} entries, {verified_cps} checkpoints verified", verified_cps, root
    )
