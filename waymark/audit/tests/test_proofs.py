"""Inclusion and consistency proofs verify against signed checkpoints, and only against them."""

from __future__ import annotations

import pytest

from waymark.audit import service
from waymark.audit.tests.conftest import read
from waymark.core import merkle


@pytest.fixture
def checkpoints(people, case, log):
    first = service.checkpoint()
    for _ in range(5):
        read(people.claire, case)
    second = service.checkpoint()
    return first, second


def test_every_entry_has_an_inclusion_proof_against_the_checkpoint_that_covers_it(checkpoints):
    first, second = checkpoints
    for seq in range(second.tree_size):
        proof = service.inclusion_proof(seq, second.tree_size)
        assert service.verify_checkpoint(second)
        assert proof.verify(second.root_hash)
        if seq < first.tree_size:
            assert service.inclusion_proof(seq, first.tree_size).verify(first.root_hash)


def test_an_inclusion_proof_does_not_verify_against_another_checkpoint(checkpoints):
    first, second = checkpoints
    proof = service.inclusion_proof(2, second.tree_size)
    assert not proof.verify(first.root_hash)


def test_an_inclusion_proof_defaults_to_the_head(checkpoints):
    _, second = checkpoints
    proof = service.inclusion_proof(0)
    assert (proof.tree_size, proof.root_hash) == (second.tree_size, second.root_hash)


def test_the_later_checkpoint_is_consistent_with_the_earlier_one(checkpoints):
    first, second = checkpoints
    proof = service.consistency_proof(first.tree_size, second.tree_size)
    assert (proof.old_root, proof.new_root) == (first.root_hash, second.root_hash)
    assert proof.verify(first.root_hash, second.root_hash)
    assert merkle.verify_consistency(
        first.tree_size,
        second.tree_size,
        bytes.fromhex(first.root_hash),
        bytes.fromhex(second.root_hash),
        [bytes.fromhex(p) for p in proof.path],
    )


def test_a_consistency_proof_fails_against_a_forked_history(checkpoints):
    first, second = checkpoints
    proof = service.consistency_proof(first.tree_size, second.tree_size)
    assert not proof.verify("ab" * 32, second.root_hash)
    assert not proof.verify(first.root_hash, "ab" * 32)


def test_proofs_beyond_the_log_are_refused(checkpoints):
    _, second = checkpoints
    with pytest.raises(ValueError):
        service.inclusion_proof(second.tree_size, second.tree_size)
    with pytest.raises(ValueError):
        service.consistency_proof(1, second.tree_size + 1)
