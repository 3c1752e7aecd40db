"""Exchange pages and the peer inbox, under /exchange/."""

from __future__ import annotations

from django.urls import path

from . import views_inbox

app_name = "exchange"

urlpatterns = [
    path("inbox", views_inbox.inbox, name="inbox"),
]
