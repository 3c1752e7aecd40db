"""Someone with an authenticator app logs in with the password and then a valid code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.accounts.second_factor import provision_totp, totp_code
from waymark.accounts.tests.helpers import a_wrong_code, enter_code, log_in, logged_in_as


@pytest.fixture
def secret(people):
    return provision_totp(people.sara)


def test_the_password_alone_does_not_log_sara_in(client, secret):
    response = log_in(client, "sara")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_as(client) is None
    assert client.get(reverse("purpose_choose")).status_code == 302
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()


def test_a_valid_code_completes_the_login(client, secret):
    log_in(client, "sara")
    response = enter_code(client, totp_code(secret))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert logged_in_as(client) == "sara"
    assert client.get(reverse("purpose_choose")).status_code == 200


def test_a_wrong_code_is_refused(client, secret):
    log_in(client, "sara")
    response = enter_code(client, a_wrong_code(secret))
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_code_works_only_once(client, secret, people):
    code = totp_code(secret)
    log_in(client, "sara")
    enter_code(client, code)
    assert logged_in_as(client) == "sara"
    client.post(reverse("logout"))
    log_in(client, "sara")
    enter_code(client, code)
    assert logged_in_as(client) is None


def test_the_second_step_cannot_be_reached_without_the_password(client, secret):
    response = enter_code(client, totp_code(secret))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert logged_in_as(client) is None


def test_the_secret_is_not_stored_in_the_clear(secret, people):
    from allauth.mfa.models import Authenticator

    stored = Authenticator.objects.get(user=people.sara, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored
    assert stored.startswith("sealed:")
