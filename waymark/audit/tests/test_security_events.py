"""Every login, failed login and logout is a security event in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, login
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from waymark.audit import service
from waymark.audit.models import AuditEntry
from waymark.audit.testing import audit_unavailable
from waymark.test import PASSWORD
from waymark.vocab import AuditKind


def entries(kind: AuditKind) -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.filter(kind=kind).values_list("actor", "actor_org", "role"))


def test_a_login_is_recorded_with_the_persons_organisation_and_role(client, people):
    assert client.login(username="giulia", password=PASSWORD)
    assert entries(AuditKind.LOGIN) == [("giulia", "it-cps-milano", "caseworker")]


def test_a_wrong_password_is_recorded_against_the_account(client, people):
    assert not client.login(username="luc", password="not the password")
    assert entries(AuditKind.LOGIN_FAILED) == [("luc", "be-police-mpu", "police_officer")]
    assert not AuditEntry.objects.filter(kind=AuditKind.LOGIN).exists()


def test_an_unknown_username_is_recorded_without_storing_what_was_typed(client, people):
    typed = "correct horse battery staple 42"  # a password typed into the username field
    assert not client.login(username=typed, password="x")
    entry = AuditEntry.objects.get(kind=AuditKind.LOGIN_FAILED)
    assert (entry.actor, entry.details) == ("", {"account": "unknown"})
    assert typed not in entry.canonical_bytes().decode()


def test_a_logout_is_recorded(client, people):
    client.login(username="marco", password=PASSWORD)
    client.logout()
    assert entries(AuditKind.LOGOUT) == [("marco", "it-guardians", "guardian")]
    assert service.verify().ok


def test_nobody_is_logged_in_unaudited(people):
    request = RequestFactory().post("/accounts/login/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    with audit_unavailable(), pytest.raises(service.AuditUnavailable):
        login(request, people.giulia, backend="django.contrib.auth.backends.ModelBackend")
    assert SESSION_KEY not in request.session
    assert not AuditEntry.objects.exists()


def test_a_logout_still_happens_when_it_cannot_be_audited(client, people):
    client.login(username="marco", password=PASSWORD)
    with audit_unavailable():
        client.logout()
    assert SESSION_KEY not in client.session
