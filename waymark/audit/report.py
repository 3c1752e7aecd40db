"""The child's access report: who read or received which of their data, when, why, under what.

GDPR Art. 15(1)(c) and Art. 12(1): the recipients of a child's data, in plain language, for the
guardian to go through with the child. Built from the audit log alone, by the child's pseudonym,
so it still works after the child's record is erased (given the public id).

- ``access_report(child_public_id, org_names=..., after=-1, limit=None) -> list[ReportRow]``
  (oldest first; a page: the rows after entry ``after``, at most ``limit``);
  ``access_report_for_pseudonym``. ``org_names`` names the organisations (``{slug: name}`` for the
  slugs asked, e.g. ``accounts.models.organisation_names``); a slug it does not name is shown as is.
- ``group_rows(rows) -> list[ReportGroup]``: the same access repeated on one day (same person,
  organisation, action, categories, purpose, agreement and outcome) as one group with its count
  and first and last times, so a day of work reads as one sentence, not fifteen.
- ``plain_language(row_or_group, lang) -> str``: one sentence in a language of ``PHRASEBOOKS``
  (``en``, ``ar``, ``fr``, ``it``, and the drafts ``prs``, ``ps``, ``ti``; others fall back to
  English), e.g. "On 6 December 2026, a caseworker at Association Refuge Calais read your identity
  6 times between 09:10 and 11:40 to help find you, under the agreement IT-FR-2026."

The report's own printing (the PDF export of this very report) is its own action, ``REPORT``,
said plainly ("your guardian printed this report") rather than as a download of the child's data.

Refused requests are listed too (the child should know that immigration enforcement asked and
was refused). Reading the report is itself an access: the view that shows it must ``record`` it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.audit.phrases import AR, EN, FR, IT, Phrasebook
from waymark.audit.phrases_draft import PRS, PS, TI
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
    REPORT = "report"  # this report itself was printed (an export of the report, not of the data)


PHRASEBOOKS: dict[str, Phrasebook] = {"en": EN, "ar": AR, "fr": FR, "it": IT, "prs": PRS, "ps": PS, "ti": TI}


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

    def action(e: AuditEntry) -> ReportAction:
        # The export that the report's own view records when it prints (views_report).
        if e.kind == AuditKind.EXPORT and (e.details or {}).get("viewed") == "access_report":
            return ReportAction.REPORT
        return KIND_ACTIONS[e.kind]

    slugs = {e.actor_org for e in entries} | {e.peer_org for e in entries}
    names = org_names(slugs - {""})
    return [
        ReportRow(
            seq=e.seq,
            at=e.created_at,
            action=action(e),
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


@dataclass(frozen=True)
class ReportGroup:
    """``count`` rows alike (``first`` is one of them) between ``start`` and ``end``, one day."""

    first: ReportRow
    count: int
    start: dt.datetime
    end: dt.datetime
    last_seq: int

    @property
    def allowed(self) -> bool:
        return self.first.allowed

    @property
    def action(self) -> ReportAction:
        return self.first.action


def _group_key(row: ReportRow) -> tuple[object, ...]:
    return (
        timezone.localdate(row.at),
        row.action,
        row.actor,
        row.actor_org,
        row.role,
        row.categories,
        row.purpose,
        row.agreement,
        row.allowed,
        row.peer_org,
    )


def group_rows(rows: Iterable[ReportRow]) -> list[ReportGroup]:
    """Rows alike on the same day as one group each, in the order of their first row."""
    groups: dict[tuple[object, ...], ReportGroup] = {}
    for row in rows:
        key = _group_key(row)
        seen = groups.get(key)
        if seen is None:
            groups[key] = ReportGroup(first=row, count=1, start=row.at, end=row.at, last_seq=row.seq)
        else:
            groups[key] = ReportGroup(
                first=seen.first,
                count=seen.count + 1,
                start=min(seen.start, row.at),
                end=max(seen.end, row.at),
                last_seq=max(seen.last_seq, row.seq),
            )
    return list(groups.values())


def phrasebook(lang: str) -> Phrasebook:
    return PHRASEBOOKS.get(lang.split("-")[0].lower(), EN)


_RTL_BOOKS = frozenset({"ar", "prs", "ps"})
_FSI, _PDI = "\N{FIRST STRONG ISOLATE}", "\N{POP DIRECTIONAL ISOLATE}"


def _isolate(name: str, rtl: bool) -> str:
    """A name or reference set apart from the sentence's direction (Unicode isolates), so that a
    Latin "Servizio ... (fictional)" keeps its parentheses in an Arabic sentence and an Arabic
    name does not pull an English sentence's words around it."""
    if name and (rtl or any(unicodedata.bidirectional(c) in ("R", "AL") for c in name)):
        return f"{_FSI}{name}{_PDI}"
    return name


def plain_language(item: ReportRow | ReportGroup, lang: str = "en") -> str:
    """One sentence a guardian can read to the child, in ``lang`` (falls back to English)."""
    group = item if isinstance(item, ReportGroup) else ReportGroup(item, 1, item.at, item.at, item.seq)
    row = group.first
    book = phrasebook(lang)
    local = timezone.localtime(group.start)
    date = book.date.format(day=local.day, month=book.months[local.month - 1], year=local.year)
    start = local.strftime("%H:%M")
    end = timezone.localtime(group.end).strftime("%H:%M")
    if group.count == 1:
        times = book.at.format(time=start)
    elif start == end:
        times = " " + book.count(group.count) + book.at.format(time=start)
    else:
        times = book.between.format(times=book.count(group.count), start=start, end=end)
    rtl = lang.split("-")[0].lower() in _RTL_BOOKS
    org = _isolate(row.org_name, rtl) or book.someone
    if row.action == ReportAction.REPORT and row.role == "guardian":
        who = book.your_guardian  # only the child's own guardian may print the report
    else:
        role = book.roles.get(row.role, book.someone)
        who = book.role_at_org.format(role=role, org=org) if row.org_name else role
    what = book.join([book.categories.get(c, c) for c in row.categories]) or book.everything
    why = " " + book.purposes.get(row.purpose, row.purpose) if row.purpose else ""
    under = book.under.format(agreement=_isolate(row.agreement, rtl)) if row.agreement else ""
    allowed, refused = book.templates[row.action]
    template = allowed if row.allowed else refused
    return template.format(
        date=date,
        times=times,
        who=who,
        org=org,
        peer=_isolate(row.peer_org_name, rtl) or book.someone,
        what=what,
        why=why,
        under=under,
    )
