"""Erasing a child (GDPR Art. 17): destroy their key, then delete what identifies them.

Decision: erasure **deletes** the child and their cases on this node (with the cases' events,
care plan and consents, and the child's names, name keys and identifiers), rather than blanking
identity fields and leaving a husk. A husk would keep location, family, guardian and timeline
rows that are still personal data and would have to be reasoned about field by field, forever.
What remains afterwards is not personal data about a named child:

- the vault tombstone (the child's random public id and when the key was shredded), so any
  later attempt to seal or open data for that id says "erased";
- audit entries, which hold only pseudonyms (keyed hashes), so the log stays verifiable;
- copies elsewhere: sealed special categories in backups, replicas and exports are unreadable
  because the key is gone. Plain (unsealed) fields in backups taken before the erasure are
  *not* protected by shredding: backup retention bounds them.

Everything happens in one transaction, key first: if anything fails (a row another app
protects, the audit entry), nothing is shredded and nothing is deleted. The photo file is sealed
under the child's key, so the shred makes every copy of it unreadable; the file itself is
removed only after commit, so a rollback never loses a photo whose row survives.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.errors import ActionError, NotFound
from waymark.vault import service as vault
from waymark.vocab import AuditKind, CaseStatus, Role, Sector

from .models import Case, Child

log = logging.getLogger("waymark.cases")

# Sent inside the erasure transaction, after the child's key is shredded and before their cases
# are deleted, with ``child``, ``cases`` (the Case rows) and ``actor``. Apps above this one shred
# what they hold about those cases under keys of their own (the exchange connects its threads'
# keys in its ``AppConfig.ready``); a receiver that raises rolls the whole erasure back.
erasing_child = Signal()


@dataclass(frozen=True)
class Erasure:
    """What was erased: ids only, for the erasure notices to partner nodes and the receipt."""

    child_public_id: uuid.UUID
    case_public_ids: tuple[uuid.UUID, ...]
    erased_at: dt.datetime
    case_references: tuple[str, ...] = ()


def check_erase_child(user: User, child: Child) -> None:
    """Only the data protection officer of the organisation that holds the child may erase.

    Anyone outside that organisation (and any immigration-enforcement account) gets
    ``NotFound``, as for any other child data; a colleague without the DPO role gets an
    ``ActionError`` saying who can.
    """
    org = user.organisation if user.is_active and user.organisation_id else None
    if org is None or org.sector == Sector.IMMIGRATION_ENFORCEMENT or org.pk != child.organisation_id:
        raise NotFound
    if user.role != Role.DPO:
        raise ActionError("only the data protection officer can erase a child's record")


@transaction.atomic
def do_erase_child(user: User, child: Child, *, details: Mapping[str, Any] | None = None) -> Erasure:
    """Shred the child's key and delete the child, their cases and identity rows; audit it
    (``details``, e.g. the legal basis, go into the entry).

    This node only: the DPO's page and ``manage.py erase_child`` go through
    ``waymark.exchange.erasure``, which also tells the organisations that received the child's
    data, in the same transaction.
    """
    check_erase_child(user, child)
    return _erase(child, actor=user, why="request", details=details)


def erase_child_here(
    child: Child, *, actor: User | None, why: str, details: Mapping[str, Any] | None = None
) -> Erasure:
    """The erasure itself, for a caller that has already decided it may happen (the exchange,
    on an erasure notice for a copy received, with no actor: the node); inside its transaction.
    The audit entry names the child's organisation when no person acted."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("erase_child_here() must run inside the caller's transaction")
    return _erase(child, actor=actor, why=why, details=details)


def _erase(
    child: Child, *, actor: User | None, why: str, details: Mapping[str, Any] | None = None
) -> Erasure:
    """Shred, tell the other apps, delete, audit: the erasure itself (inside a transaction)."""
    # Lock the child so nobody adds a case or an event to it while we erase.
    child = Child.objects.select_related("organisation").select_for_update().get(pk=child.pk)
    child_id = str(child.public_id)
    held = list(Case.objects.filter(child=child).order_by("pk").values_list("public_id", "reference"))
    case_ids = tuple(public_id for public_id, _ in held)
    references = tuple(reference for _, reference in held)

    vault.shred(child, actor=actor)
    erasing_child.send(sender=Child, child=child, cases=list(Case.objects.filter(child=child)), actor=actor)

    photo_name = child.photo.name if child.photo else ""
    photo_storage = child.photo.storage if child.photo else None
    # Cases protect their child (on_delete=PROTECT): delete them first; their events, care plan
    # and consents cascade. A row another app protects raises and rolls everything back.
    Case.objects.filter(child=child).delete()
    org_slug = child.organisation.slug
    child.delete()  # cascades ChildName, NameKey, Identifier

    if photo_name and photo_storage is not None:

        def _delete_photo() -> None:
            try:
                photo_storage.delete(photo_name)
            except OSError:  # the row is gone; the log tells the operator to remove the file
                log.exception("could not delete an erased child's photo file")

        transaction.on_commit(_delete_photo)

    # The log names the child by pseudonym only, so the entry outlives the rows it is about; if
    # it cannot be written (``AuditUnavailable``) the whole erasure rolls back.
    audit.record(
        AuditKind.ERASURE,
        actor=actor,
        actor_org="" if actor is not None else org_slug,
        subject=audit.Subject(child_public_id=child_id),
        details={
            **(details or {}),
            "cases": [str(c) for c in case_ids],
            "references": list(references),
            "why": why,
        },
    )
    return Erasure(
        child_public_id=uuid.UUID(child_id),
        case_public_ids=case_ids,
        erased_at=timezone.now(),
        case_references=references,
    )


def expired_transferred_copies(today: dt.date) -> list[Child]:
    """Children whose every case here is the closed copy of a transferred case, kept past its
    ``retain_until``: retention has ended, they are erased (``do_apply_retention``)."""
    expired = Case.objects.filter(status=CaseStatus.TRANSFERRED, retain_until__lt=today)
    still_held = Case.objects.exclude(status=CaseStatus.TRANSFERRED, retain_until__lt=today)
    return list(
        Child.objects.filter(cases__in=expired).exclude(cases__in=still_held).distinct().order_by("pk")
    )


def do_apply_retention(today: dt.date | None = None) -> list[Erasure]:
    """Erase the transferred copies whose retention has ended; one transaction per child, so
    one failure leaves the others done and itself untouched. Audited as erasures by the node
    (no actor) with ``why: retention``."""
    today = today or timezone.localdate()
    done: list[Erasure] = []
    for child in expired_transferred_copies(today):
        with transaction.atomic():
            done.append(_erase(child, actor=None, why="retention"))
    return done
