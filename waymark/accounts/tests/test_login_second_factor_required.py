"""Where a second factor is required (production), a DPO or node administrator without one can
do nothing but set one up. (Caseworkers and the other roles: test_finding_6_second_factor.py.)"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from waymark.accounts.second_factor import totp_code
from waymark.accounts.tests.helpers import confirm_password, log_in, logged_in_as
from waymark.test import create_user, login
from waymark.vocab import Role

SETUP = reverse("mfa_activate_totp")


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.WAYMARK_REQUIRE_SECOND_FACTOR = True  # as in production


@pytest.fixture
def dpo(people):
    return create_user("dora", people.it_cps, Role.DPO, second_factor=False)


@pytest.fixture
def node_admin(people):
    return create_user("nadia", people.it_cps, Role.NODE_ADMIN, second_factor=False, is_staff=True)


def test_a_dpo_without_a_second_factor_is_sent_to_set_one_up(client, dpo):
    response = log_in(client, "dora")
    assert logged_in_as(client) == "dora"  # the password was right...
    for url in (reverse("dashboard"), reverse("case_list"), reverse("audit_log"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url  # ...but nothing opens
        assert response["Location"] == SETUP
    page = client.get(SETUP, follow=True)  # allauth asks for the password once more first
    assert page.status_code == 200
    assert "needs a second factor" in page.content.decode()
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    confirm_password(client)
    assert client.get(SETUP).status_code == 200


def test_a_node_admin_without_a_second_factor_cannot_open_cases_or_the_admin(client, node_admin):
    log_in(client, "nadia")
    assert client.get(reverse("case_list"))["Location"] == SETUP
    assert client.post(reverse("case_create"), {})["Location"] == SETUP
    assert client.get("/admin/")["Location"] == SETUP


def test_htmx_requests_are_redirected_as_a_whole_page(client, dpo):
    client.force_login(dpo)
    response = client.get(reverse("case_list"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == SETUP


def test_set_up_logout_language_health_and_api_stay_reachable(client, dpo):
    log_in(client, "dora")
    confirm_password(client)
    assert client.get(SETUP).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/api/cases").status_code == 401  # tokens, not sessions: not a redirect
    assert client.post(reverse("set_language"), {"language": "ar", "next": SETUP})["Location"] == SETUP
    client.post(reverse("logout"))
    assert logged_in_as(client) is None


def test_once_the_authenticator_app_is_set_up_the_dpo_gets_in(client, dpo):
    log_in(client, "dora")
    confirm_password(client)
    page = client.get(SETUP)
    secret = page.context["form"].secret
    response = client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=dpo, type=Authenticator.Type.TOTP).exists()
    assert client.get(response["Location"]).status_code == 200  # the recovery codes
    assert client.get(reverse("audit_log")).status_code == 200


def test_a_wrong_code_does_not_set_up_the_app(client, dpo):
    log_in(client, "dora")
    confirm_password(client)
    secret = client.get(SETUP).context["form"].secret
    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=dpo).exists()
    assert client.get(reverse("case_list"))["Location"] == SETUP


def test_the_last_factor_of_a_dpo_cannot_be_switched_off(client, people):
    dora = create_user("dora", people.it_cps, Role.DPO)  # with an authenticator app
    client.force_login(dora)
    confirm_password(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "cannot" in response.content.decode().lower()
    assert Authenticator.objects.filter(user=dora, type=Authenticator.Type.TOTP).exists()


def test_nobody_is_obliged_where_the_requirement_is_off(client, people, settings):
    settings.WAYMARK_REQUIRE_SECOND_FACTOR = False
    dora = create_user("dora", people.it_cps, Role.DPO, second_factor=False)
    for user in (people.giulia, dora):
        login(client, user, purpose=None)
        assert client.get(reverse("purpose_choose")).status_code == 200
