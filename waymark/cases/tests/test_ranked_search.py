"""Ranked search and registration candidates: other spellings and scripts found, best first, with
the reasons; near candidates instead of an empty page; never another organisation's children."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from waymark.cases import actions
from waymark.cases.schemas import ChildIn
from waymark.cases.tests.api_client import api_as
from waymark.errors import DuplicateWarning
from waymark.test import create_case, login


@pytest.fixture
def hussains(people):
    arabic = create_case(
        people.giulia, given_names="محمد", family_name="حسين", birth_date=dt.date(2009, 5, 3)
    )
    latin = create_case(
        people.giulia, given_names="Muhammad", family_name="Hussain", birth_date=dt.date(2009, 1, 1)
    )
    other = create_case(
        people.giulia, given_names="Yonas", family_name="Tesfay", birth_date=dt.date(2009, 5, 3)
    )
    return arabic, latin, other


def test_a_misspelt_search_finds_both_records_with_reasons(client, people, hussains):
    arabic, latin, other = hussains
    login(client, people.giulia)
    html = client.get(reverse("case_list"), {"q": "Mohamet Husein"}).content.decode()
    assert arabic.reference in html and latin.reference in html
    assert other.reference not in html
    assert "mhmt ~ mhmd (sound)" in html  # which name forms agreed, and how
    assert "No exact match" not in html


def test_names_in_another_order_and_a_particle_still_rank_first(people, hussains):
    _arabic, latin, _other = hussains
    api = api_as(people.giulia)
    items = api.get("/api/cases", {"q": "Hossein Mohammed"}).json()["items"]
    assert {i["reference"] for i in items[:2]} == {hussains[0].reference, latin.reference}


def test_a_partial_match_is_shown_as_the_closest_not_an_empty_page(client, people, hussains):
    login(client, people.giulia)
    html = client.get(reverse("case_list"), {"q": "Mohamed Abdelkarim"}).content.decode()
    assert "No exact match — closest:" in html
    assert hussains[0].reference in html


def test_the_best_agreement_comes_first_in_the_api(people, hussains):
    _arabic, latin, other = hussains
    partial = create_case(people.giulia, given_names="Muhammad", family_name="Tesfay")
    items = api_as(people.giulia).get("/api/cases", {"q": "Muhammad Hussain"}).json()["items"]
    refs = [i["reference"] for i in items]
    assert refs.index(latin.reference) < refs.index(partial.reference)
    assert other.reference not in refs


def test_another_organisations_children_are_not_ranked(people, hussains):
    items = api_as(people.claire).get("/api/cases", {"q": "Muhammad Hussain"}).json()["items"]
    assert items == []


def test_registering_an_estimated_age_shows_both_records_as_candidates(people, hussains):
    arabic, latin, _other = hussains
    data = ChildIn(
        given_names="Mohamed",
        family_name="Hossein",
        birth_date_precision="estimated",
        assessed_age_min=15,
        assessed_age_max=17,
        assessed_on=dt.date(2025, 6, 1),
    )
    found = actions.registration_candidates(people.giulia, data)
    assert {r.case.pk for r in found} == {arabic.pk, latin.pk}
    assert all(r.evidence.birth == "ranges overlap" for r in found)
    with pytest.raises(DuplicateWarning) as exc:
        actions.check_register_child(people.giulia, actions.RegisterChildIn(child=data))
    assert set(exc.value.duplicates) == {arabic.reference, latin.reference}


def test_a_sibling_sharing_the_patronymic_is_not_a_candidate(people):
    create_case(people.giulia, given_names="Saba", family_name="Tesfay", birth_date=dt.date(2011, 2, 2))
    data = ChildIn(given_names="Yonas", family_name="Tesfay", birth_date=dt.date(2009, 7, 9))
    assert actions.registration_candidates(people.giulia, data) == []


def test_a_date_of_birth_that_rules_the_child_out_is_not_a_candidate(people, hussains):
    data = ChildIn(given_names="Muhammad", family_name="Hussain", birth_date=dt.date(2001, 3, 3))
    assert actions.registration_candidates(people.giulia, data) == []
