"""Issue 9, finding 6: lock-out counters live in a store every worker shares (the database), count
by username *and* address, and an attacker cannot lock a known user out from everywhere."""

from __future__ import annotations

import datetime as dt

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from waymark.accounts.second_factor import provision_totp, totp_code
from waymark.accounts.tests.helpers import a_wrong_code, enter_code, logged_in_as
from waymark.audit.models import AuditEntry
from waymark.test import PASSWORD
from waymark.vocab import AuditKind

N = settings.WAYMARK_LOGIN_ATTEMPTS
ATTACKER = "203.0.113.66"  # documentation addresses (RFC 5737): fictional
GIULIA_AT_WORK = "198.51.100.10"


def log_in_from(client, address, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_finding_6_failures_from_one_address_lock_that_username_from_that_address(client, people):
    for _ in range(N):
        log_in_from(client, ATTACKER, "giulia", "guessing")
    response = log_in_from(client, ATTACKER, "giulia")  # even the right password
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_as(client) is None
    assert AuditEntry.objects.filter(
        kind=AuditKind.LOGIN_FAILED, actor="giulia", details__reason="locked_out"
    ).exists()


def test_finding_6_the_same_username_from_another_address_still_logs_in(client, people, django_user_model):
    for _ in range(N + 3):
        log_in_from(client, ATTACKER, "giulia", "guessing")
    log_in_from(client, GIULIA_AT_WORK, "giulia")
    assert logged_in_as(client) == "giulia"


def test_finding_6_the_counters_are_in_the_database_shared_by_every_worker(client, people):
    for _ in range(N):
        log_in_from(client, ATTACKER, "giulia", "guessing")
    attempt = AccessAttempt.objects.get(username="giulia", ip_address=ATTACKER)
    assert attempt.failures_since_start == N
    # Nothing kept in this process counts: forget every cache and the handler, as a fresh worker.
    cache.clear()
    AxesProxyHandler.get_implementation(force=True)
    assert log_in_from(client, ATTACKER, "giulia").status_code == 429


def test_finding_6_the_lock_ends_after_the_cool_off_and_hammering_does_not_prolong_it(client, people):
    for _ in range(N):
        log_in_from(client, ATTACKER, "giulia", "guessing")
    for _ in range(10):
        log_in_from(client, ATTACKER, "giulia", "guessing")  # refused unchecked: not counted
    assert AccessAttempt.objects.get(username="giulia").failures_since_start == N
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    log_in_from(client, ATTACKER, "giulia")
    assert logged_in_as(client) == "giulia"


def test_finding_6_an_unknown_username_is_counted_without_being_stored(client, people):
    typed = "correct horse battery staple 42"  # a password typed into the username field
    for _ in range(N):
        log_in_from(client, ATTACKER, typed, "x")
    assert log_in_from(client, ATTACKER, typed, "x").status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.username.startswith("unknown:")
    assert typed not in attempt.username + attempt.post_data


def test_finding_6_wrong_codes_lock_the_second_step_from_any_address(client, people):
    secret = provision_totp(people.sara)
    log_in_from(client, ATTACKER, "sara")
    for _ in range(N):
        client.post(reverse("mfa_authenticate"), {"code": a_wrong_code(secret)}, REMOTE_ADDR=ATTACKER)
    # Someone holding the password cannot spread guesses over addresses.
    other = client.__class__()
    log_in_from(other, GIULIA_AT_WORK, "sara")
    response = other.post(
        reverse("mfa_authenticate"), {"code": totp_code(secret)}, REMOTE_ADDR=GIULIA_AT_WORK
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_as(other) is None
    # ...and the password step of that account is not locked by them.
    assert not AccessAttempt.objects.filter(username="sara").exists()


def test_finding_6_a_right_code_clears_the_second_step_failures(client, people):
    secret = provision_totp(people.sara)
    log_in_from(client, GIULIA_AT_WORK, "sara")
    for _ in range(N - 1):
        enter_code(client, a_wrong_code(secret))
    enter_code(client, totp_code(secret))
    assert logged_in_as(client) == "sara"
    assert not AccessAttempt.objects.exists()


def test_finding_6_typing_the_second_step_mark_into_the_login_form_locks_nothing_for_the_account(
    client, people
):
    # An attacker cannot reach the account-wide second-step counter from the login form.
    for _ in range(N + 2):
        log_in_from(client, ATTACKER, "sara (second factor)", "guessing")
    secret = provision_totp(people.sara)
    other = client.__class__()
    log_in_from(other, GIULIA_AT_WORK, "sara")
    enter = other.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, REMOTE_ADDR=GIULIA_AT_WORK)
    assert enter.status_code == 302
    assert logged_in_as(other) == "sara"
