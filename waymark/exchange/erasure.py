"""Erasing a child across the federation: the DPO's actions behind the erasure page and
``manage.py erase_child`` — erase a child, keep a case an erasure notice asks about, send again
what could not be sent — what the page lists, and the exchange's part in any erasure here (the
threads' own keys). The conversation itself is ``threads/erasure_notice.py``.

``do_erase_child`` checks who may (the DPO of the organisation that holds the child), that the
reason, the legal basis and the second confirmation — the case reference typed again — are
there, then in one transaction erases the child here (``cases.erasure``), withdraws what is still
waiting in the outbox about them and queues an erasure notice to every organisation the ledger
shows received their data (``threads/erasure_notice.py``). Audited: the erasure entry holds the
basis, the reason, who is notified and the case references — no child data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from django.db import transaction
from pydantic import StringConstraints, field_validator

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.cases.erasure import check_erase_child
from waymark.cases.models import Case
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.threads import ERASURE
from waymark.errors import ActionError, NotFound
from waymark.vault import service as vault
from waymark.vocab import AuditKind, ErasureBasis, KeepBasis, Purpose, Role, Sector

from . import plumbing as p
from .models import Direction, Thread
from .node import LocalNode
from .schemas import In
from .threads import erasure_notice as notices
from .threads.erasure_notice import NOT_SENT, Erased


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
        if org_id is not None and reference.strip() and is_dpo_of(user, org_id)
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


# --- a case an erasure notice asks about; what could not be sent ---------------------------------


class KeepIn(In):
    """The receiving DPO keeps a case it is responsible for: why, in words and in law."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]
    kept_basis: KeepBasis


@dataclass(frozen=True)
class Waiting:
    """A case this organisation owns that an erasure notice asks about: its DPO decides."""

    notice: Thread
    case: Case


def awaiting_decision(org: Organisation) -> list[Waiting]:
    """The cases this organisation owns that an erasure notice asks about, oldest notice first."""
    received = list(
        Thread.objects.filter(
            kind=ERASURE.kind, direction=Direction.INCOMING, status=ERASURE.opened, local_org=org
        ).order_by("created_at", "id")
    )
    ids = {c for t in received for c in t.facts.get("awaiting_dpo", [])}
    cases = {str(c.public_id): c for c in Case.objects.filter(public_id__in=ids, organisation=org)}
    return [Waiting(t, cases[c]) for t in received for c in t.facts.get("awaiting_dpo", []) if c in cases]


def unanswered(org: Organisation) -> list[Thread]:
    """Erasure notices this organisation received, not confirmed, with no case here waiting for
    its DPO: the confirmation could not be sent, or the cases it waited on are gone."""
    waiting = {w.notice.pk for w in awaiting_decision(org)}
    return [
        t
        for t in Thread.objects.filter(
            kind=ERASURE.kind, direction=Direction.INCOMING, status=ERASURE.opened, local_org=org
        ).order_by("created_at", "id")
        if t.pk not in waiting
    ]


def unconfirmed(org: Organisation) -> list[Thread]:
    """Erasure notices this organisation sent (or could not send) that no recipient confirmed."""
    return list(
        Thread.objects.filter(
            kind=ERASURE.kind,
            direction=Direction.OUTGOING,
            status__in=[ERASURE.opened, NOT_SENT],
            local_org=org,
        ).order_by("created_at", "id")
    )


def confirmed(org: Organisation, limit: int = 20) -> list[Thread]:
    return list(
        Thread.objects.filter(
            kind=ERASURE.kind, direction=Direction.OUTGOING, status__in=sorted(ERASURE.final), local_org=org
        ).order_by("-updated_at", "-id")[:limit]
    )


def is_dpo_of(user: User, org_id: int | None) -> bool:
    org = user.organisation if user.is_active and user.organisation_id else None
    return (
        org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and user.role == Role.DPO
        and org.pk == org_id
    )


def check_keep_case(user: User, notice: Thread, case: Case) -> None:
    """Only the DPO of the organisation that received the notice, for a case it waits on;
    ``NotFound`` for anyone else (the same as no such notice)."""
    if (
        notice.kind != ERASURE.kind
        or notice.direction != Direction.INCOMING
        or not is_dpo_of(user, notice.local_org_id)
        or case.organisation_id != notice.local_org_id
    ):
        raise NotFound
    if notice.status != ERASURE.opened or str(case.public_id) not in notice.facts.get("awaiting_dpo", []):
        raise ActionError("this case no longer waits for a decision on this erasure notice")


