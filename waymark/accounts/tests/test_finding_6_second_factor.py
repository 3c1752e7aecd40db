"""Issue 9, finding 6: a second factor for every role that sees the most, not only DPOs and
node administrators; in development a setting turns the requirement off and every page says so.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.accounts.second_factor import requires_second_factor
from waymark.accounts.tests.helpers import log_in, logged_in_as
from waymark.policy.reach import (
    roles_opening_break_glass,
    roles_reading_special_categories,
    roles_requiring_second_factor,
)
from waymark.test import create_user, login
from waymark.vocab import Role

SETUP = reverse("mfa_activate_totp")
BANNER = "second factor is not required on this node"


@pytest.fixture
def enforced(settings):
    """Production's setting (``WAYMARK_REQUIRE_SECOND_FACTOR`` is on whenever WAYMARK_ENV=production)."""
    settings.WAYMARK_REQUIRE_SECOND_FACTOR = True
    return settings


def test_finding_6_the_roles_that_read_special_categories_or_open_break_glass_are_derived_from_the_policies():
    readers = roles_reading_special_categories()
    # Own organisation (own-org-casework, own-org-police-trafficking), the guardian's ward.
    assert {Role.CASEWORKER, Role.SUPERVISOR, Role.GUARDIAN, Role.POLICE_OFFICER} <= readers
    # Under a grant an agreement could contain (no forbid rule refuses it), with a shared context.
    assert Role.DUBLIN_OFFICER in readers
    # limit-dpo-no-special-categories and limit-node-admin forbid it whatever an agreement says.
    assert Role.DPO not in readers
    assert Role.NODE_ADMIN not in readers
    assert Role.HOTLINE_OPERATOR in roles_opening_break_glass()
    required = roles_requiring_second_factor()
    assert required >= readers | roles_opening_break_glass() | {Role.DPO, Role.NODE_ADMIN}


def test_finding_6_with_production_settings_a_caseworker_without_a_second_factor_is_sent_to_set_one_up(
    client, people, enforced
):
    assert requires_second_factor(people.giulia)
    log_in(client, "giulia")
    assert logged_in_as(client) == "giulia"
    for url in (reverse("dashboard"), reverse("case_list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP


@pytest.mark.parametrize(
    "role",
    [Role.SUPERVISOR, Role.GUARDIAN, Role.POLICE_OFFICER, Role.HOTLINE_OPERATOR, Role.DPO, Role.NODE_ADMIN],
)
def test_finding_6_with_production_settings_every_role_that_sees_the_most_needs_one(
    client, people, enforced, role
):
    user = create_user(f"user-{role.value}", people.it_cps, role, second_factor=False)
    login(client, user)
    assert client.get(reverse("dashboard"))["Location"] == SETUP


def test_finding_6_with_production_settings_a_caseworker_with_a_second_factor_gets_in(
    client, people, enforced
):
    user = create_user("gina", people.it_cps, Role.CASEWORKER)  # given an authenticator app
    login(client, user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert BANNER not in response.content.decode()


def test_finding_6_in_development_the_requirement_is_off_and_every_page_says_so(client, people, settings):
    settings.WAYMARK_REQUIRE_SECOND_FACTOR = False
    assert not requires_second_factor(people.giulia)
    assert BANNER in client.get(reverse("login")).content.decode()
    login(client, people.giulia)
    for url in (reverse("dashboard"), reverse("case_list"), reverse("exchange:dashboard")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert BANNER in response.content.decode(), url


def test_finding_6_the_test_settings_run_with_the_requirement_off():
    # make run, make network and the tests share the default: off outside production.
    from django.conf import settings

    assert settings.WAYMARK_REQUIRE_SECOND_FACTOR is False
