"""The URLs of the exchange listener (``gunicorn_tls``, mutual TLS): the peer inbox and nothing
else. People's pages, the API and the admin are served by the web listener only."""

from __future__ import annotations

from django.urls import include, path

from . import views_inbox

inbox_patterns = ([path("inbox", views_inbox.inbox, name="inbox")], "exchange")

urlpatterns = [path("exchange/", include(inbox_patterns))]
