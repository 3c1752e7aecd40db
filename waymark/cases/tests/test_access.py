"""Fetch-and-authorise: deny by default; not found and not allowed look the same."""

from __future__ import annotations

import uuid

import pytest

from waymark.cases.access import access_case, cases_visible_to
from waymark.cases.models import Case
from waymark.errors import ActionError, NotFound
from waymark.test import create_case


def test_colleagues_of_the_owning_organisation_see_the_case(people):
    case = create_case(people.giulia)
    assert access_case(people.sara, case.public_id) == case
    assert list(cases_visible_to(people.sara)) == [case]


def test_the_childs_guardian_sees_the_case_from_another_organisation(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    assert access_case(people.marco, case.public_id) == case


@pytest.mark.parametrize("who", ["claire", "luc", "ivan", "marco"])
def test_others_get_not_found(people, who):
    case = create_case(people.giulia)
    with pytest.raises(NotFound):
        access_case(getattr(people, who), case.public_id)
    assert not cases_visible_to(getattr(people, who)).exists()


def test_an_immigration_enforcement_organisation_sees_nothing_even_its_own_records(people):
    # A record that somehow sits with an immigration-enforcement organisation (registering
    # through actions is refused): still invisible to it.
    case = create_case(people.giulia)
    Case.objects.filter(pk=case.pk).update(organisation=people.immigration)
    with pytest.raises(NotFound):
        access_case(people.ivan, case.public_id)


def test_unknown_and_malformed_ids_look_like_not_allowed(people):
    with pytest.raises(NotFound):
        access_case(people.giulia, uuid.uuid4())
    with pytest.raises(NotFound):
        access_case(people.giulia, "not-a-uuid")


def test_an_inactive_user_sees_nothing(people):
    case = create_case(people.giulia)
    people.sara.is_active = False
    people.sara.save()
    assert not cases_visible_to(people.sara).exists()
    with pytest.raises(NotFound):
        access_case(people.sara, case.public_id)


def test_an_immigration_enforcement_user_cannot_register_a_child(people):
    with pytest.raises(ActionError):
        create_case(people.ivan)
    assert not Case.objects.exists()
