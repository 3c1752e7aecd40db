"""Erasure notices: an erased child's data is erased where it went (GDPR Art. 17 and 19).

Sender: when a child is erased here (``erase_and_notify``, inside the erasure transaction), the
ledger says who received what about them — every message this node sent in a thread about one of
their cases. Messages still waiting in the outbox are withdrawn (never sent after the erasure);
each conversation that delivered something gets one ``erasure_notice`` carrying only the ids of
those messages and the receiver's own case reference, under the agreement and purpose it was
opened under. A notice that cannot be sealed (no agreement in force allows it, the peer does not
take it, the exchange is down) is kept as ``not_sent`` and shown to the DPO; the erasure here is
never held back by a partner.

Receiver (``_on_notice``, inside the inbox transaction): the threads of that conversation with
that organisation lose what they hold (their own keys shredded, their sealed values and the
received notes deleted); a child whose every case here was opened from a referral of theirs is
erased in the same transaction, which tells this node's own recipients in turn. A case this
organisation now owns (accepted by transfer, or a case it already held) is not erased: it waits
for its DPO, who erases it (the ordinary erasure page) or keeps it with a reason (Art. 17(3);
the DPO's actions are ``exchange/erasure.py``).
The confirmation (``erasure_done``) goes back once nothing waits. The table is
``core.protocol.threads.ERASURE``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.cases import erasure as case_erasure
from waymark.cases.models import Case, Child
from waymark.core.protocol import messages as m
from waymark.core.protocol import vocab as wire
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import ErasureOutcome, MessageType
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import ERASURE, REFERRAL, TRANSFER, Received, Side
from waymark.errors import ActionError
from waymark.vault import service as vault
from waymark.vocab import AuditKind, ErasureBasis

from .. import evidence, guard, outbound
from .. import plumbing as p
from ..models import CaseLink, Direction, OutboxMessage, OutboxStatus, Thread, ThreadMessage, message_ids
from ..node import LocalNode, receiving_node
from . import register
from .base import Panel, ThreadKind

T = MessageType
WHAT = "erasure notice"
# A notice this node could not seal; not a state of the conversation (nothing was sent).
NOT_SENT = "not_sent"
# Why a queued message about an erased child is cancelled (``OutboxMessage.receipt_reason``).
WITHDRAWN = "child_erased"
# The receiver's DPO decides on a case it owns within a month (GDPR Art. 12(3)).
DECIDE_WITHIN = dt.timedelta(days=30)
_REASONS = {
    ErasureBasis.CONSENT_WITHDRAWN: m.ErasureReason.CONSENT_WITHDRAWN,
    ErasureBasis.RETENTION_ENDED: m.ErasureReason.RETENTION_ENDED,
}


@dataclass
class Recipient:
    """One conversation with one organisation that was sent data about the erased child."""

    peer_node: str
    peer_org: str
    peer_org_name: str
    conversation_id: str
    message_ids: list[uuid.UUID] = field(default_factory=list)
    peer_case_reference: str = ""
    # (agreement, purpose) of its threads, newest first: what the notice may travel under.
    terms: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Erased:
    """What an erasure did here and who is told: the notices (sent or ``not_sent``)."""

    erasure: case_erasure.Erasure
    notices: list[Thread]
    withdrawn: int


# --- the sender's side -------------------------------------------------------------------------


def recipients_of(cases: Sequence[Case]) -> list[Recipient]:
    """Who the ledger says was sent data about ``cases``: one entry per conversation and peer,
    with the ids of the messages sent (a refused message was not received: left out)."""
    about = list(
        Thread.objects.filter(case__in=cases).exclude(kind=ERASURE.kind).order_by("-updated_at", "-id")
    )
    sent = [(thread_id, mid) for thread_id, mid, _at in message_ids(about, Direction.OUTGOING)]
    refused = set(
        OutboxMessage.objects.filter(
            message_id__in=[mid for _, mid in sent], status=OutboxStatus.REJECTED
        ).values_list("message_id", flat=True)
    )
    by_thread: dict[int, list[uuid.UUID]] = {}
    for thread_id, message_id in sent:
        if message_id not in refused:
            by_thread.setdefault(thread_id, []).append(message_id)
    found: dict[tuple[str, str, str], Recipient] = {}
    for thread in about:
        key = (thread.peer_node, thread.peer_org, thread.conversation_id)
        entry = found.setdefault(
            key, Recipient(thread.peer_node, thread.peer_org, thread.peer_org_name, key[2])
        )
        entry.message_ids.extend(by_thread.get(thread.pk, []))
        entry.peer_case_reference = entry.peer_case_reference or thread.peer_case_reference
        if (thread.agreement_id, thread.purpose) not in entry.terms:
            entry.terms.append((thread.agreement_id, thread.purpose))
    return [r for r in found.values() if r.message_ids]


def withdraw_unsent(recipients: list[Recipient]) -> int:
    """Cancel the messages about the child still waiting in the outbox, unclaimed: they must not
    leave after the erasure (a dispatcher that already holds one sends it, and the notice names
    it). Each is closed as ``cancelled`` (``child_erased``) with its envelope dropped, and audited
    as not sent. Drops them, and any recipient left with nothing received, from ``recipients``."""
    ids = [mid for r in recipients for mid in r.message_ids]
    # Locked first (PostgreSQL): a dispatcher's claim waits for this transaction, or skips them.
    waiting = list(
        OutboxMessage.objects.select_for_update(of=("self",))
        .select_related("case__child")
        .filter(message_id__in=ids, status=OutboxStatus.PENDING, claimed_by__isnull=True)
    )
    for row in waiting:
        OutboxMessage.objects.filter(pk=row.pk).update(
            status=OutboxStatus.CANCELLED,
            receipt_reason=WITHDRAWN,
            receipt_detail="not sent: the child was erased here",
            envelope="",  # nothing of the child's data is kept, even sealed for the receiver
            last_error="",
        )
        evidence.envelope_cancelled(row, reason_code=WITHDRAWN)
    gone = {row.message_id for row in waiting}
    for r in recipients:
        r.message_ids = [mid for mid in r.message_ids if mid not in gone]
    recipients[:] = [r for r in recipients if r.message_ids]
    return len(gone)


def problem_of(exc: ActionError) -> str:
    return "; ".join(msg for msgs in exc.errors.values() for msg in msgs)


def context_or_problem(node: LocalNode | None) -> tuple[p.Context | None, str]:
    """The exchange context to send in, or why there is none (the erasure goes on without it)."""
    try:
        return p.context(node or receiving_node()), ""
    except ActionError as exc:
        return None, problem_of(exc)


def choose_terms(
    ctx: p.Context, from_org: str, to_org: str, terms: Iterable[tuple[str, str]], type: MessageType
) -> tuple[str, str]:
    """The (agreement, purpose) a message closing these threads travels under: the threads' own
    agreement if it allows ``type``, else any agreement in force for their purpose."""
    problem: ActionError | None = None
    for agreement_id, purpose in terms:
        for named in (agreement_id, ""):
            try:
                chosen = guard.choose_agreement(
                    ctx.registry,
                    from_org=from_org,
                    to_org=to_org,
                    purpose=purpose,
                    categories=(),
                    type=type,
                    now=ctx.now,
                    agreement_id=named,
                )
            except ActionError as exc:
                problem = problem or exc
            else:
                return chosen.identifier, purpose
    raise problem or ActionError(f"no agreement in force lets {from_org} send {to_org} a {type.value}")


def enqueue(
    ctx: p.Context,
    *,
    type: MessageType,
    body: m.Body,
    from_org: str,
    to_org: str,
    agreement_id: str,
    purpose: str,
    conversation_id: str,
    user: User | None,
    summary: str,
    in_reply_to: uuid.UUID | None = None,
) -> OutboxMessage:
    header = outbound.build_header(
        ctx.node,
        ctx.registry,
        type=type,
        body=body,
        conversation_id=conversation_id,
        from_org=from_org,
        to_org=to_org,
        agreement_id=agreement_id,
        purpose=purpose,
        now=ctx.now,
        in_reply_to=in_reply_to,
    )
    return outbound.enqueue(ctx.node, ctx.registry, header, body, case=None, user=user, summary=summary)


def notice_body(recipient: Recipient, basis: ErasureBasis, erase_by: dt.date) -> m.ErasureNotice:
    """What a notice says: the basis, the date to decide by, the ids — no child data."""
    return m.ErasureNotice(
        reason_code=_REASONS.get(basis, m.ErasureReason.ERASURE_REQUEST),
        legal_basis=wire.ErasureBasis(basis.value),
        erase_by=erase_by,
        message_ids=tuple(recipient.message_ids),
        peer_case_reference=recipient.peer_case_reference,
    )


def seal_notice(
    ctx: p.Context, recipient: Recipient, body: m.ErasureNotice, *, from_org: str, user: User | None
) -> tuple[OutboxMessage, str, str]:
    """Enqueue ``body`` in the recipient's conversation; the row, agreement and purpose it
    travels under (``ActionError`` if no agreement allows it or the peer does not take it)."""
    agreement_id, purpose = choose_terms(ctx, from_org, recipient.peer_org, recipient.terms, T.ERASURE_NOTICE)
    row = enqueue(
        ctx,
        type=T.ERASURE_NOTICE,
        body=body,
        from_org=from_org,
        to_org=recipient.peer_org,
        agreement_id=agreement_id,
        purpose=purpose,
        conversation_id=recipient.conversation_id,
        user=user,
        summary=f"Erasure notice to {recipient.peer_org_name}",
    )
    return row, agreement_id, purpose


def send_notices(
    recipients: Sequence[Recipient],
    *,
    ctx: p.Context | None,
    problem: str,
    local_org: Organisation,
    user: User | None,
    basis: ErasureBasis,
    erasure: case_erasure.Erasure,
) -> list[Thread]:
    """One notice per recipient (a thread, ``sent`` or ``not_sent``), in the erasure transaction."""
    now = timezone.now()
    erase_by = (now + DECIDE_WITHIN).date()
    notices: list[Thread] = []
    for r in recipients:
        agreement_id, purpose = r.terms[0]
        row: OutboxMessage | None = None
        why = problem
        if ctx is not None:
            try:
                row, agreement_id, purpose = seal_notice(
                    ctx, r, notice_body(r, basis, erase_by), from_org=local_org.slug, user=user
                )
            except ActionError as exc:
                why = problem_of(exc)
        facts: dict[str, Any] = {
            "erasure": str(erasure.child_public_id),
            "case_references": list(erasure.case_references),
            "legal_basis": basis.value,
            "erase_by": erase_by.isoformat(),
            "messages": len(r.message_ids),
        }
        if row is None:
            facts["problem"] = why[:500]
        notice = Thread(
            kind=ERASURE.kind,
            direction=Direction.OUTGOING,
            status=ERASURE.opened if row is not None else NOT_SENT,
            conversation_id=r.conversation_id,
            local_org=local_org,
            peer_node=r.peer_node,
            peer_org=r.peer_org,
            peer_org_name=r.peer_org_name,
            agreement_id=agreement_id,
            purpose=purpose,
            categories=[],
            peer_case_reference=r.peer_case_reference,
            opened_message_id=row.message_id if row is not None else uuid.uuid4(),
            opened_by=user,
            due_at=now + DECIDE_WITHIN,
            facts=facts,
            created_at=now,
            updated_at=now,
        )
        notice.save(force_insert=True)
        if row is not None:
            p.record(
                notice,
                message_id=row.message_id,
                direction=Direction.OUTGOING,
                type=T.ERASURE_NOTICE,
                at=now,
                by=user,
            )
        notices.append(notice)
    return notices


def erase_and_notify(
    child: Child,
    *,
    actor: User | None,
    why: str,
    basis: ErasureBasis,
    reason: str,
    node: LocalNode | None = None,
    spare: Iterable[tuple[str, str]] = (),
) -> Erased:
    """Erase ``child`` here and tell every recipient of their data (inside the caller's
    transaction; the caller has checked who may). ``spare``: (node, organisation) pairs that are
    not told — the organisation whose notice caused this erasure already erased the child.
    Erasure notices this organisation received that were waiting on these cases are answered."""
    cases = list(Case.objects.filter(child=child).select_related("organisation"))
    local_org = child.organisation
    recipients = recipients_of(cases)
    withdrawn = withdraw_unsent(recipients)
    answered = _waiting_on(local_org, cases)
    spared = {*spare, *((t.peer_node, t.peer_org) for t in answered)}
    recipients = [r for r in recipients if (r.peer_node, r.peer_org) not in spared]
    erasure = case_erasure.erase_child_here(
        child,
        actor=actor,
        why=why,
        details={
            "legal_basis": basis.value,
            "reason": reason,
            "notified": sorted({r.peer_org for r in recipients}),
            "withdrawn": withdrawn,
        },
    )
    ctx, problem = context_or_problem(node)
    notices = send_notices(
        recipients, ctx=ctx, problem=problem, local_org=local_org, user=actor, basis=basis, erasure=erasure
    )
    gone = {str(c) for c in erasure.case_public_ids}
    for notice in answered:
        notice.refresh_from_db(fields=["case"])  # the erasure unlinked it
        waiting = [c for c in notice.facts.get("awaiting_dpo", []) if c not in gone]
        notice.facts = {
            **notice.facts,
            "awaiting_dpo": waiting,
            "cases_erased": notice.facts.get("cases_erased", 0)
            + len(gone & set(notice.facts["awaiting_dpo"])),
        }
        confirm_when_decided(notice, ctx, problem, user=actor)
    return Erased(erasure=erasure, notices=notices, withdrawn=withdrawn)


# --- the receiver's side -----------------------------------------------------------------------


def held_here(notice: Thread) -> QuerySet[Thread]:
    """The threads of the notice's conversation with its sender, here."""
    return Thread.objects.filter(
        local_org_id=notice.local_org_id,
        peer_node=notice.peer_node,
        peer_org=notice.peer_org,
        conversation_id=notice.conversation_id,
    ).exclude(kind=ERASURE.kind)


