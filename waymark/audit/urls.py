"""Audit pages (included under /audit/ by waymark/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]
