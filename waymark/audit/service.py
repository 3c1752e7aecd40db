"""The audit service: the only writer of the audit log. Other apps call these functions.

Recording
---------
``record(kind, *, actor=None, subject=None, ...) -> AuditEntry`` appends one entry. It takes
identifiers, never a model of another app: the ``actor`` is anything shaped like a local user
(``Actor``: ``accounts.User`` is one) and the ``subject`` says whose data it is about by ids
(``Subject``: ``cases.models.Case.audit_subject`` builds one). Contract for callers:

- **Writes**: call it inside the ``do_*`` function's transaction (``@transaction.atomic``), after
  the business rows are written, so the business write and its audit row commit together or not
  at all. It runs in a savepoint of that transaction.
- **Reads** (an access decision before data is shown or sent): call it before the data leaves
  the function. Outside a transaction it commits on its own.
- **Failure**: if the entry cannot be written (database error, missing or unreadable key file,
  corrupt head) it raises ``AuditUnavailable``. The caller must then refuse the access — let the
  exception propagate (it rolls back the surrounding transaction) or turn it into a refusal. Data
  is never served unlogged (FIREWALL.md, "The audit log"). Invalid arguments (an unknown kind, a
  float in ``details``) are programming errors and raise ``ValueError``.
- **Locking**: appends are serialised by a row lock on the single ``AuditHead`` row (on SQLite
  the write lock does the same), held until the *caller's* transaction commits. That is the price
  of a gap-free ``seq``; call ``record`` late in a long transaction.
- **No personal data**: the child is stored only as ``pseudonym(public_id)``; ``details`` must hold
  identifiers and counts, never names, notes or free text about a person.
- Tests of callers simulate failure with ``waymark.audit.testing.audit_unavailable()``.

Keys, checkpoints, proofs
-------------------------
- ``pseudonym(public_id) -> str``: HMAC-SHA256 of the child's ``public_id`` with the node's pseudonym
  key, hex. Stable for the life of the key; reveals nothing without it.
- ``checkpoint() -> Checkpoint`` signs the current head (``manage.py audit_checkpoint``).
- ``verify() -> VerifyResult`` checks the whole log (``manage.py audit_verify``); see
  ``waymark.audit.verification``.
- ``inclusion_proof(seq, tree_size=None)`` and ``consistency_proof(old_size, new_size=None)``
  return RFC 9162 proofs (hex) to hand to a partner or a DPO; they load the leaf hashes up to
  ``tree_size`` (O(n)), fine for on-demand use, not for a hot path.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from waymark.audit import keys, notes
from waymark.audit.models import AuditEntry, AuditHead, Checkpoint
from waymark.audit.verification import VerifyResult, checkpoint_note, verify, verify_checkpoint
from waymark.core import merkle
from waymark.vocab import AuditDecision, AuditKind

__all__ = [
    "Actor",
    "AuditUnavailable",
    "ConsistencyProof",
    "InclusionProof",
    "Subject",
    "VerifyResult",
    "checkpoint",
    "checkpoint_note",
    "consistency_proof",
    "current_root",
    "inclusion_proof",
    "pseudonym",
    "record",
    "record_many",
    "verifier_key",
    "verify",
    "verify_checkpoint",
]

PSEUDONYM_CONTEXT = b"waymark child pseudonym v1\n"
_LIMITS = {
    "actor": 150,
    "actor_org": 64,
    "role": 32,
    "purpose": 40,
    "agreement": 128,
    "peer_org": 64,
    "case_reference": 64,
}


class AuditUnavailable(Exception):
    """The audit entry could not be written: the caller must refuse the access."""


class _Slugged(Protocol):
    @property
    def slug(self) -> str: ...


@runtime_checkable
class Actor(Protocol):
    """A local user as the log names them: username, organisation slug, role (``accounts.User``)."""

    @property
    def organisation(self) -> _Slugged | None: ...

    @property
    def role(self) -> str: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class Subject:
    """Whose data an entry is about, by identifiers only: the child's ``public_id`` (stored as its
    pseudonym) and the case reference. Either may be missing; the child may already be erased."""

    child_public_id: uuid.UUID | str | None = None
    case_reference: str = ""


# --- pseudonyms ---------------------------------------------------------------------------


def pseudonym(public_id: uuid.UUID | str) -> str:
    """HMAC-SHA256(pseudonym key, the child's ``public_id``), hex: how the log names a child.

    ``public_id`` is a UUID or its text. Raises ``OSError``/``ValueError`` if the key file cannot
    be read or created.
    """
    canonical = str(uuid.UUID(str(public_id)))
    return hmac.new(keys.pseudonym_key(), PSEUDONYM_CONTEXT + canonical.encode(), hashlib.sha256).hexdigest()


# --- recording ----------------------------------------------------------------------------


def _json_safe(value: Any, where: str) -> Any:
    """Check a value round-trips exactly through JSON on both databases (no floats, no NUL)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where}: NUL characters cannot be stored")
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(v, where) for v in value]
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{where}: keys must be strings")
        return {k: _json_safe(v, where) for k, v in value.items()}
    # Floats and everything else: their JSON text is not stable across databases.
    raise ValueError(f"{where}: {type(value).__name__} values are not allowed in the audit log")


