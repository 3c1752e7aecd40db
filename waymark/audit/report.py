"""The child's access report: who read or received which of their data, when, why, under what.

GDPR Art. 15(1)(c) and Art. 12(1): the recipients of a child's data, in plain language, for the
guardian to go through with the child. Built from the audit log alone, by the child's pseudonym,
so it still works after the child's record is erased (given the public id).

- ``access_report(child_public_id, org_names=..., after=-1, limit=None) -> list[ReportRow]``
  (oldest first; a page: the rows after entry ``after``, at most ``limit``);
  ``access_report_for_pseudonym``. ``org_names`` names the organisations (``{slug: name}`` for the
  slugs asked, e.g. ``accounts.models.organisation_names``); a slug it does not name is shown as is.
- ``plain_language(row, lang) -> str``: one sentence in ``en``, ``ar``, ``fr`` or ``it`` (other
  languages fall back to English), e.g. "On 3 March 2026, a caseworker at Association Refuge
  Calais read your identity and your photo to help find you, under the agreement IT-FR-2026."

Refused requests are listed too (the child should know that immigration enforcement asked and
was refused). Reading the report is itself an access: the view that shows it must ``record`` it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.audit.phrases import EN, PHRASEBOOKS
from waymark.audit.service import pseudonym
from waymark.vocab import AuditDecision, AuditKind

OrgNames = Callable[[Collection[str]], Mapping[str, str]]


class ReportAction(StrEnum):
    READ = "read"
    EXPORT = "export"
    EMERGENCY = "emergency"
    SENT = "sent"
    RECEIVED = "received"
    ERASED = "erased"


KIND_ACTIONS: dict[str, ReportAction] = {
    AuditKind.ACCESS_DECISION: ReportAction.READ,
    AuditKind.EXPORT: ReportAction.EXPORT,
    AuditKind.BREAK_GLASS: ReportAction.EMERGENCY,
    AuditKind.ENVELOPE_SENT: ReportAction.SENT,
    AuditKind.ENVELOPE_RECEIVED: ReportAction.RECEIVED,
    AuditKind.ERASURE: ReportAction.ERASED,
}


@dataclass(frozen=True)
class ReportRow:
    seq: int
    at: dt.datetime
    action: ReportAction
    actor: str  # username (for the DPO view; the child's sentence names the role, not the person)
    actor_org: str  # organisation slug
    org_name: str  # its display name, or the slug when it is not hosted here
    role: str
    categories: tuple[str, ...]
    purpose: str
    agreement: str
    allowed: bool
    peer_org: str = ""
    peer_org_name: str = ""


def _no_names(slugs: Collection[str]) -> Mapping[str, str]:
    return {}


def access_report_for_pseudonym(
    child_pseudonym: str, *, org_names: OrgNames = _no_names, after: int = -1, limit: int | None = None
) -> list[ReportRow]:
    """The rows after entry ``after`` (a ``seq``), oldest first, at most ``limit`` of them: read
    through the (child_pseudonym, seq) index, so a page costs the same however long the log."""
    query = AuditEntry.objects.filter(
        child_pseudonym=child_pseudonym, kind__in=list(KIND_ACTIONS), seq__gt=after
    ).order_by("seq")
    entries = list(query if limit is None else query[:limit])
    slugs = {e.actor_org for e in entries} | {e.peer_org for e in entries}
    names = org_names(slugs - {""})
    return [
        ReportRow(
            seq=e.seq,
            at=e.created_at,
            action=KIND_ACTIONS[e.kind],
            actor=e.actor,
            actor_org=e.actor_org,
            org_name=names.get(e.actor_org, e.actor_org),
            role=e.role,
            categories=tuple(e.categories),
            purpose=e.purpose,
            agreement=e.agreement,
            allowed=e.decision != AuditDecision.DENY,
            peer_org=e.peer_org,
            peer_org_name=names.get(e.peer_org, e.peer_org),
        )
        for e in entries
    ]


def access_report(
    child_public_id: uuid.UUID | str,
    *,
    org_names: OrgNames = _no_names,
    after: int = -1,
    limit: int | None = None,
) -> list[ReportRow]:
    """Every read, export, emergency access, exchange and erasure of the child's data, oldest
    first; a page of it with ``after`` (the last ``seq`` shown) and ``limit``."""
    return access_report_for_pseudonym(
        pseudonym(child_public_id), org_names=org_names, after=after, limit=limit
    )


def plain_language(row: ReportRow, lang: str = "en") -> str:
    """One sentence a guardian can read to the child, in ``lang`` (falls back to English)."""
    book = PHRASEBOOKS.get(lang.split("-")[0].lower(), EN)
    local = timezone.localtime(row.at)
    date = book.date.format(day=local.day, month=book.months[local.month - 1], year=local.year)
    org = row.org_name or book.someone
    role = book.roles.get(row.role, book.someone)
    who = book.role_at_org.format(role=role, org=row.org_name) if row.org_name else role
    what = book.join([book.categories.get(c, c) for c in row.categories]) or book.everything
    why = " " + book.purposes.get(row.purpose, row.purpose) if row.purpose else ""
    under = book.under.format(agreement=row.agreement) if row.agreement else ""
    allowed, refused = book.templates[row.action]
    template = allowed if row.allowed else refused
    return template.format(
        date=date, who=who, org=org, peer=row.peer_org_name or book.someone, what=what, why=why, under=under
    )
