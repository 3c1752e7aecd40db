"""Audit pages (included under /audit/ by waymark/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("cases/<uuid:public_id>/access-report", views.access_report, name="access_report"),
    path("cases/<uuid:public_id>/access-report.pdf", views.access_report_pdf, name="access_report_pdf"),
]
