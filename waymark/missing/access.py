"""Fetch and authorise for the missing-child response: a disappearance is read or changed only
through its case's policy decision (``waymark.cases.access``), audited there; the board lists
only the cases the user may list for the purpose, and decides and audits the rows it shows
(with who acknowledged each alert about them, fetched for the whole page at once)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.access import CaseAccess, PageAccess, access_case, cases_visible_to, decide_page
from waymark.errors import NotFound
from waymark.vocab import DataCategory, PolicyAction

from . import acknowledgements
from .acknowledgements import Acknowledgement
from .models import Disappearance, StepStatus

BOARD_PAGE = 50
# A board row shows none of the sealed free text: those columns stay in the database.
_SEALED = tuple(f.name for f in Disappearance._meta.concrete_fields if f.name.endswith("_sealed"))
# What a board row shows: who (identity), where last seen (contact_location), the risk and the
# protocol's steps (case notes).
BOARD_CATEGORIES: tuple[str, ...] = (
    DataCategory.IDENTITY,
    DataCategory.CONTACT_LOCATION,
    DataCategory.CASE_NOTES,
)


@dataclass
class DisappearanceAccess:
    disappearance: Disappearance
    case_access: CaseAccess

    def can(self, category: str) -> bool:
        return self.case_access.can(category)


def _fetch(public_id: uuid.UUID | str) -> Disappearance:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    d = Disappearance.objects.filter(public_id=pid).select_related("case").first()
    if d is None:
        raise NotFound
    return d


def access_disappearance(
    user: User,
    public_id: uuid.UUID | str,
    purpose: str,
    *,
    action: str = PolicyAction.READ,
    categories: Sequence[str] = (),
) -> DisappearanceAccess:
    """The disappearance and what the user may see of its case for ``purpose`` (audited); for
    ``update`` every one of ``categories`` must be allowed. ``NotFound`` otherwise — the same as
    a disappearance that does not exist."""
    d = _fetch(public_id)
    seen = access_case(user, d.case.public_id, purpose, action=action, categories=categories or None)
    d.case = seen.case  # with the child and organisation the decision loaded
    return DisappearanceAccess(d, seen)


def _open_visible(user: User, purpose: str) -> QuerySet[Disappearance]:
    return Disappearance.objects.filter(closed_at__isnull=True, case__in=cases_visible_to(user, purpose))


def _most_urgent_first(found: QuerySet[Disappearance]) -> QuerySet[Disappearance]:
    # ``next_due_at`` is the earliest due open step (kept by the actions): the order walks the
    # partial index ``missing_open_board_order`` instead of grouping every open step.
    return found.order_by(F("next_due_at").asc(nulls_last=True), "-reported_at", "id")


def open_disappearances(user: User, purpose: str) -> QuerySet[Disappearance]:
    """Open disappearances on the cases this user may list for ``purpose``, the most urgent
    first: an overdue step first (the earliest due open step), then the newest report."""
    return _most_urgent_first(_open_visible(user, purpose))


@dataclass
class BoardPage:
    rows: list[Disappearance]
    decisions: PageAccess
    number: int
    count: int
    now: dt.datetime
    # Per case: who acknowledged each open alert about it (``acknowledgements.py``), for the page.
    acknowledged: Mapping[int, list[Acknowledgement]] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.number * BOARD_PAGE < self.count

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def shown(self, d: Disappearance, category: str) -> bool:
        return self.decisions.shown(d.case, category)

    def acknowledgements(self, d: Disappearance) -> list[Acknowledgement]:
        return self.acknowledged.get(d.case_id, [])


def board_page(user: User, purpose: str, number: int = 1, now: dt.datetime | None = None) -> BoardPage:
    """One page (``BOARD_PAGE`` rows) of the Missing-now board: the rows decided in one batch and
    audited in one append (an entry per child shown, so each child's access report lists it)."""
    now = now or timezone.now()
    visible = _open_visible(user, purpose)
    count = visible.count()
    number = max(1, min(number, max(1, -(-count // BOARD_PAGE))))
    start = (number - 1) * BOARD_PAGE
    # The page in one query (ordered from the index), its steps and who did them in another.
    rows = list(
        _most_urgent_first(visible)
        .defer(*_SEALED)
        .select_related("case__child", "case__organisation")
        .prefetch_related(
            Prefetch("steps", queryset=StepStatus.objects.select_related("done_by__organisation"))
        )[start : start + BOARD_PAGE]
    )
    for d in rows:
        d.overdue = sum(  # type: ignore[attr-defined]
            1 for s in d.steps.all() if s.done_at is None and s.stopped_at is None and s.due_at <= now
        )
    decisions = decide_page(user, [d.case for d in rows], purpose, BOARD_CATEGORIES)
    acknowledged = acknowledgements.for_cases([d.case_id for d in rows])
    return BoardPage(rows, decisions, number, count, now, acknowledged)
