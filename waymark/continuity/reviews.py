"""Review clocks of best-interests assessments and determinations: each record with a review
date runs a clock to it (``BEST_INTERESTS_REVIEW``) until a later record on the case — the
review — meets it. The dashboards list the clocks that warn or are overdue, decided and audited
for the rows shown like every list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.access import PageAccess, cases_visible_to, decide_page
from waymark.cases.models import Case
from waymark.core.clocks import BEST_INTERESTS_REVIEW, Clock, ClockState
from waymark.vocab import CaseStatus, DataCategory

from .models import BestInterests


def review_clock(record: BestInterests, records: Sequence[BestInterests]) -> Clock | None:
    """``record``'s review clock, met when the first later record among ``records`` (the same
    case's) was made; None without a review date."""
    later = [
        r.recorded_at for r in records if r.case_id == record.case_id and r.recorded_at > record.recorded_at
    ]
    return record.review_clock(min(later) if later else None)


def _later() -> Exists:
    """A later record on the same case (its review was made)."""
    return Exists(
        BestInterests.objects.filter(case=OuterRef("case"), recorded_at__gt=OuterRef("recorded_at"))
    )


def running_review(case: Case) -> Clock | None:
    """The case's open review clock (its latest record's, when that has a review date)."""
    record = BestInterests.objects.filter(case=case).order_by("-recorded_at", "-id").first()
    return record.review_clock() if record is not None else None


@dataclass(frozen=True)
class ReviewRow:
    case: Case
    record: BestInterests
    clock: Clock
    overdue: bool


# What a reviews list reads of each row: who (identity), and the review date (legal status).
REVIEW_CATEGORIES: tuple[str, ...] = (DataCategory.IDENTITY, DataCategory.LEGAL_STATUS)


def reviews_due(
    user: User, purpose: str, now: dt.datetime | None = None, limit: int = 20
) -> tuple[list[ReviewRow], PageAccess]:
    """The open review clocks, among the cases whose legal status ``user`` may see for
    ``purpose``, that warn or are overdue — overdue first — and what may be shown of each row
    (decided and audited for exactly these rows)."""
    now = now or timezone.now()
    assert BEST_INTERESTS_REVIEW.warn_before is not None
    horizon = timezone.localtime(now).date() + BEST_INTERESTS_REVIEW.warn_before
    visible = cases_visible_to(user, purpose, DataCategory.LEGAL_STATUS).exclude(
        status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED]
    )
    found = list(
        BestInterests.objects.filter(case__in=visible.values("pk"), review_on__lte=horizon)
        .exclude(_later())
        .select_related("case", "case__child", "case__organisation")
        .order_by("review_on", "id")[:limit]
    )
    rows = []
    for record in found:
        clock = record.review_clock()
        assert clock is not None  # filtered on a review date
        rows.append(ReviewRow(record.case, record, clock, clock.state(now) == ClockState.OVERDUE))
    return rows, decide_page(user, [r.case for r in rows], purpose, REVIEW_CATEGORIES)
