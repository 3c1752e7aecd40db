"""Erasing a child across the federation: the DPO's action behind the erasure page and
``manage.py erase_child``, and the exchange's part in any erasure here (the threads' own keys).

``do_erase_child`` checks who may (the DPO of the organisation that holds the child), that the
reason, the legal basis and the second confirmation — the case reference typed again — are
there, then in one transaction erases the child here (``cases.erasure``), withdraws what is still
waiting in the outbox about them and queues an erasure notice to every organisation the ledger
shows received their data (``threads/erasure_notice.py``). Audited: the erasure entry holds the
basis, the reason, who is notified and the case references — no child data.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.db import transaction
from pydantic import StringConstraints, field_validator

from waymark.accounts.models import User
from waymark.cases.erasure import check_erase_child
from waymark.cases.models import Case
from waymark.errors import ActionError
from waymark.vault import service as vault
from waymark.vocab import ErasureBasis

from .models import Thread
from .node import LocalNode
from .schemas import In
from .threads import erasure_notice as notices
from .threads.erasure_notice import Erased

__all__ = ["EraseChildIn", "Erased", "check_erase", "do_erase_child", "find_case", "shred_threads_of"]


class EraseChildIn(In):
    """What the DPO gives to erase a child: why (in words, without the child's details: the
    reason stays in the audit log), on which legal basis, and the case reference again."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
    legal_basis: ErasureBasis
    confirm_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if len(v) < 10:
            raise ValueError("say why the child is erased (at least 10 characters, no names)")
        return v

    @field_validator("confirm_reference")
    @classmethod
    def _confirm(cls, v: str) -> str:
        if not v:
            raise ValueError("type the case reference again to confirm")
        return v


def find_case(user: User, reference: str) -> Case:
    """The case of the DPO's organisation with this reference; the same ``ActionError`` whether
    it does not exist or belongs to another organisation."""
    org_id = user.organisation_id
    found = (
        Case.objects.select_related("child", "organisation")
        .filter(reference=reference.strip(), organisation_id=org_id)
        .first()
        if org_id is not None and reference.strip() and notices.is_dpo_of(user, org_id)
        else None
    )
    if found is None:
        raise ActionError("no case of your organisation has this reference", field="reference")
    return found


def check_erase(user: User, case: Case, data: EraseChildIn) -> None:
    """``NotFound`` for anyone but the DPO of the child's organisation; ``ActionError`` naming
    ``confirm_reference`` if the reference typed again is not this case's."""
    check_erase_child(user, case.child)
    if data.confirm_reference != case.reference:
        raise ActionError(
            f"the reference typed again is not this case's ({case.reference}): nothing was erased",
            field="confirm_reference",
        )


def do_erase_child(user: User, case: Case, data: EraseChildIn, *, node: LocalNode | None = None) -> Erased:
    """Erase ``case``'s child here and tell every recipient of their data, in one transaction."""
    check_erase(user, case, data)
    with transaction.atomic():
        return notices.erase_and_notify(
            case.child,
            actor=user,
            why="request",
            basis=data.legal_basis,
            reason=data.reason,
            node=node,
        )


def shred_threads_of(sender: object, *, child: Any, cases: list[Any], actor: Any, **_: Any) -> None:
    """The child is being erased here: shred the keys of threads about their cases that were
    sealed under a key of their own (offers that arrived before the case existed here). Threads
    sealed under the child's key are already unreadable."""
    keys: set[uuid.UUID] = {
        k
        for k in Thread.objects.filter(case__in=cases).values_list("seal_key", flat=True)
        if k is not None and k != child.public_id
    }
    for key in sorted(keys):
        vault.shred(key, actor=actor)
