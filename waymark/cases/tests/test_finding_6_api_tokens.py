"""Issue 9, finding 6: API tokens are scoped (read / write, and the purposes they may declare), expire
by default, and the admin cannot un-revoke one."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from waymark.accounts.models import ApiToken
from waymark.accounts.tokens import revoke_api_token
from waymark.audit.models import AuditEntry
from waymark.cases.tests.api_client import ApiClient, case_url, issue_test_token
from waymark.policy.reach import purposes_for_role
from waymark.test import create_case, create_user, login
from waymark.vocab import AuditDecision, AuditKind, Purpose, Role, TokenScope

NEW_CASE = {
    "child": {"given_names": "Yonas", "family_name": "Tesfay", "nationality": "ER"},
    "confirm_not_duplicate": True,
}


def _refused(response, field: str, words: str) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["detail"] == "refused"
    assert any(words in message for message in body["errors"][field]), body


def test_finding_6_a_read_only_token_reads_but_is_refused_every_write(people):
    case = create_case(people.giulia)
    _token, secret = issue_test_token(people.giulia, "dashboard", scope=TokenScope.READ)
    client = ApiClient(secret)
    assert client.get("/api/cases").status_code == 200
    assert client.get(case_url(case)).status_code == 200
    for response in (
        client.post("/api/cases", NEW_CASE),
        client.patch(case_url(case), {"risk_level": "high"}),
        client.post(case_url(case, "/events"), {"type": "note", "summary": "x"}),
        client.put(case_url(case, "/care-plan"), {}),
    ):
        _refused(response, "Authorization", "read-only")
    case.refresh_from_db()
    assert case.risk_level != "high"


def test_finding_6_a_token_is_refused_a_purpose_outside_its_scope_and_the_refusal_is_audited(people):
    case = create_case(people.giulia)
    _token, secret = issue_test_token(people.giulia, "tracing", purposes=[Purpose.FAMILY_TRACING])
    assert ApiClient(secret, Purpose.FAMILY_TRACING).get(case_url(case)).status_code == 200
    response = ApiClient(secret, Purpose.CHILD_PROTECTION).get(case_url(case))
    _refused(response, "Waymark-Purpose", "family_tracing")
    refusal = AuditEntry.objects.filter(
        kind=AuditKind.ACCESS_DECISION,
        actor="giulia",
        decision=AuditDecision.DENY,
        purpose="child_protection",
    ).get()
    assert refusal.reasons == ["token-scope"]


def test_finding_6_an_expired_token_is_refused(people):
    token, secret = issue_test_token(people.giulia, "tests")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert ApiClient(secret).get("/api/cases").status_code == 401


def test_finding_6_a_token_expires_after_90_days_unless_told_otherwise_and_never_lasts_forever(people):
    token, _secret = issue_test_token(people.giulia, "tests")
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    with pytest.raises(ValueError, match="days"):
        issue_test_token(people.giulia, "tests", days=10_000)


def test_finding_6_a_token_never_carries_the_purpose_immigration_enforcement(people):
    with pytest.raises(ValueError, match="immigration_enforcement"):
        issue_test_token(people.giulia, "tests", purposes=[Purpose.IMMIGRATION_ENFORCEMENT])


def test_finding_6_create_api_token_defaults_to_read_and_write_the_roles_purposes_and_90_days(people):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "luc", "--name", "case import", stdout=out, stderr=err)
    token = ApiToken.objects.get(user=people.luc)
    assert token.scope == TokenScope.READ_WRITE
    assert set(token.purposes) == {str(p) for p in purposes_for_role(Role.POLICE_OFFICER)}
    assert Purpose.IMMIGRATION_ENFORCEMENT not in token.purposes
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    assert "90 days" in err.getvalue() or token.expires_at.date().isoformat() in err.getvalue()


def test_finding_6_create_api_token_narrows_scope_and_purposes_on_request(people):
    out = StringIO()
    call_command(
        "create_api_token",
        "giulia",
        "--name",
        "reports",
        "--read-only",
        "--purpose",
        "care_continuity",
        "--days",
        "7",
        stdout=out,
        stderr=StringIO(),
    )
    token = ApiToken.objects.get(user=people.giulia)
    assert token.scope == TokenScope.READ
    assert token.purposes == ["care_continuity"]
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)


def _node_admin_client(people) -> Client:
    admin = create_user("nadia-admin", people.it_cps, Role.NODE_ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    login(client, admin, purpose=None)
    return client


def test_finding_6_the_admin_cannot_un_revoke_a_token(people):
    token, secret = issue_test_token(people.giulia, "case import")
    revoke_api_token(token)
    token.refresh_from_db()
    revoked_at = token.revoked_at
    client = _node_admin_client(people)
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert 'name="revoked_at' not in page  # shown, not editable
    client.post(
        f"/admin/accounts/apitoken/{token.pk}/change/",
        {
            "name": "case import",
            "revoked_at_0": "",
            "revoked_at_1": "",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert ApiClient(secret).get("/api/cases").status_code == 401


def test_finding_6_the_admin_cannot_widen_or_extend_a_token(people):
    token, _secret = issue_test_token(people.giulia, "reports", scope=TokenScope.READ, days=7)
    client = _node_admin_client(people)
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    for field in ("scope", "purposes", "expires_at"):
        assert f'name="{field}' not in page, field