def _wipe(thread: Thread) -> None:
    """Nothing the thread holds stays readable: its own key shredded (backups included), its
    sealed values and the notes of the messages it received deleted."""
    if thread.seal_key == thread.public_id:
        vault.shred(thread.public_id, actor=None)
    Thread.objects.filter(pk=thread.pk).update(sealed={})
    ThreadMessage.objects.filter(thread=thread, direction=Direction.INCOMING).update(note_sealed="")


def _copies(threads: Sequence[Thread]) -> set[int]:
    """Cases opened here from a referral of the sender (recipient copies), unless a transfer from
    them was accepted into the same case since (then this organisation is responsible for it)."""
    opened = {
        t.case_id
        for t in threads
        if t.kind == REFERRAL.kind and t.direction == Direction.INCOMING and t.facts.get("recipient_copy")
    }
    owned = {
        t.case_id
        for t in threads
        if t.kind == TRANSFER.kind and t.direction == Direction.INCOMING and t.status == "accepted"
    }
    return {c for c in opened - owned if c is not None}


def _on_notice(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.ErasureNotice)
    notice = p.open_incoming(
        ERASURE,
        opened,
        registry,
        now,
        peer_case_reference=body.peer_case_reference,
        due_at=dt.datetime.combine(body.erase_by, dt.time.max, tzinfo=dt.UTC),
        facts={
            "legal_basis": body.legal_basis.value if body.legal_basis else "",
            "reason_code": body.reason_code.value,
            "erase_by": body.erase_by.isoformat(),
            "messages": len(body.message_ids),
        },
    )
    held = list(held_here(notice).select_related("case"))
    linked = CaseLink.objects.filter(
        peer_node=notice.peer_node,
        peer_org=notice.peer_org,
        conversation_id=notice.conversation_id,
        case__organisation_id=notice.local_org_id,
    ).values_list("case_id", flat=True)
    case_ids = {t.case_id for t in held if t.case_id is not None} | set(linked)
    copies = _copies(held)
    for thread in held:
        _wipe(thread)
    received = set(body.message_ids)
    found = sum(1 for _, mid, _at in message_ids(held, Direction.INCOMING) if mid in received)

    basis = ErasureBasis(body.legal_basis.value) if body.legal_basis else ErasureBasis.NO_LONGER_NECESSARY
    erased: list[str] = []
    waiting: list[str] = []
    children = Child.objects.filter(cases__pk__in=case_ids).distinct().order_by("pk")
    for child in children:
        theirs = list(Case.objects.filter(child=child).values_list("pk", "public_id"))
        about = [str(public_id) for pk, public_id in theirs if pk in case_ids]
        if all(pk in copies for pk, _ in theirs):
            erase_and_notify(
                child,
                actor=None,
                why="erasure_notice",
                basis=basis,
                reason=f"erasure notice from {notice.peer_org} (conversation {notice.conversation_id})",
                spare=[(notice.peer_node, notice.peer_org)],
            )
            erased.extend(str(public_id) for _, public_id in theirs)
        else:
            waiting.extend(about)

    notice.refresh_from_db()  # the erasure may have unlinked its case
    notice.facts = {
        **notice.facts,
        "threads_erased": len(held),
        "messages_found": found,
        "cases_erased": len(erased),
        "awaiting_dpo": waiting,
    }
    audit.record(
        AuditKind.ERASURE,
        actor_org=notice.local_org.slug,
        peer_org=notice.peer_org,
        agreement=notice.agreement_id,
        purpose=notice.purpose,
        details={
            "why": "erasure_notice",
            "conversation": notice.conversation_id,
            "threads_erased": len(held),
            "messages_found": found,
            "cases_erased": erased,
            "awaiting_dpo": waiting,
        },
    )
    ctx, problem = context_or_problem(None)
    confirm_when_decided(notice, ctx, problem, user=None)
    return notice


