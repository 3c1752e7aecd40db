"""The Police panel's forms, under /police/ (the panel itself is on the disappearance page)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "police"

urlpatterns = [
    path("cases/<uuid:case_id>/alerts", views.request_alert, name="request_alert"),
    path("alerts/<uuid:alert_id>/transition", views.advance_alert, name="advance_alert"),
    path("alerts/<uuid:alert_id>/requests", views.ask, name="ask"),
    path("requests/<uuid:request_id>/answer", views.answer, name="answer"),
]
