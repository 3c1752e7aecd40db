"""Review queue pages."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="matching_queue"),
    path("cases/<uuid:public_id>/propose", views.propose, name="matching_propose"),
    path("cases/<uuid:public_id>/candidates", views.candidates, name="matching_candidates"),
    path("<uuid:public_id>/", views.review, name="matching_review"),
    path("remote/<uuid:query_id>/<str:token>", views.remote, name="matching_remote"),
]
