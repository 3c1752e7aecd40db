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
]
