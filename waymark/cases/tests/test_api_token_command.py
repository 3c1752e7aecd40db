"""`manage.py create_api_token` prints a working secret once and stores only its hash."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from waymark.accounts.models import ApiToken
from waymark.cases.tests.api_client import ApiClient


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_a_secret_that_authenticates(people):
    secret, note = _run("giulia", "--name", "case import", "--days", "30")
    assert ApiClient(secret).get("/api/cases").status_code == 200
    token = ApiToken.objects.get(user=people.giulia)
    assert token.name == "case import"
    assert token.prefix == secret[:8]
    assert "cannot be shown again" in note
    assert secret not in note
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)


def test_without_days_the_token_lasts_90_days(people):
    _run("sara", "--name", "reporting")
    expires_at = ApiToken.objects.get(user=people.sara).expires_at
    assert expires_at is not None
    assert abs(expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)


def test_it_refuses_an_unknown_or_inactive_user(people):
    with pytest.raises(CommandError, match="no user"):
        _run("nobody", "--name", "x")
    people.luc.is_active = False
    people.luc.save()
    with pytest.raises(CommandError, match="not active"):
        _run("luc", "--name", "x")
    assert not ApiToken.objects.exists()
