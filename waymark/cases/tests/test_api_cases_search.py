"""GET /api/cases: search by any spelling or script, filters, pages — only what one may see."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from waymark.cases.tests.api_client import api_as
from waymark.test import create_case
from waymark.vocab import CaseStatus, MissingCategory, RiskLevel


def _references(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["reference"] for item in response.json()["items"]}


def test_a_latin_spelling_finds_the_child(people):
    muhammad = create_case(people.giulia, given_names="Muhammad", family_name="Hussain")
    create_case(people.giulia, given_names="Fatima", family_name="Ahmed")
    api = api_as(people.giulia)
    assert _references(api.get("/api/cases", {"q": "Mohamed Hossein"})) == {muhammad.reference}


def test_arabic_script_finds_a_child_registered_in_latin_and_back(people):
    latin = create_case(people.giulia, given_names="Khalid", family_name="Osman")
    arabic = create_case(people.giulia, given_names="فاطمة", family_name="")
    api = api_as(people.giulia)
    assert _references(api.get("/api/cases", {"q": "خالد"})) == {latin.reference}
    assert _references(api.get("/api/cases", {"q": "Fatimah"})) == {arabic.reference}


def test_a_summary_names_the_child_and_uses_public_ids(people):
    case = create_case(people.giulia, given_names="Saba", family_name="Tesfay", nationality="ER")
    item = api_as(people.giulia).get("/api/cases").json()["items"][0]
    assert item["public_id"] == str(case.public_id)
    assert item["organisation"] == "it-cps-milano"
    assert item["child"]["public_id"] == str(case.child.public_id)
    assert item["child"]["given_names"] == "Saba"
    assert item["child"]["nationality"] == "ER"
    assert "id" not in item and "id" not in item["child"]


def test_filters_narrow_the_result(people):
    missing = create_case(
        people.giulia,
        given_names="Yonas",
        case={"status": CaseStatus.MISSING, "missing_category": MissingCategory.UNACCOMPANIED_MIGRANT},
    )
    high = create_case(people.giulia, given_names="Amina", case={"risk_level": RiskLevel.HIGH})
    create_case(people.giulia, given_names="Omar")
    api = api_as(people.giulia)
    assert _references(api.get("/api/cases", {"status": "missing"})) == {missing.reference}
    assert _references(api.get("/api/cases", {"risk_level": "high"})) == {high.reference}
    assert _references(api.get("/api/cases", {"missing_category": "unaccompanied_migrant"})) == {
        missing.reference
    }
    assert _references(api.get("/api/cases", {"organisation": "fr-ngo-calais"})) == set()
    assert len(_references(api.get("/api/cases", {"organisation": "it-cps-milano"}))) == 3


def test_an_unknown_filter_value_is_a_field_error(people):
    response = api_as(people.giulia).get("/api/cases", {"status": "lost", "risk_level": "extreme"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "risk_level"}


def test_pages_are_newest_first_and_count_everything(people):
    cases = [
        create_case(people.giulia, given_names=name) for name in ("Abel", "Berhe", "Dawit", "Eden", "Filmon")
    ]
    api = api_as(people.giulia)
    body = api.get("/api/cases", {"limit": 2, "offset": 1}).json()
    assert body["count"] == 5
    newest_first = [c.reference for c in reversed(cases)]
    assert [i["reference"] for i in body["items"]] == newest_first[1:3]
    assert api.get("/api/cases", {"offset": 4}).json()["items"][0]["reference"] == newest_first[4]


def test_a_page_holds_25_by_default_and_at_most_100(people):
    for n in range(27):
        create_case(people.giulia, given_names=f"Child{n}")
    api = api_as(people.giulia)
    body = api.get("/api/cases").json()
    assert (body["count"], len(body["items"])) == (27, 25)
    response = api.get("/api/cases", {"limit": 101})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]
    assert api.get("/api/cases", {"limit": 0}).status_code == 400


def test_the_number_of_queries_does_not_grow_with_the_page(people):
    api = api_as(people.giulia)
    for n in range(2):
        create_case(people.giulia, given_names=f"Child{n}")
    api.get("/api/cases")  # the token's first use writes last_used_at; the audit log's head is created
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/cases").json()["items"]) == 2
    for n in range(2, 12):
        create_case(people.giulia, given_names=f"Child{n}")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/cases").json()["items"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_refused_to_the_wrong_person(people):
    create_case(people.giulia, given_names="Muhammad", family_name="Hussain")
    for outsider in (people.claire, people.ivan, people.luc):
        body = api_as(outsider).get("/api/cases", {"q": "Muhammad"}).json()
        assert body == {"count": 0, "count_capped": False, "items": []}, outsider.username
        assert api_as(outsider).get("/api/cases").json()["count"] == 0


def test_the_childs_guardian_sees_the_case_from_another_organisation(people):
    case = create_case(people.giulia, given_names="Aziza", case={"guardian": "marco"})
    create_case(people.giulia, given_names="Samir")
    assert _references(api_as(people.marco).get("/api/cases")) == {case.reference}