def confirm_when_decided(notice: Thread, ctx: p.Context | None, problem: str, *, user: User | None) -> None:
    """Once no case waits for the DPO, answer the notice (``erasure_done``); save the notice."""
    facts = dict(notice.facts)
    if facts.get("awaiting_dpo"):
        notice.save()
        return
    kept = facts.get("kept", {})
    if kept:
        outcome, target = ErasureOutcome.KEPT, "kept"
    elif facts.get("threads_erased") or facts.get("cases_erased"):
        outcome, target = ErasureOutcome.ERASED, "erased"
    else:
        outcome, target = ErasureOutcome.NOTHING_HELD, "erased"
    body = m.ErasureDone(
        outcome=outcome,
        threads_erased=int(facts.get("threads_erased", 0)),
        cases_erased=int(facts.get("cases_erased", 0)),
        cases_kept=len(kept),
        kept_basis=wire.KeepBasis(sorted(kept.values())[0]) if kept else None,
    )
    row: OutboxMessage | None = None
    if ctx is not None:
        try:
            agreement_id, purpose = choose_terms(
                ctx,
                notice.local_org.slug,
                notice.peer_org,
                [(notice.agreement_id, notice.purpose)],
                T.ERASURE_DONE,
            )
            row = enqueue(
                ctx,
                type=T.ERASURE_DONE,
                body=body,
                from_org=notice.local_org.slug,
                to_org=notice.peer_org,
                agreement_id=agreement_id,
                purpose=purpose,
                conversation_id=notice.conversation_id,
                user=user,
                summary=f"Erasure confirmed to {notice.peer_org_name}",
                in_reply_to=notice.opened_message_id,
            )
        except ActionError as exc:
            problem = problem_of(exc)
    if row is None:
        facts["problem"] = problem[:500]
        notice.facts = facts
        notice.save()
        return
    facts.pop("problem", None)
    p.record(
        notice,
        message_id=row.message_id,
        direction=Direction.OUTGOING,
        type=T.ERASURE_DONE,
        at=ctx.now if ctx else timezone.now(),
        by=user,
    )
    notice.facts = {**facts, "outcome": outcome.value}
    notice.status = ERASURE.after_sending(notice.status, Side.RESPONDER, T.ERASURE_DONE, target)
    notice.answered_at = notice.updated_at = timezone.now()
    notice.answered_by = user
    notice.save()