def do_keep_case(
    user: User, notice: Thread, case: Case, data: KeepIn, *, node: LocalNode | None = None
) -> Thread:
    """The DPO keeps a case this organisation owns despite the notice (GDPR Art. 17(3)); audited,
    and the notice is confirmed as ``kept`` once nothing else waits."""
    check_keep_case(user, notice, case)
    ctx, problem = notices.context_or_problem(node)
    with transaction.atomic():
        locked = Thread.objects.select_for_update().select_related("local_org").get(pk=notice.pk)
        check_keep_case(user, locked, case)
        locked.facts = {
            **locked.facts,
            "awaiting_dpo": [c for c in locked.facts["awaiting_dpo"] if c != str(case.public_id)],
            "kept": {**locked.facts.get("kept", {}), str(case.public_id): data.kept_basis.value},
        }
        audit.record(
            AuditKind.OTHER,
            actor=user,
            purpose=Purpose.AUDIT,
            peer_org=locked.peer_org,
            subject=case.audit_subject,
            details={
                "erasure_notice": "kept",
                "kept_basis": data.kept_basis.value,
                "reason": data.reason,
                "conversation": locked.conversation_id,
            },
        )
        notices.confirm_when_decided(locked, ctx, problem, user=user)
    return locked


def check_retry(user: User, notice: Thread) -> None:
    """Only the DPO of the notice's organisation, for a notice that could not be sent, or a
    received one whose confirmation could not be; ``NotFound`` for anyone else."""
    if notice.kind != ERASURE.kind or not is_dpo_of(user, notice.local_org_id):
        raise NotFound
    if notice.direction == Direction.OUTGOING and notice.status != NOT_SENT:
        raise ActionError("this erasure notice was sent")
    if notice.direction == Direction.INCOMING and notice.status != ERASURE.opened:
        raise ActionError("this erasure notice was already confirmed")


def do_retry(user: User, notice: Thread, *, node: LocalNode | None = None) -> Thread:
    """Try again what could not be sent: an erasure notice (``not_sent``: no agreement allowed
    it, the peer did not take it, the exchange was down), or the confirmation of one received
    (cases it waited on that are no longer held here count as erased)."""
    check_retry(user, notice)
    ctx, problem = notices.context_or_problem(node)
    if ctx is None:
        raise ActionError(problem)
    with transaction.atomic():
        locked = Thread.objects.select_for_update().select_related("local_org").get(pk=notice.pk)
        check_retry(user, locked)
        if locked.direction == Direction.INCOMING:
            held = {
                str(c)
                for c in Case.objects.filter(organisation_id=locked.local_org_id)
                .filter(public_id__in=locked.facts.get("awaiting_dpo", []))
                .values_list("public_id", flat=True)
            }
            gone = [c for c in locked.facts.get("awaiting_dpo", []) if c not in held]
            locked.facts = {
                **locked.facts,
                "awaiting_dpo": [c for c in locked.facts.get("awaiting_dpo", []) if c in held],
                "cases_erased": locked.facts.get("cases_erased", 0) + len(gone),
            }
            notices.confirm_when_decided(locked, ctx, "", user=user)
            return locked
        again = notices.recipient_again(locked)
        body = notices.notice_body(
            again, ErasureBasis(locked.facts["legal_basis"]), dt.date.fromisoformat(locked.facts["erase_by"])
        )
        row, agreement_id, purpose = notices.seal_notice(
            ctx, again, body, from_org=locked.local_org.slug, user=user
        )
        facts = {k: v for k, v in locked.facts.items() if k != "problem"}
        Thread.objects.filter(pk=locked.pk).update(
            status=ERASURE.opened,
            opened_message_id=row.message_id,
            agreement_id=agreement_id,
            purpose=purpose,
            facts={**facts, "messages": len(again.message_ids)},
            updated_at=ctx.now,
        )
        locked.refresh_from_db()
        p.record(
            locked,
            message_id=row.message_id,
            direction=Direction.OUTGOING,
            type=MessageType.ERASURE_NOTICE,
            at=ctx.now,
            by=user,
        )
    return locked


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