def _fields(
    kind: str,
    *,
    actor: Actor | None,
    actor_name: str,
    actor_org: str,
    role: str,
    purpose: str,
    decision: str,
    reasons: Iterable[str],
    agreement: str,
    peer_org: str,
    subject: Subject | None,
    categories: Iterable[str],
    details: Mapping[str, Any] | None,
) -> dict[str, Any]:
    if kind not in AuditKind.values:
        raise ValueError(f"unknown audit kind {kind!r}")
    if decision not in ("", *AuditDecision.values):
        raise ValueError(f"decision must be allow, deny or empty, not {decision!r}")
    if actor is not None:
        if actor_name or actor_org:
            raise ValueError("give either a local actor (a User) or actor_name/actor_org, not both")
        actor_name = actor.get_username()
        organisation = actor.organisation  # None without a query when the user has none
        actor_org = organisation.slug if organisation is not None else ""
        role = role or actor.role
    subject = subject or Subject()
    try:
        child_pseudonym = pseudonym(subject.child_public_id) if subject.child_public_id is not None else ""
    except (OSError, ValueError) as exc:  # the pseudonym key cannot be read or created
        raise AuditUnavailable(f"audit log unavailable: {exc}") from exc
    fields: dict[str, Any] = {
        "kind": str(kind),
        "actor": actor_name,
        "actor_org": actor_org,
        "role": str(role),
        "purpose": str(purpose),
        "decision": str(decision),
        "reasons": [str(r) for r in reasons],
        "agreement": agreement,
        "peer_org": peer_org,
        "child_pseudonym": child_pseudonym,
        "case_reference": subject.case_reference,
        "categories": sorted({str(c) for c in categories}),
        "details": _json_safe(dict(details or {}), "details"),
    }
    for name, limit in _LIMITS.items():
        _json_safe(fields[name], name)
        if len(fields[name]) > limit:
            raise ValueError(f"{name} is longer than {limit} characters")
    _json_safe(fields["reasons"], "reasons")
    _json_safe(fields["categories"], "categories")
    return fields


def _locked_head() -> AuditHead:
    try:
        return AuditHead.objects.select_for_update().get(pk=1)
    except AuditHead.DoesNotExist:
        # First entry ever (or the head row was wiped by a flush): create it, then lock it.
        # get_or_create copes with two processes racing to create it.
        AuditHead.objects.get_or_create(pk=1)
        return AuditHead.objects.select_for_update().get(pk=1)


def _write(fields: dict[str, Any]) -> AuditEntry:
    """Append one entry and advance the head; the caller holds a transaction."""
    return _write_many([fields])[0]


