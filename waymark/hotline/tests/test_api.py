"""The hotline intake API: look a child up, record a call on a case, open a new case (409 for a
probable duplicate), read a call; refused to the wrong role and purpose, bad input named."""

from __future__ import annotations

from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as
from waymark.hotline.models import Call
from waymark.test import create_case, share
from waymark.vocab import Purpose

from .helpers import LOCATE, create_hotline

CALL = {"relationship": "parent", "child_name": "Samir Haddad", "known": "He phoned his mother (fictional)"}


def test_lookup_then_record_the_call_on_the_case(people):
    hotline = create_hotline(people)
    case = create_case(people.giulia, given_names="Samir", family_name="Haddad")
    share(case, hotline.org, LOCATE, missing=True)
    api = api_as(hotline.elena, purpose=LOCATE)
    found = api.post("/api/hotline/lookup", {"child_name": "Samir Hadad"}).json()
    assert [c["reference"] for c in found["cases"]] == [case.reference] and found["held_by"] == []
    made = api.post("/api/hotline/calls/attach", {"call": CALL, "case": str(case.public_id)})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["outcome"] == "attached" and body["known"] == CALL["known"]
    assert body["case"] is None  # a partner's case: the answer does not name it
    assert api.get(f"/api/hotline/calls/{body['call_id']}").json()["call_id"] == body["call_id"]


def test_a_new_case_and_a_probable_duplicate(people):
    hotline = create_hotline(people)
    api = api_as(hotline.elena, purpose=LOCATE)
    first = api.post("/api/hotline/calls/new-case", {"call": CALL, "missing_category": "runaway"})
    assert first.status_code == 201, first.json()
    case = Case.objects.get(organisation=hotline.org)
    assert first.json()["case"] == {"public_id": str(case.public_id), "reference": case.reference}
    again = api.post("/api/hotline/calls/new-case", {"call": CALL})
    assert again.status_code == 409 and Call.objects.count() == 1
    confirmed = api.post("/api/hotline/calls/new-case", {"call": CALL, "confirm_not_duplicate": True})
    assert confirmed.status_code == 201


def test_refused_to_the_wrong_person_and_purpose_and_bad_input_named(people):
    hotline = create_hotline(people)
    assert (
        api_as(people.giulia, purpose=LOCATE).post("/api/hotline/lookup", {"child_name": "x"}).status_code
        == 403
    )
    assert (
        api_as(hotline.elena, purpose=Purpose.CHILD_PROTECTION)
        .post("/api/hotline/lookup", {"child_name": "x"})
        .status_code
        == 403
    )
    assert (
        api_as(hotline.elena, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
        .post("/api/hotline/lookup", {"child_name": "x"})
        .status_code
        == 403
    )
    api = api_as(hotline.elena, purpose=LOCATE)
    future = api.post("/api/hotline/calls/new-case", {"call": {**CALL, "seen_at": "2099-01-01T00:00:00Z"}})
    assert future.status_code == 422 and "call.seen_at" in future.json()["errors"]
    unseen = create_case(people.giulia)
    refused = api.post("/api/hotline/calls/attach", {"call": CALL, "case": str(unseen.public_id)})
    assert refused.status_code == 422 and "case" in refused.json()["errors"]
    nobody = api.post("/api/hotline/calls/pass", {"call": CALL, "to_org": "fr-ngo-calais"})
    assert nobody.status_code == 422 and "to_org" in nobody.json()["errors"]
    assert not Call.objects.exists()


def test_the_hotlines_schemas_do_not_replace_the_alerts_in_the_document(client):
    # Found by the fuzzer: a second "SightingIn" made the alert's sighting operation document the
    # call's body (ninja names components after the class).
    doc = client.get("/api/openapi.json").json()
    ref = doc["paths"]["/api/alerts/{alert_id}/sightings"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["$ref"]
    assert "place" in doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
