"""The care plan over the API: read, replace, refuse strangers."""

from __future__ import annotations

from waymark.cases.models import CarePlan
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case, days_ago


def test_a_care_plan_round_trips(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    plan = {
        "needs": "Trauma-informed counselling; Tigrinya interpreter",
        "objectives": "Family tracing with the Red Cross",
        "services": "School enrolment",
        "responsible": "sara",
        "review_date": days_ago(-30).isoformat(),
    }
    response = api.put(case_url(case, "/care-plan"), plan)
    assert response.status_code == 200, response.content
    got = api.get(case_url(case, "/care-plan")).json()
    assert got == response.json()
    assert {k: got[k] for k in ("needs", "objectives", "services", "review_date")} == {
        k: plan[k] for k in ("needs", "objectives", "services", "review_date")
    }
    assert got["responsible"] == {"username": "sara", "display_name": "Sara", "organisation": "it-cps-milano"}
    assert got["updated_by"]["username"] == "giulia"
    assert api.get(case_url(case)).json()["care_plan"] == got


def test_put_replaces_every_field(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    api.put(case_url(case, "/care-plan"), {"needs": "Shelter", "services": "Legal aid"})
    got = api.put(case_url(case, "/care-plan"), {"needs": "Shelter"}).json()
    assert (got["needs"], got["services"]) == ("Shelter", "")


def test_the_responsible_person_must_be_a_colleague(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).put(
        case_url(case, "/care-plan"), {"needs": "x", "responsible": "claire"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["responsible"]
    assert CarePlan.objects.get(case=case).needs == ""


def test_refused_to_the_wrong_person(people):
    case = create_case(people.giulia)
    for outsider in (people.claire, people.ivan, people.luc):
        api = api_as(outsider)
        assert api.get(case_url(case, "/care-plan")).status_code == 404
        assert api.put(case_url(case, "/care-plan"), {"needs": "nothing"}).status_code == 404
    assert CarePlan.objects.get(case=case).needs == ""
