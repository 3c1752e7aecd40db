"""The admin's own login form is not a way around the second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.accounts.second_factor import provision_totp, totp_code
from waymark.accounts.tests.helpers import enter_code, log_in, logged_in_as
from waymark.test import PASSWORD, create_user
from waymark.vocab import Role


@pytest.fixture
def nadia_secret(people):
    nadia = create_user(
        "nadia", people.it_cps, Role.NODE_ADMIN, second_factor=False, is_staff=True, is_superuser=True
    )
    return provision_totp(nadia)


def test_the_admin_login_form_does_not_log_anyone_in(client, nadia_secret):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.post("/admin/login/?next=/admin/", {"username": "nadia", "password": PASSWORD})
    assert logged_in_as(client) is None


def test_a_node_admin_reaches_the_admin_after_both_factors(client, nadia_secret):
    response = log_in(client, "nadia")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302
    enter_code(client, totp_code(nadia_secret))
    assert client.get("/admin/").status_code == 200
