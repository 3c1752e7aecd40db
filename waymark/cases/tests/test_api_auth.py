"""API clients authenticate with a bearer token; every API operation refuses anyone else."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from waymark.accounts.models import ApiToken
from waymark.accounts.tokens import revoke_api_token
from waymark.cases.tests.api_client import ApiClient, anonymous, api_as, issue_test_token


def _assert_refused(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"].startswith("authentication required")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_lets_its_user_in(people):
    response = api_as(people.giulia).get("/api/cases")
    assert response.status_code == 200


def test_no_token_is_refused(people):
    _assert_refused(anonymous().get("/api/cases"))


def test_another_scheme_is_refused(people):
    _token, secret = issue_test_token(people.giulia, "tests")
    response = anonymous().client.get("/api/cases", HTTP_AUTHORIZATION=f"Token {secret}")
    _assert_refused(response)


def test_an_unknown_token_is_refused(people):
    _token, secret = issue_test_token(people.giulia, "tests")
    _assert_refused(ApiClient(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/cases"))
    _assert_refused(ApiClient("not-even-a-waymark-token").get("/api/cases"))


def test_a_revoked_token_is_refused(people):
    token, secret = issue_test_token(people.giulia, "tests")
    assert ApiClient(secret).get("/api/cases").status_code == 200
    revoke_api_token(token)
    _assert_refused(ApiClient(secret).get("/api/cases"))


def test_an_expired_token_is_refused(people):
    token, secret = issue_test_token(people.giulia, "tests", days=1)
    assert ApiClient(secret).get("/api/cases").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _assert_refused(ApiClient(secret).get("/api/cases"))


def test_the_token_of_a_deactivated_user_is_refused(people):
    client = api_as(people.giulia)
    people.giulia.is_active = False
    people.giulia.save()
    _assert_refused(client.get("/api/cases"))


def test_the_secret_is_stored_only_as_its_hash(people):
    token, secret = issue_test_token(people.giulia, "case import")
    row = ApiToken.objects.values().get(pk=token.pk)
    assert secret not in {str(v) for v in row.values()}
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[:8]


def test_each_token_is_different(people):
    secrets = {issue_test_token(people.giulia, "tests")[1] for _ in range(5)}
    assert len(secrets) == 5


def test_use_is_recorded_on_the_token(people):
    token, secret = issue_test_token(people.giulia, "tests")
    assert token.last_used_at is None
    ApiClient(secret).get("/api/cases")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name_and_a_positive_lifetime(people):
    with pytest.raises(ValueError, match="name"):
        issue_test_token(people.giulia, "  ")
    with pytest.raises(ValueError, match="days"):
        issue_test_token(people.giulia, "tests", days=0)


def test_every_api_operation_requires_a_token(people):
    # Deny by default: walk the OpenAPI document so a new endpoint is covered the day it lands.
    paths = anonymous().get("/api/openapi.json").json()["paths"]
    client = anonymous()
    checked = 0
    for path, operations in paths.items():
        url = path.replace("{public_id}", "00000000-0000-4000-8000-000000000000")
        for method in operations:
            _assert_refused(client.send(method, url, {}) if method != "get" else client.get(url))
            checked += 1
    assert checked >= 12
