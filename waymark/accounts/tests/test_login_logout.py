"""Logging out ends the session, by POST only, and is audited."""

from __future__ import annotations

from django.urls import reverse

from waymark.accounts.tests.helpers import log_in, logged_in_as
from waymark.audit.models import AuditEntry
from waymark.vocab import AuditKind


def test_giulia_logs_out(client, people):
    log_in(client, "giulia")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert logged_in_as(client) is None
    assert client.get(reverse("purpose_choose")).status_code == 302
    assert AuditEntry.objects.filter(kind=AuditKind.LOGOUT, actor="giulia").count() == 1


def test_a_link_cannot_log_anyone_out(client, people):
    log_in(client, "giulia")
    assert client.get(reverse("logout")).status_code == 405
    assert logged_in_as(client) == "giulia"


def test_the_logout_button_is_on_every_page(client, people):
    log_in(client, "giulia")
    html = client.get(reverse("purpose_choose")).content.decode()
    assert f'action="{reverse("logout")}" method="post"' in html