def _on_done(notice: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    """The recipient confirms: what it erased, or that its DPO keeps a case it now owns."""
    body = opened.body
    assert isinstance(body, m.ErasureDone)
    notice.answered_at = now
    notice.facts = {
        **notice.facts,
        "outcome": body.outcome.value,
        "threads_erased": body.threads_erased,
        "cases_erased": body.cases_erased,
        "cases_kept": body.cases_kept,
        **({"kept_basis": body.kept_basis.value} if body.kept_basis else {}),
    }


# --- what waits for the receiving DPO, what to send again ---------------------------------------


def _waiting_on(org: Organisation, cases: Sequence[Case]) -> list[Thread]:
    """Erasure notices this organisation received that wait for its DPO on one of ``cases``."""
    ids = {str(c.public_id) for c in cases}
    waiting = Thread.objects.filter(
        kind=ERASURE.kind, direction=Direction.INCOMING, status=ERASURE.opened, local_org=org
    ).select_for_update()
    return [t for t in waiting if ids & set(t.facts.get("awaiting_dpo", []))]


def recipient_again(notice: Thread) -> Recipient:
    """An unsent notice's recipient, recomputed from the conversation's threads here (their case
    is gone: they are found by conversation and peer)."""
    again = Recipient(notice.peer_node, notice.peer_org, notice.peer_org_name, notice.conversation_id)
    held = held_here(notice).order_by("-updated_at", "-id")
    sent = [mid for _, mid, _at in message_ids(held, Direction.OUTGOING)]
    refused = set(
        OutboxMessage.objects.filter(message_id__in=sent, status=OutboxStatus.REJECTED).values_list(
            "message_id", flat=True
        )
    )
    again.message_ids = [mid for mid in sent if mid not in refused]
    again.peer_case_reference = notice.peer_case_reference
    again.terms = [(notice.agreement_id, notice.purpose)] + [
        (t.agreement_id, t.purpose)
        for t in held
        if (t.agreement_id, t.purpose) != (notice.agreement_id, notice.purpose)
    ]
    return again


# --- registration ------------------------------------------------------------------------------


def _target(body: m.Body) -> str | None:
    return "kept" if isinstance(body, m.ErasureDone) and body.outcome == ErasureOutcome.KEPT else "erased"


def _not_confirmed(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status__in=[ERASURE.opened, NOT_SENT]).order_by(
        "created_at"
    )[:20]


KIND = register(
    ThreadKind(
        conversation=ERASURE,
        slug="erasure",
        label=_("Erasure notice"),
        line="exchange/erasure/_line.html",
        on_open=_on_notice,
        on_message={T.ERASURE_DONE: _on_done},
        target=_target,
        panels=(
            Panel(
                70,
                "erasure-notices",
                _("Erasure notices not confirmed"),
                _("None."),
                _not_confirmed,
                "exchange/erasure/_panel_line.html",
            ),
        ),
        states={
            "sent": _("Not confirmed yet"),
            NOT_SENT: _("Not sent"),
            "erased": _("Erasure confirmed"),
            "kept": _("Kept by the recipient"),
        },
        messages={T.ERASURE_NOTICE: _("Erasure notice"), T.ERASURE_DONE: _("Erasure confirmed")},
        order=90,
    )
)
