"""POST /api/cases registers a child; bad input is refused by field and nothing is half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.cases.models import CarePlan, Case, Child, ChildName, Event, Identifier, NameKey
from waymark.cases.tests.api_client import api_as
from waymark.test import create_case

MODELS = (Case, Child, ChildName, NameKey, Identifier, Event, CarePlan)


def _rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _saba(**child) -> dict:
    body = {
        "given_names": "ሳባ",
        "family_name": "ተስፋይ",
        "name_latin": "Saba Tesfay",
        "aliases": [{"full_name": "Sabrina", "note": "at the Ventimiglia border"}],
        "sex": "female",
        "birth_date": "2010-03-01",
        "nationality": "er",
        "languages": ["ti", "AR"],
        "identifiers": [{"scheme": "unhcr", "value": "UNHCR-IT-000123"}],
    }
    body.update(child)
    return {"child": body, "case": {"risk_level": "high", "guardian": "marco"}}


def test_registering_a_child_answers_201_with_the_case(people):
    response = api_as(people.giulia).post("/api/cases", _saba())
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(public_id=body["public_id"])
    assert body["reference"] == case.reference
    assert body["organisation"] == "it-cps-milano"
    assert body["risk_level"] == "high"
    assert body["caseworker"] == {
        "username": "giulia",
        "display_name": "Giulia",
        "organisation": "it-cps-milano",
    }
    assert body["guardian"]["username"] == "marco"
    assert body["guardian"]["organisation"] == "it-guardians"
    child = body["child"]
    assert child["public_id"] == str(case.child.public_id)
    assert (child["given_names"], child["name_latin"]) == ("ሳባ", "Saba Tesfay")
    assert child["nationality"] == "ER"
    assert child["languages"] == ["ti", "ar"]
    assert {(n["kind"], n["full_name"]) for n in child["names"]} >= {
        ("primary", "ሳባ ተስፋይ"),
        ("alias", "Sabrina"),
        ("transliteration", "Saba Tesfay"),
    }
    assert child["identifiers"] == [{"scheme": "unhcr", "value": "UNHCR-IT-000123", "issued_by": ""}]
    assert body["care_plan"]["needs"] == ""


def test_the_registered_child_can_be_found_by_an_alias(people):
    api = api_as(people.giulia)
    api.post("/api/cases", _saba())
    assert api.get("/api/cases", {"q": "Sabrina"}).json()["count"] == 1


TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

# (problem, child, field, status): 400 breaks the OpenAPI document, 422 a rule it cannot state.
BAD_CHILDREN = [
    ("unknown country code", {"nationality": "XX"}, "child.nationality", 422),
    ("unknown language code", {"languages": ["ti", "zz"]}, "child.languages", 422),
    ("birth date in the future", {"birth_date": TOMORROW}, "child.birth_date", 422),
    (
        "estimated birth date without the assessed range",
        {"birth_date": None, "birth_date_precision": "estimated", "assessed_age_min": 14},
        "child.assessed_age_min",
        422,
    ),
    ("no name and no alias", {"given_names": "", "family_name": "", "aliases": []}, "child.given_names", 422),
    ("an unknown field", {"eye_colour": "brown"}, "child.eye_colour", 400),
    ("an unknown sex", {"sex": "x"}, "child.sex", 400),
    ("a blank alias", {"aliases": [{"full_name": " "}]}, "child.aliases.0.full_name", 422),
    ("an empty alias", {"aliases": [{"full_name": ""}]}, "child.aliases.0.full_name", 400),
]


@pytest.mark.parametrize(
    ("problem", "child", "field", "status"), BAD_CHILDREN, ids=[b[0] for b in BAD_CHILDREN]
)
def test_bad_input_is_refused_by_field_and_nothing_is_saved(people, problem, child, field, status):
    api = api_as(people.giulia)
    before = _rows()
    response = api.post("/api/cases", _saba(**child))
    assert response.status_code == status, response.content
    body = response.json()
    assert body["detail"] == "invalid input"
    assert field in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    assert _rows() == before


def test_an_unknown_top_level_field_is_named(people):
    response = api_as(people.giulia).post("/api/cases", {**_saba(), "priority": "urgent"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"priority": ["Extra inputs are not permitted"]}


def test_a_refusal_inside_the_action_leaves_nothing_half_saved(people):
    # The caseworker is resolved after the child row is written: the whole registration rolls back.
    before = _rows()
    body = _saba()
    body["case"]["caseworker"] = "claire"  # not a colleague of giulia
    response = api_as(people.giulia).post("/api/cases", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "case.caseworker": ["'claire' is not an active user of your organisation"]
    }
    assert _rows() == before


def test_malformed_json_is_refused_with_its_position(people):
    before = _rows()
    response = api_as(people.giulia).post("/api/cases", raw='{"child": {"given_names": "Saba",}}')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("malformed JSON body")
    assert "column" in response.json()["detail"]
    assert _rows() == before


def test_a_probable_duplicate_is_a_409_until_confirmed(people):
    existing = create_case(
        people.giulia, given_names="Mohammed", family_name="Hossein", birth_date=dt.date(2009, 5, 1)
    )
    api = api_as(people.giulia)
    body = {"child": {"given_names": "Muhammad", "family_name": "Hussain", "birth_date": "2009-05-01"}}
    before = _rows()
    response = api.post("/api/cases", body)
    assert response.status_code == 409
    refused = response.json()
    assert refused["duplicates"] == [existing.reference]
    assert "confirm_not_duplicate" in refused["errors"]
    assert _rows() == before

    confirmed = api.post("/api/cases", {**body, "confirm_not_duplicate": True})
    assert confirmed.status_code == 201
    assert Case.objects.count() == before["Case"] + 1


def test_refused_to_the_wrong_person(people):
    # Immigration enforcement may never create a child record, and learns nothing from trying.
    before = _rows()
    response = api_as(people.ivan).post("/api/cases", _saba())
    assert response.status_code == 403
    assert response.json()["detail"] == "refused"
    assert _rows() == before
