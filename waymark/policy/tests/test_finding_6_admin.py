"""Issue 9, finding 6: staff without a role (or with a role other than node administrator) cannot
see or edit agreements in the Django admin, whatever Django permissions they hold."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from waymark.accounts.admin_access import NodeAdminOnly
from waymark.accounts.models import ApiToken, User
from waymark.policy.models import Agreement
from waymark.policy.tests.test_admin import form
from waymark.test import PASSWORD, create_user, login
from waymark.vocab import DataCategory, Purpose, Role


def _client_for(user: User) -> Client:
    client = Client()
    login(client, user, purpose=None)
    return client


def _with_agreement_permissions(user: User) -> User:
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="policy"))
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def roleless_staff(people) -> User:
    return _with_agreement_permissions(
        User.objects.create_user("staff-without-role", password=PASSWORD, is_staff=True)
    )


@pytest.fixture
def roleless_superuser(people) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def staff_caseworker(people) -> User:
    return _with_agreement_permissions(create_user("gino", people.it_cps, Role.CASEWORKER, is_staff=True))


@pytest.fixture
def node_admin(people) -> User:
    return _with_agreement_permissions(create_user("nadia", people.it_cps, Role.NODE_ADMIN, is_staff=True))


GRANT = (DataCategory.PHOTO, Purpose.LOCATE_MISSING_CHILD)


def _refused(response) -> bool:
    # The site's gate sends to the login page; a model's own rule answers 403.
    return response.status_code == 403 or (
        response.status_code == 302 and "/admin/login/" in response["Location"]
    )


@pytest.mark.parametrize("who", ["roleless_staff", "roleless_superuser", "staff_caseworker"])
def test_finding_6_staff_who_are_not_node_administrators_cannot_see_or_edit_agreements(request, people, who):
    from waymark.policy.tests.factories import create_agreement

    client = _client_for(request.getfixturevalue(who))
    agreement = create_agreement("it-fr-locate", [people.it_cps, people.fr_ngo])
    assert _refused(client.get("/admin/"))
    assert _refused(client.get("/admin/policy/agreement/"))
    assert _refused(client.get(f"/admin/policy/agreement/{agreement.pk}/change/"))
    grants = [(people.fr_ngo, Role.CASEWORKER, *GRANT)]
    data = form(people, [people.it_cps, people.fr_ngo], grants) | {"identifier": "it-fr-new"}
    assert _refused(client.post("/admin/policy/agreement/add/", data))
    assert not Agreement.objects.filter(identifier="it-fr-new").exists()
    data = form(people, [people.it_cps, people.fr_ngo]) | {"status": "terminated"}
    assert _refused(client.post(f"/admin/policy/agreement/{agreement.pk}/change/", data))
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_finding_6_a_node_administrator_edits_agreements(people, node_admin):
    client = _client_for(node_admin)
    assert client.get("/admin/policy/agreement/").status_code == 200
    grants = [(people.fr_ngo, Role.CASEWORKER, *GRANT)]
    response = client.post(
        "/admin/policy/agreement/add/", form(people, [people.it_cps, people.fr_ngo], grants)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Agreement.objects.filter(identifier="it-fr-locate").exists()


def test_finding_6_every_model_in_the_admin_is_for_node_administrators_only(people, roleless_superuser):
    # Deny by default: a model registered tomorrow, by Waymark or a library, is covered too.
    client = _client_for(roleless_superuser)
    checked = 0
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert _refused(client.get(url)), url
        assert _refused(client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))), url
        checked += 1
    assert checked >= 6


def test_finding_6_waymarks_own_model_admins_also_require_the_role(people, roleless_superuser):
    node_admin = create_user("root-node", people.it_cps, Role.NODE_ADMIN, is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    for model in (Agreement, ApiToken, AccessAttempt):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, NodeAdminOnly), model
        request.user = roleless_superuser
        assert not model_admin.has_view_permission(request), model
        assert not model_admin.has_change_permission(request), model
        request.user = node_admin
        assert model_admin.has_view_permission(request), model
