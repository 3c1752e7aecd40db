"""Witnessing partners' audit logs, and offering ours to be witnessed.

A node's checkpoints prove nothing to someone who can rewrite its database: delete the trailing
checkpoints, rewrite the tail, and ``audit_verify`` passes. So every node sends its signed
checkpoints to its partners (the exchange's ``audit_checkpoint`` message), each with an RFC 9162
consistency proof from the last checkpoint that partner accepted, and every node keeps what its
peers sent (``PeerCheckpoint``, append-only) and checks each new one against the last good one
it holds from that peer:

- none held yet (or an administrator reset the peer): **first** — the key and the checkpoint
  are pinned (trust on first use);
- signed by another key than the pinned one: **key_changed**;
- smaller than the one held: **backwards** (entries were removed);
- the same size: **unchanged** if the root is the same, else **forked**;
- larger: **consistent** if it proves it extends the one held (the proof starts at that size,
  from that root, and verifies), **forked** if it starts there from another root or the proof
  fails, **unproven** if it starts from another size.

Anything but first, consistent and unchanged flags the peer, and it stays flagged: later
checkpoints are still checked against the last good one, which a rewritten log can never prove
it extends. Only ``reset`` (an administrator, after the two organisations' DPOs have talked)
clears it. A note whose signature does not verify is refused outright (``WitnessRefused``).

Every witnessed checkpoint (and every reset) is an audit entry (kind ``checkpoint``).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from waymark.audit import notes, service
from waymark.audit.models import AuditEntry, Checkpoint, PeerCheckpoint, Verdict
from waymark.core import merkle
from waymark.vocab import AuditDecision, AuditKind, Purpose

GOOD = frozenset({Verdict.FIRST, Verdict.CONSISTENT, Verdict.UNCHANGED})
ANCHORS = GOOD | {Verdict.RESET}
FLAGGED = frozenset({Verdict.BACKWARDS, Verdict.FORKED, Verdict.UNPROVEN, Verdict.KEY_CHANGED})
MAX_PROOF = 128  # hashes: enough for any log below 2**64 entries


class WitnessRefused(ValueError):
    """What a peer offered cannot be read as a checkpoint it signed."""


@dataclass(frozen=True)
class Offered:
    """A checkpoint as a peer offers it: the signed note, the key line that checks it, and the
    consistency proof from ``old_size`` (root ``old_root``, hex) to the note's size."""

    note: str
    verifier_key: str
    old_size: int = 0
    old_root: str = ""
    proof: tuple[str, ...] = ()


# --- offering ours ------------------------------------------------------------------------------


def offer(cp: Checkpoint, since: int) -> Offered:
    """Our checkpoint ``cp`` with a proof that it extends our log at size ``since`` (the last
    checkpoint the partner accepted from us; 0 for none). The old root is recomputed from the
    log as it is now, so a rewritten log shows as one. A log smaller than ``since`` cannot
    prove anything: the offer carries no proof, and the partner sees it went backwards."""
    note = service.checkpoint_note(cp).note()
    key = service.verifier_key()
    if since <= 0 or since > cp.tree_size:
        return Offered(note, key, old_size=max(0, since))
    proof = service.consistency_proof(since, cp.tree_size)
    return Offered(note, key, old_size=since, old_root=proof.old_root, proof=tuple(proof.path))


def checkpoint_if_grown(*, ignore_purpose: str = Purpose.AUDIT) -> Checkpoint | None:
    """Sign a checkpoint if the log grew since the latest one, beyond the witnessing itself.

    The entries witnessing adds (the checkpoint messages sent and received, their receipts, the
    witnessed peers' checkpoints: all of purpose ``audit``) do not count, or a node would sign
    and send a new checkpoint on every round for ever."""
    latest = Checkpoint.objects.order_by("-tree_size", "-id").first()
    size, _ = service.current_root()
    if latest is not None:
        if size <= latest.tree_size:
            return None
        witnessing = (
            AuditKind.ENVELOPE_SENT,
            AuditKind.ENVELOPE_RECEIVED,
            AuditKind.RECEIPT,
            AuditKind.CHECKPOINT,
        )
        grown = (
            AuditEntry.objects.filter(seq__gte=latest.tree_size, seq__lt=size)
            .exclude(purpose=ignore_purpose, kind__in=witnessing)
            .exists()
        )
        if not grown:
            return None
    elif size == 0:
        return None
    return service.checkpoint()


# --- witnessing theirs --------------------------------------------------------------------------


def _read(offered: Offered) -> tuple[notes.SignedCheckpoint, bytes]:
    try:
        signed = notes.parse_note(offered.note)
        name, public_key = notes.parse_verifier_key(offered.verifier_key)
    except ValueError as exc:
        raise WitnessRefused(f"not a signed checkpoint: {exc}") from exc
    if name != signed.origin:
        raise WitnessRefused("the verifier key names another log than the checkpoint")
    if not notes.verify(signed, public_key):
        raise WitnessRefused("the checkpoint's signature does not verify with the key it came with")
    if offered.old_size < 0 or len(offered.proof) > MAX_PROOF:
        raise WitnessRefused("malformed consistency proof")
    try:
        bytes.fromhex(offered.old_root)
        for step in offered.proof:
            if len(bytes.fromhex(step)) != merkle.HASH_SIZE:
                raise ValueError(step)
    except ValueError as exc:
        raise WitnessRefused("malformed consistency proof") from exc
    return signed, public_key


def anchor(peer_node: str) -> PeerCheckpoint | None:
    """The last good checkpoint we hold from ``peer_node`` (or its reset), if any."""
    return PeerCheckpoint.objects.filter(peer_node=peer_node, verdict__in=ANCHORS).order_by("-id").first()


