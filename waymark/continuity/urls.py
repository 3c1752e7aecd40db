"""Pages of the continuity app, under /continuity/."""

from __future__ import annotations

from django.urls import path

from . import views

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
]
