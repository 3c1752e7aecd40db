"""``{{ case|age_assessments }}``: a case's age assessments, oldest first, each with the
difference of its governing lower bound from the one before (never silently overwritten)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import template

from waymark.cases.models import Case
from waymark.continuity.models import AgeAssessment

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
