"""``{{ case|relatives }}``: a case's relatives, oldest first; ``{{ case|reunification_plans }}``:
its reunification plans. For templates that already decided (and audited) the ``family`` category."""

from __future__ import annotations

from django import template

from waymark.cases.models import Case
from waymark.continuity.actions import missing_for_confirmation
from waymark.continuity.models import PlanStatus, Relative, ReunificationPlan

register = template.Library()


@register.filter
def relatives(case: Case) -> list[Relative]:
    return list(Relative.objects.filter(case=case).select_related("case__child"))


@register.filter
def reunification_plans(case: Case) -> list[ReunificationPlan]:
    return list(
        ReunificationPlan.objects.filter(case=case).select_related(
            "relative", "best_interests", "case__child"
        )
    )


@register.simple_tag
def plan_statuses() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in PlanStatus.choices]


@register.filter
def still_missing(relative: Relative) -> list[str]:
    """What must be recorded before the relative's link may be confirmed (empty: nothing)."""
    return [] if relative.confirmed else missing_for_confirmation(relative)
