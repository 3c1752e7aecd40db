"""Someone with database access changes history: audit_verify fails and names the first bad entry.

Each test lifts the append-only triggers (``waymark.audit.testing.tamper``) and edits rows with
raw SQL, as an attacker with the database owner's rights could.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from waymark.audit import service
from waymark.audit.models import AuditEntry, AuditHead
from waymark.audit.testing import tamper
from waymark.audit.tests.conftest import read
from waymark.core import merkle


def audit_verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    return err.getvalue().strip()


def rehash(seq: int, prev_hash: str | None = None) -> str:
    """Recompute an entry's leaf hash after tampering, as a careful attacker would."""
    entry = AuditEntry.objects.get(seq=seq)
    if prev_hash is not None:
        entry.prev_hash = prev_hash
    leaf = entry.computed_leaf_hash()
    tamper(
        "UPDATE audit_auditentry SET leaf_hash = %s, prev_hash = %s WHERE seq = %s",
        [leaf, entry.prev_hash, seq],
    )
    return leaf


def test_a_changed_field_names_the_altered_entry(log):
    tamper("UPDATE audit_auditentry SET decision = %s WHERE seq = %s", ["allow", 6])
    assert audit_verify_fails() == "FAIL: entry 6 altered (leaf hash mismatch)"


def test_a_changed_timestamp_is_caught_too(log):
    tamper(
        "UPDATE audit_auditentry SET created_at = %s WHERE seq = %s",
        [log[0].created_at.replace(year=2020), 2],
    )
    assert audit_verify_fails() == "FAIL: entry 2 altered (leaf hash mismatch)"


def test_a_changed_and_rehashed_entry_is_named_by_the_link_that_breaks(log):
    tamper("UPDATE audit_auditentry SET actor = %s WHERE seq = %s", ["someone-else", 3])
    rehash(3)
    assert audit_verify_fails() == (
        "FAIL: entry 3 altered (its hash was recomputed; entry 4 still links to the original)"
    )


def test_a_deleted_entry_is_named_missing(log):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [4])
    assert audit_verify_fails() == "FAIL: entry 4 missing (the next entry in the log is 5)"


def test_a_deleted_last_entry_is_named_missing(log):
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [len(log) - 1])
    assert audit_verify_fails() == f"FAIL: entry {len(log) - 1} missing (the head records {len(log)} entries)"


def test_two_swapped_entries_are_named_reordered(log):
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [1000, 2])
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [2, 5])
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [5, 1000])
    assert audit_verify_fails() == "FAIL: entry 2 reordered (it was written after the entry now at seq 4)"
    result = service.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)


def test_two_neighbours_swapped_are_named_reordered(log):
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [1000, 3])
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [3, 4])
    tamper("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [4, 1000])
    assert audit_verify_fails() == "FAIL: entry 3 reordered (it was written after the entry now at seq 4)"


def test_a_consistently_rewritten_tail_is_caught_by_the_signed_checkpoint(log):
    cp = service.checkpoint()  # signs all entries
    # The attacker alters entry 5, re-hashes it and every later entry, and fixes the head.
    tamper("UPDATE audit_auditentry SET purpose = %s WHERE seq = %s", ["audit", 5])
    previous = rehash(5)
    for seq in range(6, len(log)):
        previous = rehash(seq, prev_hash=previous)
    frontier = merkle.Frontier()
    frontier.extend(
        bytes.fromhex(h) for h in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    )
    AuditHead.objects.filter(pk=1).update(
        frontier=frontier.to_hex(), root_hash=frontier.root().hex(), last_leaf_hash=previous
    )
    message = audit_verify_fails()
    assert message.startswith(
        f"FAIL: checkpoint {cp.pk} (tree size {len(log)}) does not match the log: entries 0.."
    )
    assert service.verify().first_bad_seq == 0


def test_rewriting_after_a_checkpoint_narrows_the_search_to_what_followed_it(people, case, log):
    service.checkpoint()  # covers entries 0..7
    for _ in range(4):
        read(people.sara, case)
    service.checkpoint()  # covers 0..11
    tamper("UPDATE audit_auditentry SET actor = %s WHERE seq = %s", ["nobody", 11])
    last = rehash(11)
    frontier = merkle.Frontier()
    frontier.extend(
        bytes.fromhex(h) for h in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    )
    AuditHead.objects.filter(pk=1).update(
        frontier=frontier.to_hex(), root_hash=frontier.root().hex(), last_leaf_hash=last
    )
    assert frontier.size == 12
    result = service.verify()
    assert not result.ok
    assert result.first_bad_seq == len(log)
    assert f"entries {len(log)}..11 were rewritten" in result.message


def test_entries_removed_from_the_end_after_a_checkpoint_are_named(log):
    cp = service.checkpoint()
    tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [6])
    # The attacker also rewinds the head to 6 entries.
    frontier = merkle.Frontier()
    frontier.extend(
        bytes.fromhex(h) for h in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    )
    AuditHead.objects.filter(pk=1).update(
        tree_size=6,
        frontier=frontier.to_hex(),
        root_hash=frontier.root().hex(),
        last_leaf_hash=log[5].leaf_hash,
    )
    assert audit_verify_fails() == (
        f"FAIL: entries 6..{len(log) - 1} missing (checkpoint {cp.pk} covers {len(log)} entries, the log has 6)"
    )


def test_an_altered_head_is_caught(log):
    AuditHead.objects.filter(pk=1).update(root_hash="00" * 32)
    assert audit_verify_fails().startswith("FAIL: head altered")
