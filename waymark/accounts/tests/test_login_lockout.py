"""After repeated failures an account is locked for a while from that address: even the right
password is refused. (Per address, shared counters: test_finding_6_lockout.py.)"""

from __future__ import annotations

from django.conf import settings

from waymark.accounts.second_factor import provision_totp, totp_code
from waymark.accounts.tests.helpers import a_wrong_code, enter_code, log_in, logged_in_as
from waymark.audit.models import AuditEntry
from waymark.vocab import AuditKind

N = settings.WAYMARK_LOGIN_ATTEMPTS


def test_the_attempt_after_n_failures_is_refused_even_with_the_right_password(client, people):
    for _ in range(N - 1):
        response = log_in(client, "giulia", "guessing")
        assert "not correct" in response.content.decode()
    assert log_in(client, "giulia", "guessing").status_code == 429  # the N-th locks
    response = log_in(client, "giulia")
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_as(client) is None
    refused = AuditEntry.objects.filter(kind=AuditKind.LOGIN_FAILED, actor="giulia")
    assert refused.count() == N + 1
    assert refused.filter(details__reason="locked_out").count() == 1


def test_one_account_locked_does_not_lock_the_others(client, people):
    for _ in range(N + 1):
        log_in(client, "giulia", "guessing")
    log_in(client, "claire")
    assert logged_in_as(client) == "claire"


def test_fewer_failures_than_the_limit_do_not_lock(client, people):
    for _ in range(N - 1):
        log_in(client, "giulia", "guessing")
    log_in(client, "giulia")
    assert logged_in_as(client) == "giulia"


def test_wrong_second_factor_codes_lock_too(client, people):
    secret = provision_totp(people.sara)
    log_in(client, "sara")
    for _ in range(N):
        enter_code(client, a_wrong_code(secret))
    response = enter_code(client, totp_code(secret))
    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_as(client) is None
    assert AuditEntry.objects.filter(
        kind=AuditKind.LOGIN_FAILED, actor="sara", details__reason="locked_out"
    ).exists()
