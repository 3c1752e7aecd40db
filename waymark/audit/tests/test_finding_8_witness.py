"""Issue 9, finding 8 (b): checkpoints lived only in the node's own database, so deleting the
trailing ones and rewriting the tail still verified. Partners now witness them: each node keeps
its peers' signed checkpoints and checks every new one against the last one it holds (an RFC 9162
consistency proof), and says when a peer's log went backwards or forked.

These tests play a peer's log in memory (its own Ed25519 key, its own leaves) against this node's
witness store; the exchange tests send real checkpoint messages between nodes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from waymark.audit import notes, witness
from waymark.audit.models import AppendOnlyError, AuditEntry, PeerCheckpoint, Verdict
from waymark.core import merkle
from waymark.vocab import AuditKind

PEER = "node-it"


class PeerLog:
    """A partner node's audit log as it shows it to us: leaves, a key, signed checkpoints."""

    def __init__(self, origin: str = "waymark/peer-demo/audit", key: Ed25519PrivateKey | None = None) -> None:
        self.origin = origin
        self.key = key or Ed25519PrivateKey.generate()
        self.leaves: list[bytes] = []

    @property
    def public(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def append(self, n: int, tag: str = "") -> None:
        for _ in range(n):
            data = f"{tag}{len(self.leaves)}".encode()
            self.leaves.append(merkle.leaf_hash(hashlib.sha256(data).digest()))

    def root(self, size: int | None = None) -> bytes:
        return merkle.root(self.leaves[: len(self.leaves) if size is None else size])

    def offer(
        self, *, since: int = 0, size: int | None = None, key: Ed25519PrivateKey | None = None
    ) -> witness.Offered:
        size = len(self.leaves) if size is None else size
        signer = key or self.key
        public = signer.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        signed = notes.sign(self.origin, size, self.root(size), signer, public)
        proof = merkle.consistency_proof(self.leaves, since, size) if since <= size else []
        return witness.Offered(
            note=signed.note(),
            verifier_key=notes.verifier_key(self.origin, public),
            old_size=since,
            old_root=self.root(since).hex() if since else "",
            proof=tuple(p.hex() for p in proof),
        )


def witnessed(offered: witness.Offered, peer: str = PEER) -> PeerCheckpoint:
    return witness.witness(peer, offered, received_at=timezone.now())


@pytest.fixture
def peer() -> PeerLog:
    log = PeerLog()
    log.append(10)
    return log


def test_finding_8_the_first_checkpoint_of_a_peer_is_pinned_and_a_consistent_one_extends_it(db, peer):
    first = witnessed(peer.offer())
    assert (first.verdict, first.tree_size, first.root_hash) == (Verdict.FIRST, 10, peer.root().hex())
    peer.append(7)
    later = witnessed(peer.offer(since=10))
    assert later.verdict == Verdict.CONSISTENT and later.tree_size == 17
    assert witnessed(peer.offer(since=17)).verdict == Verdict.UNCHANGED
    [status] = witness.peer_status()
    assert (status.peer_node, status.is_flagged, status.latest.tree_size) == (PEER, False, 17)


def test_finding_8_a_peer_whose_log_went_backwards_is_flagged(db, peer):
    witnessed(peer.offer())
    peer.leaves = peer.leaves[:6]  # the tail deleted, with the checkpoints that covered it
    back = witnessed(peer.offer(since=10))
    assert back.verdict == Verdict.BACKWARDS
    assert "10" in back.detail and "6" in back.detail
    [status] = witness.peer_status()
    assert status.is_flagged and status.latest.verdict == Verdict.BACKWARDS


def test_finding_8_a_rewritten_tail_is_a_fork_even_when_every_hash_was_recomputed(db, peer):
    witnessed(peer.offer())
    peer.leaves = peer.leaves[:8]
    peer.append(5, tag="rewritten")  # entries 8.. rewritten, the log longer than before
    forked = witnessed(peer.offer(since=10))
    assert forked.verdict == Verdict.FORKED
    assert witness.peer_status()[0].is_flagged


def test_finding_8_the_same_size_with_another_root_is_a_fork(db, peer):
    witnessed(peer.offer())
    peer.leaves = peer.leaves[:9]
    peer.append(1, tag="other")
    assert witnessed(peer.offer(since=10)).verdict == Verdict.FORKED


def test_finding_8_a_proof_that_does_not_hold_is_a_fork(db, peer):
    witnessed(peer.offer())
    peer.append(6)
    offered = peer.offer(since=10)
    bad = witness.Offered(**{**offered.__dict__, "proof": tuple(reversed(offered.proof))})
    assert witnessed(bad).verdict == Verdict.FORKED


def test_finding_8_a_checkpoint_proven_only_from_an_older_size_is_unproven(db, peer):
    witnessed(peer.offer())
    peer.append(4)
    witnessed(peer.offer(since=10))
    peer.append(4)
    # Proves it extends size 10, but we hold size 14: what happened between is not shown.
    assert witnessed(peer.offer(since=10)).verdict == Verdict.UNPROVEN
    # …and once flagged, a peer stays flagged until its operators explain (a reset).
    peer.append(1)
    assert witness.peer_status()[0].is_flagged
    witness.reset(PEER, actor_name="hugo-admin", reason="restored from backup on 2026-03-01 (fictional)")
    assert not witness.peer_status()[0].is_flagged
    assert witnessed(peer.offer(since=19)).verdict == Verdict.FIRST


def test_finding_8_another_signing_key_is_flagged(db, peer):
    witnessed(peer.offer())
    peer.append(2)
    assert witnessed(peer.offer(since=10, key=Ed25519PrivateKey.generate())).verdict == Verdict.KEY_CHANGED


def test_finding_8_a_note_whose_signature_does_not_verify_is_refused_and_nothing_kept(db, peer):
    offered = peer.offer()
    other = PeerLog(key=Ed25519PrivateKey.generate())
    forged = witness.Offered(
        **{**offered.__dict__, "verifier_key": notes.verifier_key(peer.origin, other.public)}
    )
    with pytest.raises(witness.WitnessRefused):
        witnessed(forged)
    with pytest.raises(witness.WitnessRefused):
        witnessed(witness.Offered(**{**offered.__dict__, "note": "not a note"}))
    assert not PeerCheckpoint.objects.exists()


def test_finding_8_each_witnessed_checkpoint_is_an_audit_entry(db, peer):
    witnessed(peer.offer())
    peer.leaves = peer.leaves[:3]
    witnessed(peer.offer(since=10))
    entries = list(AuditEntry.objects.filter(kind=AuditKind.CHECKPOINT).order_by("seq"))
    assert [e.details["verdict"] for e in entries] == ["first", "backwards"]
    assert all(e.actor == f"node:{PEER}" and e.details["peer_node"] == PEER for e in entries)
    assert entries[1].decision == "deny"


def test_finding_8_peers_checkpoints_are_append_only(db, peer):
    row = witnessed(peer.offer())
    with pytest.raises(AppendOnlyError):
        PeerCheckpoint.objects.filter(pk=row.pk).update(verdict=Verdict.CONSISTENT)
    # The database refuses it too (the triggers of the other audit tables).
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_peercheckpoint SET verdict = 'consistent'")


def test_finding_8_status_lists_every_peer_with_its_latest_checkpoint(db, peer):
    other = PeerLog(origin="waymark/other-demo/audit")
    other.append(3)
    witnessed(peer.offer())
    witnessed(other.offer(), peer="node-be")
    assert [s.peer_node for s in witness.peer_status()] == ["node-be", "node-it"]
    assert all(
        s.latest.received_at <= timezone.now() + dt.timedelta(seconds=1) for s in witness.peer_status()
    )
