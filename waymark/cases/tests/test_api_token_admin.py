"""The admin lists API tokens by prefix, never issues them, and can revoke them."""

from __future__ import annotations

from django.test import Client

from waymark.accounts.models import ApiToken, User
from waymark.cases.tests.api_client import ApiClient, issue_test_token
from waymark.test import PASSWORD
from waymark.vocab import Role


def _admin_client(people) -> Client:
    admin = User.objects.create_superuser(
        "root-admin", password=PASSWORD, role=Role.NODE_ADMIN, organisation=people.it_cps
    )
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_shows_the_prefix_and_never_the_secret(people):
    token, secret = issue_test_token(people.giulia, "case import")
    client = _admin_client(people)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_the_admin_revokes_tokens(people):
    token, secret = issue_test_token(people.giulia, "case import")
    client = _admin_client(people)
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert ApiClient(secret).get("/api/cases").status_code == 401
