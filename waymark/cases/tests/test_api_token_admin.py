"""The admin lists API tokens by prefix, never issues them, and can revoke them."""

from __future__ import annotations

from django.test import Client

from waymark.accounts.models import ApiToken, User
from waymark.accounts.tokens import issue_api_token
from waymark.cases.tests.api_client import ApiClient
from waymark.test import PASSWORD


def _admin_client() -> Client:
    User.objects.create_superuser("root-admin", password=PASSWORD)
    client = Client()
    client.login(username="root-admin", password=PASSWORD)
    return client


def test_the_admin_shows_the_prefix_and_never_the_secret(people):
    token, secret = issue_api_token(people.giulia, "case import")
    client = _admin_client()
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert token.prefix in listing.content.decode()
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert secret not in page
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_the_admin_revokes_tokens(people):
    token, secret = issue_api_token(people.giulia, "case import")
    client = _admin_client()
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert ApiClient(secret).get("/api/cases").status_code == 401
