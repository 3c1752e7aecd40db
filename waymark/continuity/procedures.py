"""The dashboard's Dublin / AMMR panel (issue 13, "a Dublin officer sees a request's clocks and
the tacit-acceptance warning"): the open take-charge requests whose next deadline falls within
the engine's first warning (seven days) or has passed, and those carrying a loud flag — a tacit
acceptance, a missed deadline, a step done late, a transfer period missed — among the cases whose
legal status the user may see for their purpose — and, for a Dublin officer, the requests another
node's Dublin unit made to theirs, not yet answered (dates only: no child data in clear). Deadlines are computed, never stored
(``TakeChargeRequest.schedule``), so the candidates are read once and scheduled in Python; every
row shown is decided and audited like every list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from waymark.accounts.models import User
from waymark.cases.access import PageAccess, cases_visible_to, decide_page
from waymark.cases.models import Case
from waymark.core.clocks import ClockState
from waymark.core.deadlines import LOUD, Deadline, Notice
from waymark.vocab import CaseStatus, DataCategory, Purpose, Role, Sector

from .models import TakeChargeDirection, TakeChargeRequest

# Quietest first, as the engine lists them: the row's notice is the loudest of its deadlines.
_ORDER = list(Notice)
_WARNING = frozenset({Notice.WARN_7_DAYS, Notice.WARN_2_DAYS})
_OPEN = frozenset({ClockState.RUNNING, ClockState.DUE_SOON, ClockState.OVERDUE})

# What the panel reads of each row: who (identity) and the procedure (legal status).
PROCEDURE_CATEGORIES: tuple[str, ...] = (DataCategory.IDENTITY, DataCategory.LEGAL_STATUS)


@dataclass(frozen=True)
class ProcedureRow:
    case: Case | None  # None: a request made to us (the requested State), no case here
    request: TakeChargeRequest
    regime: str
    notice: Notice  # the loudest notice among the request's deadlines now
    deadline: Deadline  # the deadline that notice belongs to
    upcoming: Deadline | None  # the next deadline still open, if any

    @property
    def loud(self) -> bool:
        return self.notice in LOUD


def _row(request: TakeChargeRequest, now: dt.datetime) -> ProcedureRow | None:
    plan = request.schedule(now)
    if not plan.deadlines:
        return None
    noticed = [(d, d.notice(now)) for d in plan.deadlines]
    deadline, notice = max(noticed, key=lambda pair: _ORDER.index(pair[1]))
    if notice not in LOUD and notice not in _WARNING:
        return None
    upcoming = min(
        (d for d in plan.deadlines if d.clock.state(now) in _OPEN), key=lambda d: d.due_at, default=None
    )
    regime = f"{plan.regime.title} ({plan.regime.instrument})"
    return ProcedureRow(request.case, request, regime, notice, deadline, upcoming)


def procedures_due(
    user: User, purpose: str, now: dt.datetime | None = None, limit: int = 20, scan: int = 500
) -> tuple[list[ProcedureRow], PageAccess]:
    """The take-charge requests to act on now (loud first, then by the warning's deadline),
    among the open cases whose legal status ``user`` may see for ``purpose``; a transferred
    child's procedure is over. At most ``scan`` requests are scheduled, oldest registration
    first. Decided and audited for exactly the rows returned."""
    now = now or timezone.now()
    visible = cases_visible_to(user, purpose, DataCategory.LEGAL_STATUS).exclude(
        status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED]
    )
    found = (
        TakeChargeRequest.objects.filter(case__in=visible.values("pk"), transferred_at__isnull=True)
        .select_related("case", "case__child", "case__organisation")
        .order_by("registered_at", "id")[:scan]
    )
    rows = [row for request in found if (row := _row(request, now)) is not None]
    org = user.organisation
    if (
        user.is_active
        and user.role == Role.DUBLIN_OFFICER
        and org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and purpose == Purpose.FAMILY_TRACING
    ):
        # Requests made to this Dublin unit by another node's, for family tracing (the purpose
        # they travel for): their dates only (the child stays sealed in the conversation), the
        # reply period counted from their receipt.
        received = TakeChargeRequest.objects.filter(
            direction=TakeChargeDirection.INCOMING,
            organisation_id=org.pk,
            replied_at__isnull=True,
        ).order_by("registered_at", "id")[:scan]
        rows += [row for request in received if (row := _row(request, now)) is not None]
    rows.sort(key=lambda r: (not r.loud, r.deadline.due_at, r.request.pk))
    rows = rows[:limit]
    return rows, decide_page(
        user, [r.case for r in rows if r.case is not None], purpose, PROCEDURE_CATEGORIES
    )
