"""Fetch-and-authorise for threads: the only way exchange pages obtain a thread's child data.

A thread carries data about a child (an offer, a reason, questions and answers, a notice's
subject) for the purpose it travelled under. Reading it is decided like reading a case, for that
purpose and the categories the thread declared, and audited allow and deny:

- about a case held here (``thread.case``): the case itself is the resource;
- about no case here yet (an offer not accepted, a request about a child we hold no record of):
  what was received is held by this organisation as recipient, so the resource is "a case of
  this organisation" — the user's role reads it as it would read its own organisation's records.

Only members of the thread's organisation in a role that exchanges find the thread at all (else
404, the same as a thread that does not exist) — and, beyond those roles, the one person the
organisation named on an incoming thread of a kind that has an ``assignee`` (a hand-over's
incoming guardian), who finds that thread alone. About no case here yet, the stand-in resource
then names them as its guardian: they read it as the child's guardian reads a ward's case
(``guardian-of-the-child``), no more; about a case held here, the case decides as for anyone. A thread whose data the policy withholds still
shows who, when and in what state (no child data) with a visible marker, and offers no answer:
answering means reading.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.audit.service import Subject
from waymark.cases.access import probe, withheld_note
from waymark.cases.models import Case
from waymark.policy import service as policy
from waymark.vocab import AuditDecision, AuditKind, DataCategory, PolicyAction

from . import threads
from .models import Direction, Thread
from .plumbing import may_exchange
from .threads.base import ThreadKind


@dataclass(frozen=True)
class ThreadAccess:
    kind: ThreadKind
    thread: Thread
    decisions: Mapping[str, policy.Decision]

    @property
    def shown(self) -> bool:
        """Every category the thread carries may be read for its purpose (but those its kind
        redacts field by field, ``refused``)."""
        return all(d.allowed for c, d in self.decisions.items() if c not in self.kind.redactable)

    @property
    def refused(self) -> frozenset[str]:
        """The categories this reader is refused (redacted where the kind allows it)."""
        return frozenset(c for c, d in self.decisions.items() if not d.allowed)

    @property
    def withheld(self) -> str:
        """Why the thread's content is not shown ("" when it is)."""
        if self.shown:
            return ""
        refused = next(
            d for c, d in self.decisions.items() if not d.allowed and c not in self.kind.redactable
        )
        return withheld_note(refused, self.decisions.values())


def threads_of(user: User) -> QuerySet[Thread]:
    """The threads this user may find: their organisation's, if they exchange; else the incoming
    threads their organisation named them on (``ThreadKind.assignee``), if any kind names their
    role, and the threads of the kinds that name their role (``ThreadKind.roles``: a Dublin
    officer's take-charge requests)."""
    if may_exchange(user):
        return Thread.objects.filter(local_org_id=user.organisation_id)
    named = Q()
    for kind in threads.KINDS.values():
        if kind.assignee is not None and kind.assignee.may_be(user):
            named |= Q(
                kind=kind.name, direction=Direction.INCOMING, **{f"facts__{kind.assignee.fact}": user.pk}
            )
        if kind.roles and may_exchange(user, kind.roles):
            named |= Q(kind=kind.name)
    if not named:
        return Thread.objects.none()
    return Thread.objects.filter(named, local_org_id=user.organisation_id)


def may_find_named(user: User, kinds: Iterable[ThreadKind]) -> bool:
    """Could ``user``, outside the exchange's roles, be named on a thread of one of ``kinds``?"""
    return any(k.assignee is not None and k.assignee.may_be(user) for k in kinds)


def _named(user: User, thread: Thread) -> bool:
    assignee = threads.kind(thread.kind).assignee if thread.kind in threads.KINDS else None
    return assignee is not None and assignee.named(user, thread)


def _categories(thread: Thread) -> list[str]:
    # A thread that declared none still says who the child is.
    return list(dict.fromkeys(thread.categories)) or [DataCategory.IDENTITY.value]


def _subject(thread: Thread) -> Subject:
    if thread.case is not None:
        return thread.case.audit_subject
    return Subject(child_public_id=thread.seal_key or thread.public_id)


def decide_threads(user: User, rows: Iterable[Thread]) -> dict[int, dict[str, policy.Decision]]:
    """Decide (one batch per purpose) and audit what these threads' child data show to ``user``:
    ``{thread.pk: {category: Decision}}``. Pass threads with ``case`` and ``local_org`` loaded."""
    rows = list(rows)
    decided: dict[int, dict[str, policy.Decision]] = {}
    by_purpose: dict[str, list[Thread]] = {}
    for t in rows:
        by_purpose.setdefault(t.purpose, []).append(t)
    for purpose, group in by_purpose.items():
        resources: list[Case] = []
        for i, t in enumerate(group):
            if t.case is not None:
                resources.append(t.case)
            else:
                # "A case of this organisation" — whose guardian is the reader only when the
                # organisation named them on this thread (a hand-over's incoming guardian).
                stand_in = probe(t.local_org, guardian=user if _named(user, t) else None)
                stand_in.pk = -(i + 1)
                resources.append(stand_in)
        categories = sorted({c for t in group for c in _categories(t)})
        answers = policy.authorize_cases(user, resources, purpose=purpose, categories=categories)
        for t, resource in zip(group, resources, strict=True):
            decided[t.pk] = {c: answers[resource.pk][c] for c in _categories(t)}
    audit.record_many(
        AuditKind.ACCESS_DECISION, [r for t in rows for r in _audit_rows(user, t, decided[t.pk])]
    )
    return decided


def _audit_rows(
    user: User, thread: Thread, decisions: Mapping[str, policy.Decision]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for verdict in (AuditDecision.ALLOW, AuditDecision.DENY):
        group = [d for d in decisions.values() if d.allowed == (verdict == AuditDecision.ALLOW)]
        if not group:
            continue
        rows.append(
            {
                "actor": user,
                "purpose": thread.purpose,
                "decision": verdict,
                "reasons": sorted({r for d in group for r in d.reasons}),
                "agreement": next((d.agreement_id for d in group if d.agreement_id), "") or "",
                "subject": _subject(thread),
                "categories": [d.category for d in group],
                "details": {
                    "action": PolicyAction.READ,
                    "thread": str(thread.public_id),
                    "kind": thread.kind,
                },
            }
        )
    return rows


def access_thread(user: User, slug: str, public_id: uuid.UUID) -> ThreadAccess:
    """The thread, its kind and what this user may read of it, decided and audited; 404 if they
    may not find it (the same as a thread that does not exist)."""
    kind = threads.by_slug(slug)
    found = (
        threads_of(user)
        .select_related("case__organisation", "case__child", "local_org")
        .filter(kind=kind.name, public_id=public_id)
        .first()
        if kind
        else None
    )
    if kind is None or found is None:
        raise Http404
    return ThreadAccess(kind, found, decide_threads(user, [found])[found.pk])


def shown_threads(user: User, rows: Sequence[Thread]) -> set[int]:
    """The pks of the threads among ``rows`` whose child data ``user`` may read (decided, audited)."""
    decided = decide_threads(user, rows)
    return {pk for pk, d in decided.items() if all(x.allowed for x in d.values())}
