"""Every login and every failure through the login pages is a security event in the audit log."""

from __future__ import annotations

from django.urls import reverse

from waymark.accounts.second_factor import provision_totp, totp_code
from waymark.accounts.tests.helpers import a_wrong_code, enter_code, log_in
from waymark.audit import service
from waymark.audit.models import AuditEntry
from waymark.vocab import AuditKind


def kinds(actor: str) -> list[str]:
    return list(AuditEntry.objects.filter(actor=actor).order_by("seq").values_list("kind", flat=True))


def test_a_login_through_the_form_is_recorded(client, people):
    log_in(client, "giulia")
    entry = AuditEntry.objects.get(kind=AuditKind.LOGIN)
    assert (entry.actor, entry.actor_org, entry.role) == ("giulia", "it-cps-milano", "caseworker")


def test_a_wrong_password_through_the_form_is_recorded(client, people):
    log_in(client, "luc", "not the password")
    assert kinds("luc") == [AuditKind.LOGIN_FAILED]
    assert not AuditEntry.objects.filter(kind=AuditKind.LOGIN).exists()


def test_an_unknown_username_is_recorded_without_what_was_typed(client, db):
    log_in(client, "nobody-here", "x")
    entry = AuditEntry.objects.get(kind=AuditKind.LOGIN_FAILED)
    assert entry.actor == ""
    assert "nobody-here" not in entry.canonical_bytes().decode()


def test_the_password_step_alone_is_not_a_login_and_a_wrong_code_is_a_failure(client, people):
    secret = provision_totp(people.sara)
    log_in(client, "sara")
    assert AuditKind.LOGIN not in kinds("sara")
    enter_code(client, a_wrong_code(secret))
    failed = AuditEntry.objects.get(kind=AuditKind.LOGIN_FAILED, actor="sara")
    assert failed.details == {"factor": "totp"}
    enter_code(client, totp_code(secret))
    assert kinds("sara")[-1] == AuditKind.LOGIN
    assert service.verify().ok


def test_adding_a_second_factor_is_recorded(people):
    provision_totp(people.marco)
    entry = AuditEntry.objects.get(actor="marco", kind=AuditKind.OTHER)
    assert entry.details == {"mfa": "added", "type": "totp"}


def test_the_login_page_itself_is_not_an_event(client, db):
    client.get(reverse("login"))
    assert not AuditEntry.objects.exists()
