"""The agreement admin runs the validator; a refused form writes nothing."""

from __future__ import annotations

import pytest

from waymark.accounts.models import User
from waymark.policy.models import Agreement
from waymark.test import PASSWORD
from waymark.vocab import DataCategory, Purpose, Role


@pytest.fixture
def admin_client(client, people):
    root = User.objects.create_superuser(
        "root", password=PASSWORD, role=Role.NODE_ADMIN, organisation=people.it_cps
    )
    client.force_login(root)
    return client


def form(people, parties, grants=()):
    data = {
        "identifier": "it-fr-locate",
        "title": "Locate (fictional)",
        "parties": [p.pk for p in parties],
        "status": "active",
        "valid_from_0": "2026-01-01",
        "valid_from_1": "00:00:00",
        "valid_until_0": "2027-01-01",
        "valid_until_1": "00:00:00",
        "lawful_basis": "fictional",
        "grants-TOTAL_FORMS": str(len(grants)),
        "grants-INITIAL_FORMS": "0",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    for i, (org, role, category, purpose) in enumerate(grants):
        data |= {
            f"grants-{i}-organisation": org.pk,
            f"grants-{i}-role": role,
            f"grants-{i}-category": category,
            f"grants-{i}-purpose": purpose,
            f"grants-{i}-action": "read",
        }
    return data


def test_the_admin_saves_a_sound_agreement_with_its_grants(admin_client, people):
    grants = [(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, Purpose.LOCATE_MISSING_CHILD)]
    response = admin_client.post(
        "/admin/policy/agreement/add/", form(people, [people.it_cps, people.fr_ngo], grants)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert agreement.grants.count() == 1
    assert set(agreement.parties.all()) == {people.it_cps, people.fr_ngo}


def test_the_admin_refuses_an_immigration_enforcement_party(admin_client, people):
    response = admin_client.post(
        "/admin/policy/agreement/add/", form(people, [people.it_cps, people.immigration])
    )
    assert response.status_code == 200
    assert "can never be a party to a cooperation agreement" in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_admin_refuses_a_grant_to_a_non_party_or_for_immigration(admin_client, people):
    for grant in [
        (people.be_police, Role.POLICE_OFFICER, DataCategory.IDENTITY, Purpose.LOCATE_MISSING_CHILD),
        (people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, Purpose.IMMIGRATION_ENFORCEMENT),
    ]:
        response = admin_client.post(
            "/admin/policy/agreement/add/", form(people, [people.it_cps, people.fr_ngo], [grant])
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "is not a party to this agreement" in body or "never granted" in body
    assert not Agreement.objects.exists()


def test_the_admin_refuses_a_duplicate_grant(admin_client, people):
    grant = (people.fr_ngo, Role.CASEWORKER, DataCategory.PHOTO, Purpose.LOCATE_MISSING_CHILD)
    response = admin_client.post(
        "/admin/policy/agreement/add/", form(people, [people.it_cps, people.fr_ngo], [grant, grant])
    )
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_the_agreement_admin_is_refused_to_a_caseworker(client, people):
    client.force_login(people.giulia)
    response = client.get("/admin/policy/agreement/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_mistaken_grant_already_in_the_database_can_be_removed_in_the_admin(admin_client, people):
    from waymark.policy.tests.factories import create_agreement

    bad = (people.be_police, Role.POLICE_OFFICER, DataCategory.HEALTH, Purpose.LOCATE_MISSING_CHILD)
    agreement = create_agreement("it-fr-locate", [people.it_cps, people.fr_ngo], grants=[bad])
    grant = agreement.grants.get()
    data = form(people, [people.it_cps, people.fr_ngo], [bad])
    data |= {"grants-INITIAL_FORMS": "1", "grants-0-id": grant.pk, "grants-0-agreement": agreement.pk}
    data["grants-0-DELETE"] = "on"
    response = admin_client.post(f"/admin/policy/agreement/{agreement.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not agreement.grants.exists()
