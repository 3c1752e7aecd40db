"""Pages of hotline intake, under /hotline/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.calls, name="calls"),
    path("call", views.record, name="record"),
    path("calls/<uuid:public_id>/", views.call_page, name="call"),
    path("calls/<uuid:public_id>/take", views.take, name="take"),
    path("calls/<uuid:public_id>/hand-over", views.hand_over, name="hand_over"),
]
