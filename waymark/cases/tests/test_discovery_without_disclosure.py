"""Issue 9, discovery without disclosure: a search that finds a child held by a partner the user
may not see says only "a possible match is held by <organisation>", audited at both; without an
agreement for a purpose that exists to find children, nothing at all."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, login, share
from waymark.vocab import AuditKind, DataCategory, Purpose, Role

LOCATE = Purpose.LOCATE_MISSING_CHILD


@pytest.fixture
def yonas(people):
    return create_case(people.giulia, given_names="Yonas", family_name="Tesfamariam", nationality="ER")


def locate_agreement(people):
    create_agreement(
        "it-fr-locate",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, LOCATE)],
    )


def search(client, q):
    return client.get("/cases/", {"q": q}).content.decode()


def test_a_partners_child_shows_as_held_by_and_nothing_more(client, people, yonas):
    locate_agreement(people)
    login(client, people.claire, LOCATE)
    page = search(client, "Yonas")
    assert "A possible match is held by Servizio Tutela Minori Milano (fictional)" in page
    assert (
        "Tesfamariam" not in page
        and yonas.reference not in page
        and "ER" not in page.split("Held elsewhere")[1]
    )
    [entry] = AuditEntry.objects.filter(kind=AuditKind.DISCOVERY)
    assert (entry.actor, entry.actor_org, entry.peer_org) == ("claire", "fr-ngo-calais", "it-cps-milano")
    assert entry.child_pseudonym and entry.purpose == LOCATE


def test_without_an_agreement_nothing_at_all(client, people, yonas):
    login(client, people.claire, LOCATE)
    page = search(client, "Yonas")
    assert "possible match" not in page
    assert not AuditEntry.objects.filter(kind=AuditKind.DISCOVERY).exists()


def test_not_for_a_purpose_that_does_not_exist_to_find_children(client, people, yonas):
    create_agreement(
        "it-fr-cp",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, Purpose.CHILD_PROTECTION)],
    )
    login(client, people.claire, Purpose.CHILD_PROTECTION)
    assert "possible match" not in search(client, "Yonas")


def test_a_child_the_user_already_sees_is_a_result_not_a_possible_match(client, people, yonas):
    locate_agreement(people)
    share(yonas, people.fr_ngo, LOCATE, missing=True)
    login(client, people.claire, LOCATE)
    page = search(client, "Yonas")
    assert yonas.reference in page and "possible match" not in page
