"""Pages of the continuity app, under /continuity/."""

from __future__ import annotations

from django.urls import path

from . import family_views, views

app_name = "continuity"

urlpatterns = [
    path(
        "cases/<uuid:case_id>/best-interests/new", views.record_best_interests, name="record_best_interests"
    ),
    path(
        "cases/<uuid:case_id>/best-interests/<uuid:record_id>/approval",
        views.approve_determination,
        name="approve_determination",
    ),
    path(
        "cases/<uuid:case_id>/age-assessments/new", views.record_age_assessment, name="record_age_assessment"
    ),
    path(
        "cases/<uuid:case_id>/age-assessments/<uuid:assessment_id>/challenge",
        views.challenge_age_assessment,
        name="challenge_age_assessment",
    ),
    path(
        "cases/<uuid:case_id>/age-assessments/<uuid:assessment_id>/challenge/outcome",
        views.decide_challenge,
        name="decide_challenge",
    ),
    path("cases/<uuid:case_id>/take-charge/new", views.record_take_charge, name="record_take_charge"),
    path(
        "cases/<uuid:case_id>/take-charge/<uuid:request_id>",
        views.update_take_charge,
        name="update_take_charge",
    ),
    # Family tracing (family_views.py)
    path("cases/<uuid:case_id>/relatives/new", family_views.add_relative, name="add_relative"),
    path(
        "cases/<uuid:case_id>/relatives/<uuid:relative_id>", family_views.edit_relative, name="edit_relative"
    ),
    path(
        "cases/<uuid:case_id>/relatives/<uuid:relative_id>/guardian-agreement",
        family_views.guardian_agreement,
        name="guardian_agreement",
    ),
    path(
        "cases/<uuid:case_id>/relatives/<uuid:relative_id>/confirmation",
        family_views.confirm_relative,
        name="confirm_relative",
    ),
    path("cases/<uuid:case_id>/reunification-plans/new", family_views.record_plan, name="record_plan"),
    path(
        "cases/<uuid:case_id>/reunification-plans/<uuid:plan_id>/status",
        family_views.plan_status,
        name="plan_status",
    ),
]
