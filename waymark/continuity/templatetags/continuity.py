"""``{{ case|age_assessments }}``: a case's age assessments, oldest first, each with the
difference of its governing lower bound from the one before (never silently overwritten).
``{{ case|take_charge_requests }}``: its take-charge requests with their deadlines and flags now."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.cases.models import Case
from waymark.continuity.models import AgeAssessment, BestInterests, TakeChargeRequest
from waymark.core.deadlines import LOUD, Deadline, Notice, Step

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


@register.filter
def take_charge_requests(case: Case) -> list[TakeChargeRow]:
    now = timezone.now()
    out = []
    for request in TakeChargeRequest.objects.filter(case=case):
        plan = request.schedule(now)
        rows = [
            DeadlineRow(str(STEP_LABELS[d.rule.step]), d, n, str(NOTICE_LABELS[n]), n in LOUD)
            for d in plan.deadlines
            for n in [d.notice(now)]
        ]
        out.append(
            TakeChargeRow(
                request, f"{plan.regime.title} ({plan.regime.instrument})", rows, any(r.loud for r in rows)
            )
        )
    return out


@register.filter
def best_interests(case: Case) -> list[BestInterests]:
    """A case's best-interests assessments and determinations, oldest first (each kept)."""
    return list(
        BestInterests.objects.filter(case=case).select_related("organisation", "recorded_by", "approved_by")
    )
