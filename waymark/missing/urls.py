"""Pages of the missing-child response, under /missing/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "missing"

urlpatterns = [
    path("", views.board, name="board"),
    path("notifications", views.notifications, name="notifications"),
    path("measures", views.measures_page, name="measures"),
    path("measures.csv", views.measures_csv, name="measures_csv"),
    path("report/<uuid:case_id>", views.report, name="report"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/risk", views.assess_risk, name="risk"),
    path("<uuid:public_id>/steps/<slug:key>/done", views.step_done, name="step_done"),
]
