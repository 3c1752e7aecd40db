"""``mfa_totp_demo`` gives a demo user an authenticator app whose codes then log them in."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from waymark.accounts.second_factor import totp_code
from waymark.accounts.tests.helpers import enter_code, log_in, logged_in_as
from waymark.test import create_org, create_user
from waymark.vocab import Role


def run(username: str) -> str:
    out = io.StringIO()
    call_command("mfa_totp_demo", username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_the_demo_dpo_logs_in_with_a_code_from_the_printed_secret(client, people):
    create_user("demo-dpo", people.it_cps, Role.DPO, second_factor=False)
    secret = run("demo-dpo")
    log_in(client, "demo-dpo")
    enter_code(client, totp_code(secret))
    assert logged_in_as(client) == "demo-dpo"
    assert client.get(reverse("audit_log")).status_code == 200


def test_it_refuses_people_of_a_real_organisation(db):
    real = create_org("it-real-org")
    real.is_fictional = False
    real.save()
    create_user("rita", real, Role.DPO, second_factor=False)
    with pytest.raises(CommandError, match="not a demo user"):
        run("rita")


def test_it_refuses_a_second_app_and_unknown_users(people):
    create_user("demo-dpo", people.it_cps, Role.DPO, second_factor=True)  # already has one
    with pytest.raises(CommandError, match="already has"):
        run("demo-dpo")
    with pytest.raises(CommandError, match="no user"):
        run("nobody")


def test_it_refuses_in_production(people, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never production"):
        run("giulia")
