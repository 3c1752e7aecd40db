"""A case over the API: its detail, PATCH of case fields, the child (GET/PUT) and aliases."""

from __future__ import annotations

import datetime as dt

from waymark.cases.models import Case, ChildName
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case


def test_the_detail_holds_identity_case_and_care_plan(people):
    case = create_case(
        people.giulia,
        given_names="Khalid",
        family_name="Osman",
        birth_date=dt.date(2009, 1, 1),
        nationality="SD",
        identifiers=[{"scheme": "national", "value": "MI-2024-77"}],
        aliases=[{"full_name": "خالد عثمان"}],
        case={"guardian": "marco", "risk_reasons": "Contacted by a smuggler"},
    )
    body = api_as(people.giulia).get(case_url(case)).json()
    assert body["public_id"] == str(case.public_id)
    assert body["risk_reasons"] == "Contacted by a smuggler"
    assert body["guardian"] == {"username": "marco", "display_name": "Marco", "organisation": "it-guardians"}
    assert body["child"]["birth_date"] == "2009-01-01"
    assert ("alias", "خالد عثمان") in {(n["kind"], n["full_name"]) for n in body["child"]["names"]}
    assert body["child"]["identifiers"][0]["value"] == "MI-2024-77"
    assert set(body["care_plan"]) >= {"needs", "objectives", "services", "responsible", "review_date"}


def test_an_unknown_or_malformed_id_is_the_same_404(people):
    api = api_as(people.giulia)
    unknown = api.get("/api/cases/00000000-0000-4000-8000-000000000000")
    malformed = api.get("/api/cases/not-a-uuid")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json() == malformed.json() == {"detail": "not found", "errors": {}}


def test_patch_changes_only_the_fields_sent(people):
    case = create_case(people.giulia, case={"risk_level": "high", "guardian": "marco"})
    api = api_as(people.giulia)
    response = api.patch(case_url(case), {"status": "missing", "missing_category": "runaway"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["missing_category"], body["risk_level"]) == ("missing", "runaway", "high")
    assert body["guardian"]["username"] == "marco"
    # The status change is on the timeline.
    assert any("Missing" in e.summary_text for e in case.events.all())  # sealed: not searchable in SQL


def test_patch_with_null_clears_a_person(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    body = api_as(people.giulia).patch(case_url(case), {"guardian": None}).json()
    assert body["guardian"] is None


def test_patch_is_validated_with_the_case_as_a_whole(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    response = api.patch(case_url(case), {"status": "missing"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["missing_category"]
    response = api.patch(case_url(case), {"guardian": "giulia"})  # not a guardian
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["guardian"]
    assert Case.objects.get(pk=case.pk).status == "open"


def test_the_child_round_trips_and_aliases_are_kept(people):
    case = create_case(people.giulia, given_names="Mohamed", aliases=[{"full_name": "Hamid"}])
    api = api_as(people.giulia)
    child = api.get(case_url(case, "/child")).json()
    assert child["given_names"] == "Mohamed"
    response = api.put(
        case_url(case, "/child"),
        {"given_names": "محمد", "family_name": "حسين", "name_latin": "Mohamed Hussein", "nationality": "SD"},
    )
    assert response.status_code == 200, response.content
    updated = response.json()
    assert (updated["given_names"], updated["nationality"]) == ("محمد", "SD")
    assert ("alias", "Hamid") in {(n["kind"], n["full_name"]) for n in updated["names"]}
    assert api.get(case_url(case, "/child")).json() == updated


def test_put_child_is_validated_by_field(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).put(
        case_url(case, "/child"), {"given_names": "Ali", "nationality": "ZZ"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["nationality"]


def test_an_alias_is_added_and_searchable(people):
    case = create_case(people.giulia, given_names="Yonas")
    api = api_as(people.giulia)
    response = api.post(case_url(case, "/aliases"), {"full_name": "ዮናስ", "note": "written by the child"})
    assert response.status_code == 201
    assert response.json() == {"kind": "alias", "full_name": "ዮናስ", "note": "written by the child"}
    assert api.get("/api/cases", {"q": "ዮናስ"}).json()["count"] == 1
    assert api.post(case_url(case, "/aliases"), {"full_name": ""}).json()["errors"].keys() == {"full_name"}


def test_refused_to_the_wrong_person(people):
    case = create_case(people.giulia)
    names_before = ChildName.objects.count()
    for outsider in (people.claire, people.ivan, people.luc):
        api = api_as(outsider)
        assert api.get(case_url(case)).status_code == 404
        assert api.patch(case_url(case), {"risk_level": "low"}).status_code == 404
        assert api.get(case_url(case, "/child")).status_code == 404
        assert api.put(case_url(case, "/child"), {"given_names": "X"}).status_code == 404
        assert api.post(case_url(case, "/aliases"), {"full_name": "X"}).status_code == 404
    assert Case.objects.get(pk=case.pk).risk_level == "medium"
    assert ChildName.objects.count() == names_before