def judge(
    held: PeerCheckpoint | None, signed: notes.SignedCheckpoint, key_line: str, offered: Offered
) -> tuple[Verdict, str]:
    """The verdict on a verified checkpoint against the last good one held (see the module)."""
    size, root = signed.tree_size, signed.root_hash.hex()
    if held is None or held.verdict == Verdict.RESET:
        return Verdict.FIRST, f"first checkpoint held from this node: {size} entries"
    if key_line != held.verifier_key:
        return Verdict.KEY_CHANGED, "signed by another key than the one pinned for this node's log"
    if size < held.tree_size:
        return Verdict.BACKWARDS, f"its log has {size} entries; it signed {held.tree_size} before"
    if size == held.tree_size:
        if root == held.root_hash:
            return Verdict.UNCHANGED, f"{size} entries, as before"
        return Verdict.FORKED, f"another root for the same {size} entries"
    if offered.old_size != held.tree_size:
        return Verdict.UNPROVEN, (
            f"proves it extends {offered.old_size} entries; we hold {held.tree_size} (what lies between is not shown)"
        )
    if offered.old_root != held.root_hash:
        return Verdict.FORKED, f"its log at {held.tree_size} entries is not the one it signed before"
    proven = merkle.verify_consistency(
        held.tree_size,
        size,
        bytes.fromhex(held.root_hash),
        signed.root_hash,
        [bytes.fromhex(p) for p in offered.proof],
    )
    if not proven:
        return Verdict.FORKED, f"the proof that {size} entries extend {held.tree_size} does not hold"
    return Verdict.CONSISTENT, f"{size} entries, proven to extend {held.tree_size}"


@transaction.atomic
def witness(
    peer_node: str, offered: Offered, *, received_at: dt.datetime, message_id: str = ""
) -> PeerCheckpoint:
    """Check and keep a peer's checkpoint (see the module docstring); ``WitnessRefused`` if it
    is not a checkpoint it signed. Call inside the transaction that receives it."""
    signed, _public_key = _read(offered)
    held = (
        PeerCheckpoint.objects.select_for_update().filter(pk=getattr(anchor(peer_node), "pk", None)).first()
    )
    verdict, detail = judge(held, signed, offered.verifier_key.strip(), offered)
    row = PeerCheckpoint.objects.create(
        peer_node=peer_node,
        origin=signed.origin[:200],
        tree_size=signed.tree_size,
        root_hash=signed.root_hash.hex(),
        key_id=signed.key_id.hex(),
        signature=base64.b64encode(signed.signature).decode(),
        verifier_key=offered.verifier_key.strip()[:300],
        proven_from=offered.old_size,
        verdict=verdict,
        detail=detail[:300],
        message_id=message_id[:64],
        received_at=received_at,
    )
    service.record(
        AuditKind.CHECKPOINT,
        actor_name=f"node:{peer_node}"[:150],
        purpose=Purpose.AUDIT,
        decision=AuditDecision.DENY if verdict in FLAGGED else "",
        reasons=[verdict.value],
        details={
            "peer_node": peer_node,
            "origin": row.origin,
            "tree_size": row.tree_size,
            "root_hash": row.root_hash,
            "proven_from": offered.old_size,
            "verdict": verdict.value,
            "message_id": row.message_id,
        },
    )
    return row


@transaction.atomic
def reset(peer_node: str, *, actor_name: str, reason: str) -> PeerCheckpoint:
    """Forget what we pinned for ``peer_node``: its next checkpoint is taken as a first one.
    For after a flagged peer's operators explained (a restore, a new audit key), agreed by the
    DPOs of both organisations; audited with ``reason``."""
    if not reason.strip():
        raise ValueError("a reset needs a reason")
    row = PeerCheckpoint.objects.create(
        peer_node=peer_node, verdict=Verdict.RESET, detail=reason.strip()[:300], received_at=timezone.now()
    )
    service.record(
        AuditKind.CHECKPOINT,
        actor_name=actor_name[:150],
        purpose=Purpose.AUDIT,
        reasons=[Verdict.RESET.value],
        details={"peer_node": peer_node, "verdict": Verdict.RESET.value, "reason": reason.strip()[:300]},
    )
    return row


@dataclass(frozen=True)
class PeerStatus:
    peer_node: str
    latest: PeerCheckpoint  # the last row held (a checkpoint, or a reset)
    good: PeerCheckpoint | None  # the last good one
    flagged: PeerCheckpoint | None  # the first flagged one since the last reset, if any

    @property
    def is_flagged(self) -> bool:
        return self.flagged is not None


def peer_status(peers: Sequence[str] | None = None) -> list[PeerStatus]:
    """Each peer whose checkpoints we hold: its latest, its last good one, and whether it is
    flagged (any backwards, fork, unproven or key change since the last reset). A few indexed
    queries per peer, whatever the history."""
    names = (
        peers if peers is not None else PeerCheckpoint.objects.values_list("peer_node", flat=True).distinct()
    )
    out: list[PeerStatus] = []
    for peer_node in sorted(set(names)):
        rows = PeerCheckpoint.objects.filter(peer_node=peer_node)
        latest = rows.order_by("-id").first()
        if latest is None:
            continue
        reset_id = (
            rows.filter(verdict=Verdict.RESET).order_by("-id").values_list("id", flat=True).first() or 0
        )
        flagged = rows.filter(id__gt=reset_id, verdict__in=FLAGGED).order_by("id").first()
        good = rows.filter(verdict__in=GOOD).order_by("-id").first()
        out.append(PeerStatus(peer_node, latest, good, flagged))
    return out