def _write_many(many: list[dict[str, Any]]) -> list[AuditEntry]:
    """Append entries in order under one head lock, one INSERT and one head UPDATE."""
    head = _locked_head()
    frontier = merkle.Frontier.from_hex(head.tree_size, head.frontier)
    now = timezone.now()
    prev = head.last_leaf_hash
    entries: list[AuditEntry] = []
    for fields in many:
        entry = AuditEntry(seq=frontier.size, created_at=now, prev_hash=prev, **fields)
        entry.leaf_hash = entry.computed_leaf_hash()
        frontier.append(bytes.fromhex(entry.leaf_hash))
        prev = entry.leaf_hash
        entries.append(entry)
    # Still an append: the queryset refuses bulk_create to everyone else, not to this writer.
    QuerySet.bulk_create(AuditEntry.objects.all(), entries)
    # One UPDATE of the locked row (cheaper than save(), which re-reads what it needs).
    AuditHead.objects.filter(pk=1).update(
        tree_size=frontier.size,
        frontier=frontier.to_hex(),
        root_hash=frontier.root().hex(),
        last_leaf_hash=prev,
        updated_at=now,
    )
    return entries


_RECORD_DEFAULTS: dict[str, Any] = {
    "actor": None,
    "actor_name": "",
    "actor_org": "",
    "role": "",
    "purpose": "",
    "decision": "",
    "reasons": (),
    "agreement": "",
    "peer_org": "",
    "subject": None,
    "categories": (),
    "details": None,
}


def record_many(kind: AuditKind | str, rows: Iterable[Mapping[str, Any]]) -> list[AuditEntry]:
    """Append several entries of one kind at once (a list page's decisions); same contract as
    ``record``: each row holds ``record``'s keyword arguments; all or none are written."""
    prepared = [_fields(kind, **{**_RECORD_DEFAULTS, **dict(row)}) for row in rows]
    if not prepared:
        return []
    try:
        with transaction.atomic():
            return _write_many(prepared)
    except (DatabaseError, OSError, ValueError) as exc:
        raise AuditUnavailable(f"audit log unavailable: {exc}") from exc


