"""``{{ case|age_assessments }}``: a case's age assessments, oldest first, each with the
difference of its governing lower bound from the one before (never silently overwritten).
``{{ case|take_charge_requests }}``: its take-charge requests with their deadlines and flags now."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.continuity.models import (
    AgeAssessment,
    AgeAssessmentChallenge,
    BestInterests,
    ChallengeOutcome,
    TakeChargeRequest,
    TakeChargeWarning,
)
from waymark.continuity.procedures import procedures_due
from waymark.continuity.reviews import review_clock, reviews_due
from waymark.core.clocks import Clock, ClockState
from waymark.core.deadlines import LOUD, Deadline, Notice, Step
from waymark.policy.purpose import current_purpose
from waymark.vocab import DataCategory, Purpose

register = template.Library()


@dataclass(frozen=True)
class AssessmentRow:
    assessment: AgeAssessment
    previous: AgeAssessment | None
    difference: Decimal | None  # this governing age less the previous one


@register.filter
def age_assessments(case: Case) -> list[AssessmentRow]:
    rows: list[AssessmentRow] = []
    previous: AgeAssessment | None = None
    found = (
        AgeAssessment.objects.filter(case=case).select_related("organisation").prefetch_related("challenges")
    )
    for assessment in found:
        difference = None if previous is None else assessment.governing_age - previous.governing_age
        rows.append(AssessmentRow(assessment, previous, difference))
        previous = assessment
    return rows


STEP_LABELS = {
    Step.TAKE_CHARGE_REQUEST: _("Take-charge request"),
    Step.TAKE_CHARGE_REQUEST_AFTER_HIT: _("Take-charge request after a hit"),
    Step.REPLY: _("Reply"),
    Step.REPLY_AFTER_HIT: _("Reply after a hit"),
    Step.URGENT_REPLY: _("Urgent reply (time asked)"),
    Step.URGENT_REPLY_OUTER: _("Urgent reply, outer limit"),
    Step.TRANSFER_DECISION: _("Transfer decision"),
    Step.TRANSFER: _("Transfer"),
    Step.TRANSFER_IMPRISONMENT: _("Transfer (extended: imprisonment)"),
    Step.TRANSFER_ABSCONDING: _("Transfer (extended: absconding)"),
}

NOTICE_LABELS = {
    Notice.MET: _("done in time"),
    Notice.RUNNING: "",
    Notice.WARN_7_DAYS: _("due within 7 days"),
    Notice.WARN_2_DAYS: _("due within 2 days"),
    Notice.MET_LATE: _("done late"),
    Notice.MISSED: _("MISSED"),
    Notice.TACIT_ACCEPTANCE: _("TACIT ACCEPTANCE: no reply in time — the request is accepted"),
    Notice.RESPONSIBILITY_SHIFTED: _("TRANSFER PERIOD MISSED: responsibility has shifted"),
}


@dataclass(frozen=True)
class DeadlineRow:
    label: str
    deadline: Deadline
    notice: Notice
    notice_label: str
    loud: bool


@dataclass(frozen=True)
class TakeChargeRow:
    request: TakeChargeRequest
    regime: str
    deadlines: list[DeadlineRow]
    loud: bool
    warnings: list[TakeChargeWarning]


@register.filter
def take_charge_requests(case: Case) -> list[TakeChargeRow]:
    now = timezone.now()
    out = []
    for request in TakeChargeRequest.objects.filter(case=case).select_related("best_interests", "relative"):
        plan = request.schedule(now)
        rows = [
            DeadlineRow(str(STEP_LABELS[d.rule.step]), d, n, str(NOTICE_LABELS[n]), n in LOUD)
            for d in plan.deadlines
            for n in [d.notice(now)]
        ]
        out.append(
            TakeChargeRow(
                request,
                f"{plan.regime.title} ({plan.regime.instrument})",
                rows,
                any(r.loud for r in rows),
                request.warnings(),
            )
        )
    return out


@register.filter
def pending_challenge(assessment: AgeAssessment) -> AgeAssessmentChallenge | None:
    """The assessment's challenge waiting for its outcome (one at a time), or None."""
    return next((c for c in assessment.challenges.all() if c.outcome == ChallengeOutcome.PENDING), None)


@dataclass(frozen=True)
class BestInterestsRow:
    record: BestInterests
    review: Clock | None  # met when a later record on the case reviewed it
    overdue: bool


@register.filter
def best_interests(case: Case) -> list[BestInterestsRow]:
    """A case's best-interests assessments and determinations, oldest first (each kept), each
    with its review clock."""
    found = list(
        BestInterests.objects.filter(case=case).select_related("organisation", "recorded_by", "approved_by")
    )
    now = timezone.now()
    rows = []
    for record in found:
        clock = review_clock(record, found)
        rows.append(
            BestInterestsRow(record, clock, clock is not None and clock.state(now) == ClockState.OVERDUE)
        )
    return rows


def _casework_reader(context: template.Context) -> tuple[User, str] | None:
    """The signed-in user and their declared purpose, for the dashboard's clock panels; None
    without one, or under audit (the DPO's purpose reads records, not casework clocks)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    purpose = current_purpose(request) if request is not None else None
    if not isinstance(user, User) or purpose is None or purpose == Purpose.AUDIT:
        return None
    return user, purpose


@register.inclusion_tag("continuity/reviews_panel.html", takes_context=True)
def best_interests_reviews(context: template.Context) -> dict[str, Any]:
    """The dashboard's panel: best-interests reviews due within two weeks or overdue, among the
    cases whose legal status the signed-in user may see for their declared purpose (decided and
    audited for the rows shown). Draws nothing when none is due."""
    reader = _casework_reader(context)
    if reader is None:
        return {"rows": []}
    user, purpose = reader
    now = timezone.now()
    found, page = reviews_due(user, purpose, now)
    rows = [
        {"row": r, "identity": page.shown(r.case, DataCategory.IDENTITY)}
        for r in found
        if page.shown(r.case, DataCategory.LEGAL_STATUS)
    ]
    return {"rows": rows, "now": now}


@register.inclusion_tag("continuity/take_charge_panel.html", takes_context=True)
def take_charge_deadlines(context: template.Context) -> dict[str, Any]:
    """The dashboard's panel: Dublin / AMMR take-charge requests with a deadline within seven days
    or passed, or a loud flag (TACIT ACCEPTANCE, MISSED...), among the cases whose legal status the
    signed-in user may see for their declared purpose (decided and audited for the rows shown).
    Draws nothing when none needs acting on."""
    reader = _casework_reader(context)
    if reader is None:
        return {"rows": []}
    user, purpose = reader
    now = timezone.now()
    found, page = procedures_due(user, purpose, now)
    rows = [
        {
            "row": r,
            "identity": r.case is not None and page.shown(r.case, DataCategory.IDENTITY),
            "step": str(STEP_LABELS[r.deadline.rule.step]),
            "notice": str(NOTICE_LABELS[r.notice]),
            "upcoming": str(STEP_LABELS[r.upcoming.rule.step]) if r.upcoming is not None else "",
        }
        for r in found
        if r.case is None or page.shown(r.case, DataCategory.LEGAL_STATUS)
    ]
    return {"rows": rows, "now": now}
