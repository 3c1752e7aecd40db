"""Registering a child: validation at the edge, one transaction, duplicates warned about."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from pydantic import ValidationError

from waymark.cases import actions
from waymark.cases.models import Case, Child, ChildName, Event, NameKey
from waymark.cases.schemas import CaseIn, ChildIn, RegisterChildIn
from waymark.errors import ActionError, DuplicateWarning, field_errors
from waymark.test import create_case
from waymark.vocab import CaseStatus, DatePrecision


def register(user, **child):
    return actions.do_register_child(user, RegisterChildIn(child=ChildIn(**child)))


def errors_of(**child) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        ChildIn(**child)
    return field_errors(exc.value)


def test_it_registers_a_child_with_a_case_a_care_plan_and_a_registration_event(people):
    case = register(
        people.giulia, given_names="محمد", family_name="حسين", aliases=[{"full_name": "Mohamed Hossein"}]
    )
    assert case.reference.startswith("IT-")
    assert case.organisation == people.it_cps
    assert case.caseworker == people.giulia
    assert case.care_plan.pk is not None
    assert list(case.events.values_list("type", flat=True)) == ["registration"]
    assert case.child.name_latin == "Mhmd Hsyn"
    skeletons = set(NameKey.objects.filter(child=case.child).values_list("skeleton", flat=True))
    assert {"mhmd", "hsn"} <= skeletons


@pytest.mark.parametrize(
    ("child", "field"),
    [
        ({"given_names": "Saba", "nationality": "XX"}, "nationality"),
        ({"given_names": "Saba", "languages": ["tir", "zz"]}, "languages"),
        ({"given_names": "Saba", "birth_date": timezone.localdate() + dt.timedelta(days=1)}, "birth_date"),
        ({"given_names": "Saba", "birth_date_precision": DatePrecision.ESTIMATED}, "assessed_age_min"),
        (
            {
                "given_names": "Saba",
                "birth_date_precision": DatePrecision.ESTIMATED,
                "assessed_age_min": 17,
                "assessed_age_max": 15,
            },
            "assessed_age_max",
        ),
        ({"given_names": "", "family_name": ""}, "given_names"),
    ],
)
def test_bad_input_names_the_field(child, field):
    assert field in errors_of(**child)


def test_an_alias_alone_is_enough_to_register(people):
    case = register(people.giulia, aliases=[{"full_name": "Abu Bakr", "note": "name given at the port"}])
    assert ChildName.objects.filter(child=case.child, kind="alias").count() == 1


def test_a_missing_case_needs_a_missing_category():
    with pytest.raises(ValidationError) as exc:
        CaseIn(status=CaseStatus.MISSING)
    assert "missing_category" in field_errors(exc.value)


def test_a_probable_duplicate_is_refused_until_confirmed(people):
    first = create_case(
        people.giulia, given_names="Yonas", family_name="Tesfay", birth_date=dt.date(2010, 1, 1)
    )
    data = RegisterChildIn(
        child=ChildIn(given_names="Yonas", family_name="Tesfaye", birth_date=dt.date(2010, 1, 1))
    )
    with pytest.raises(DuplicateWarning) as exc:
        actions.do_register_child(people.giulia, data)
    assert exc.value.duplicates == [first.reference]
    assert Case.objects.count() == 1
    confirmed = data.model_copy(update={"confirm_not_duplicate": True})
    actions.do_register_child(people.giulia, confirmed)
    assert Case.objects.count() == 2


def test_the_same_child_in_another_organisation_is_not_a_duplicate_here(people):
    create_case(people.giulia, given_names="Yonas", family_name="Tesfay")
    register(people.claire, given_names="Yonas", family_name="Tesfay")
    assert Case.objects.count() == 2


def test_nothing_is_half_saved_when_a_reference_is_wrong(people):
    before = (Child.objects.count(), Case.objects.count(), ChildName.objects.count(), Event.objects.count())
    data = RegisterChildIn(child=ChildIn(given_names="Amina"), case=CaseIn(guardian="nobody-like-this"))
    with pytest.raises(ActionError) as exc:
        actions.do_register_child(people.giulia, data)
    assert "case.guardian" in exc.value.errors
    after = (Child.objects.count(), Case.objects.count(), ChildName.objects.count(), Event.objects.count())
    assert after == before


def test_a_guardian_from_a_guardianship_office_can_be_assigned(people):
    data = RegisterChildIn(child=ChildIn(given_names="Amina"), case=CaseIn(guardian="marco"))
    case = actions.do_register_child(people.giulia, data)
    assert case.guardian == people.marco


def test_a_caseworker_must_be_a_colleague(people):
    data = RegisterChildIn(child=ChildIn(given_names="Amina"), case=CaseIn(caseworker="claire"))
    with pytest.raises(ActionError) as exc:
        actions.do_register_child(people.giulia, data)
    assert "case.caseworker" in exc.value.errors


def test_estimated_birth_compares_as_a_year_range(people):
    case = register(
        people.giulia,
        given_names="Hamid",
        birth_date_precision=DatePrecision.ESTIMATED,
        assessed_age_min=15,
        assessed_age_max=17,
        assessed_on=dt.date(2026, 6, 1),
    )
    assert case.child.birth_year_range() == (2008, 2011)