def record(
    kind: AuditKind | str,
    *,
    actor: Actor | None = None,
    actor_name: str = "",
    actor_org: str = "",
    role: str = "",
    purpose: str = "",
    decision: AuditDecision | str = "",
    reasons: Iterable[str] = (),
    agreement: str = "",
    peer_org: str = "",
    subject: Subject | None = None,
    categories: Iterable[str] = (),
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry; raise ``AuditUnavailable`` if it cannot be written.

    - ``actor``: the local user who acted (username, organisation slug and role are copied).
      For a principal on another node, or the system, leave it ``None`` and give
      ``actor_name``/``actor_org``/``role`` as strings (``actor_org`` is the federation slug).
    - ``purpose`` (``vocab.Purpose``), ``decision`` (``vocab.AuditDecision`` or "" when nothing
      was decided), ``reasons`` (the deciding policy ids), ``agreement`` (its identifier),
      ``categories`` (``vocab.DataCategory`` values read, sent or refused).
    - ``peer_org``: for envelopes and receipts, the other organisation's slug.
    - ``subject``: whose data, by ids (``Subject``): stored as the child's pseudonym and the case
      reference.
    - ``details``: small JSON (str/int/bool/None, lists, objects; no floats), never personal data.

    See the module docstring for the transaction contract.
    """
    fields = _fields(
        kind,
        actor=actor,
        actor_name=actor_name,
        actor_org=actor_org,
        role=role,
        purpose=purpose,
        decision=decision,
        reasons=reasons,
        agreement=agreement,
        peer_org=peer_org,
        subject=subject,
        categories=categories,
        details=details,
    )
    try:
        with transaction.atomic():
            return _write(fields)
    except (DatabaseError, OSError, ValueError) as exc:
        # ValueError here means a corrupt head (its frontier); the fields were checked above.
        raise AuditUnavailable(f"audit log unavailable: {exc}") from exc


# --- checkpoints --------------------------------------------------------------------------


def current_root() -> tuple[int, str]:
    """The head's (tree size, root hash hex), read without locking."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        return 0, merkle.EMPTY_ROOT.hex()
    return head.tree_size, head.root_hash


def verifier_key() -> str:
    """The line partners need to check this node's checkpoints (C2SP verifier key)."""
    return notes.verifier_key(settings.WAYMARK_AUDIT_ORIGIN, keys.public_key_bytes())


def checkpoint() -> Checkpoint:
    """Sign the current head with the node's key and store the checkpoint.

    Reads the head without taking its lock (appenders are not held up); the head row is read
    as committed, so size and root always belong together. Raises ``AuditUnavailable`` if the
    head is corrupt or the key cannot be loaded.
    """
    head = AuditHead.objects.filter(pk=1).first()
    size, frontier_hex = (head.tree_size, head.frontier) if head else (0, [])
    try:
        root = merkle.Frontier.from_hex(size, frontier_hex).root()
        if head is not None and root.hex() != head.root_hash:
            raise ValueError("the head's root does not match its frontier")
        signed = notes.sign(
            settings.WAYMARK_AUDIT_ORIGIN, size, root, keys.signing_key(), keys.public_key_bytes()
        )
        return Checkpoint.objects.create(
            origin=signed.origin,
            tree_size=size,
            root_hash=root.hex(),
            created_at=timezone.now(),
            key_id=signed.key_id.hex(),
            signature=base64.b64encode(signed.signature).decode(),
        )
    except (DatabaseError, OSError, ValueError) as exc:
        raise AuditUnavailable(f"cannot sign a checkpoint: {exc}") from exc


# --- proofs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    tree_size: int
    leaf_hash: str
    path: list[str]
    root_hash: str

    def verify(self, root_hash: str | None = None) -> bool:
        """Check against ``root_hash`` (e.g. a signed checkpoint's), else the proof's own root."""
        return merkle.verify_inclusion(
            self.seq,
            self.tree_size,
            bytes.fromhex(self.leaf_hash),
            [bytes.fromhex(p) for p in self.path],
            bytes.fromhex(root_hash or self.root_hash),
        )


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    path: list[str]

    def verify(self, old_root: str | None = None, new_root: str | None = None) -> bool:
        return merkle.verify_consistency(
            self.old_size,
            self.new_size,
            bytes.fromhex(old_root or self.old_root),
            bytes.fromhex(new_root or self.new_root),
            [bytes.fromhex(p) for p in self.path],
        )


def _leaves(tree_size: int) -> list[bytes]:
    head_size, _ = current_root()
    if not 0 <= tree_size <= head_size:
        raise ValueError(f"the log has {head_size} entries, not {tree_size}")
    rows = list(AuditEntry.objects.filter(seq__lt=tree_size).order_by("seq").values_list("seq", "leaf_hash"))
    if len(rows) != tree_size or (rows and rows[-1][0] != tree_size - 1):
        raise ValueError("entries are missing from the log: run audit_verify")
    return [bytes.fromhex(h) for _, h in rows]


def inclusion_proof(seq: int, tree_size: int | None = None) -> InclusionProof:
    """Proof that entry ``seq`` is in the tree of ``tree_size`` entries (default: the head)."""
    size = current_root()[0] if tree_size is None else tree_size
    leaves = _leaves(size)
    path = merkle.inclusion_proof(leaves, seq, size)
    return InclusionProof(
        seq=seq,
        tree_size=size,
        leaf_hash=leaves[seq].hex(),
        path=[p.hex() for p in path],
        root_hash=merkle.root(leaves).hex(),
    )


def consistency_proof(old_size: int, new_size: int | None = None) -> ConsistencyProof:
    """Proof that the log at ``old_size`` is a prefix of the log at ``new_size`` (default: head)."""
    size = current_root()[0] if new_size is None else new_size
    leaves = _leaves(size)
    path = merkle.consistency_proof(leaves, old_size, size)
    return ConsistencyProof(
        old_size=old_size,
        new_size=size,
        old_root=merkle.root(leaves[:old_size]).hex(),
        new_root=merkle.root(leaves).hex(),
        path=[p.hex() for p in path],
    )
