"""Appending gives gap-free sequence numbers and a head that matches the Merkle tree."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import transaction

from waymark.audit import service
from waymark.audit.models import AuditEntry, AuditHead
from waymark.audit.tests.conftest import read
from waymark.core import merkle
from waymark.vocab import AuditKind


def test_entries_are_numbered_from_zero_without_gaps(log):
    assert [e.seq for e in AuditEntry.objects.order_by("seq")] == list(range(len(log)))


def test_each_entry_links_to_the_one_before(log):
    entries = list(AuditEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == ""
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.leaf_hash


def test_the_stored_leaf_hash_covers_the_entry_fields(log):
    entry = AuditEntry.objects.get(seq=3)
    assert entry.leaf_hash == merkle.leaf_hash(entry.canonical_bytes()).hex()
    assert entry.computed_leaf_hash() == entry.leaf_hash


def test_the_head_holds_the_merkle_root_of_all_entries(log):
    head = AuditHead.objects.get()
    leaves = [
        bytes.fromhex(h) for h in AuditEntry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    ]
    assert head.tree_size == len(log)
    assert head.root_hash == merkle.root(leaves).hex()
    assert service.current_root() == (len(log), head.root_hash)


def test_an_entry_records_who_acted_for_which_purpose_and_why(people, case, log):
    entry = AuditEntry.objects.get(seq=6)
    assert (entry.actor, entry.actor_org, entry.role) == ("ivan", "xx-immigration", "caseworker")
    assert (entry.purpose, entry.decision, entry.reasons) == (
        "immigration_enforcement",
        "deny",
        ["firewall-purpose"],
    )
    assert entry.case_reference == case.reference
    assert entry.child_pseudonym == service.pseudonym(case.child.public_id)
    assert entry.created_at.tzinfo is not None


def test_a_good_log_verifies(log):
    service.checkpoint()
    result = service.verify()
    assert result.ok, result.message
    assert (result.tree_size, result.first_bad_seq, result.checkpoints) == (len(log), None, 1)
    assert result.root_hash == AuditHead.objects.get().root_hash


def test_an_empty_log_verifies(db):
    result = service.verify()
    assert result.ok and result.tree_size == 0
    assert result.root_hash == merkle.EMPTY_ROOT.hex()


def test_audit_verify_prints_ok_with_the_sizes(log):
    service.checkpoint()
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith(f"OK: {len(log)} entries, 1 checkpoints verified")


def test_an_entry_rolled_back_with_its_transaction_leaves_no_gap(people, case):
    read(people.giulia, case)
    with pytest.raises(RuntimeError), transaction.atomic():
        read(people.giulia, case)
        raise RuntimeError("the business write failed")
    read(people.sara, case)
    assert list(AuditEntry.objects.values_list("seq", "actor")) == [(0, "giulia"), (1, "sara")]
    assert service.verify().ok


def test_a_remote_principal_is_recorded_by_name_and_organisation(case):
    entry = service.record(
        AuditKind.ENVELOPE_RECEIVED,
        actor_name="claire@fr-node",
        actor_org="fr-ngo-calais",
        role="caseworker",
        subject=case.audit_subject,
    )
    assert (entry.actor, entry.actor_org, entry.role) == ("claire@fr-node", "fr-ngo-calais", "caseworker")


def test_a_local_actor_and_a_remote_name_together_are_refused(people):
    with pytest.raises(ValueError):
        service.record(AuditKind.OTHER, actor=people.giulia, actor_name="someone-else")


def test_values_that_would_not_hash_the_same_after_a_round_trip_are_refused(people):
    with pytest.raises(ValueError):
        service.record(AuditKind.OTHER, actor=people.giulia, details={"score": 0.93})
    with pytest.raises(ValueError):
        service.record("made_up_kind", actor=people.giulia)
    assert not AuditEntry.objects.exists()
