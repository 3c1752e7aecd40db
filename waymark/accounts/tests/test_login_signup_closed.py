"""Nobody signs up: node administrators create professional accounts."""

from __future__ import annotations

from django.urls import reverse

from waymark.accounts.models import User
from waymark.test import PASSWORD


def test_the_signup_page_says_it_is_closed(client, db):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert "node administrator" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main", 1)[1]


def test_posting_a_signup_creates_no_account(client, db):
    client.post(
        reverse("account_signup"),
        {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD, "email": "m@example.test"},
    )
    assert not User.objects.filter(username="mallory").exists()
    assert "_auth_user_id" not in client.session


def test_the_login_page_offers_no_signup_and_no_email_reset(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "/accounts/signup/" not in html
    assert client.get("/accounts/password/reset/").status_code == 404
    assert client.get("/accounts/email/").status_code == 404
