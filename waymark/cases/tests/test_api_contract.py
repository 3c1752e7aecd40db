"""The API says what it demands (issue 9, "API fuzzing in CI"): the OpenAPI document declares the
Waymark-Purpose header and short operation ids; what breaks the document is a 400, what conforms
to it but breaks a rule it cannot state is a 422, documented on the operation."""

from __future__ import annotations

import pytest
from django.test import Client

from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case
from waymark.vocab import Purpose

OPERATION_IDS = {
    ("get", "/api/cases"): "listCases",
    ("post", "/api/cases"): "registerChild",
    ("get", "/api/cases/{public_id}"): "getCase",
    ("patch", "/api/cases/{public_id}"): "updateCase",
    ("get", "/api/cases/{public_id}/child"): "getChild",
    ("put", "/api/cases/{public_id}/child"): "replaceChild",
    ("post", "/api/cases/{public_id}/aliases"): "addAlias",
    ("get", "/api/cases/{public_id}/events"): "listEvents",
    ("post", "/api/cases/{public_id}/events"): "addEvent",
    ("get", "/api/cases/{public_id}/care-plan"): "getCarePlan",
    ("put", "/api/cases/{public_id}/care-plan"): "replaceCarePlan",
    ("get", "/api/cases/{public_id}/consents"): "listConsents",
    ("post", "/api/cases/{public_id}/consents"): "recordConsent",
    ("post", "/api/cases/{public_id}/consents/{consent_id}/withdraw"): "withdrawConsent",
    ("get", "/api/cases/{public_id}/accounts"): "listAccounts",
    ("post", "/api/cases/{public_id}/accounts"): "recordAccount",
    ("get", "/api/cases/{public_id}/take-charge-requests"): "listTakeChargeRequests",
    ("post", "/api/cases/{public_id}/take-charge-requests"): "recordTakeChargeRequest",
    ("post", "/api/cases/{public_id}/age-assessments"): "recordAgeAssessment",
    ("post", "/api/cases/{public_id}/age-assessments/{assessment_id}/challenges"): "challengeAgeAssessment",
    (
        "post",
        "/api/cases/{public_id}/age-assessments/{assessment_id}/challenges/outcome",
    ): "decideAgeChallenge",
    ("get", "/api/cases/{public_id}/best-interests"): "listBestInterests",
    ("post", "/api/cases/{public_id}/best-interests"): "recordBestInterests",
    ("post", "/api/cases/{public_id}/best-interests/{record_id}/approval"): "approveDetermination",
    ("get", "/api/cases/{public_id}/guardian-contacts"): "listGuardianContacts",
    ("post", "/api/cases/{public_id}/guardian-contacts"): "logGuardianContact",
    ("get", "/api/cases/{public_id}/relatives"): "listRelatives",
    ("post", "/api/cases/{public_id}/relatives"): "addRelative",
    ("patch", "/api/cases/{public_id}/relatives/{relative_id}"): "updateRelative",
    ("post", "/api/cases/{public_id}/relatives/{relative_id}/guardian-agreement"): "recordGuardianAgreement",
    ("post", "/api/cases/{public_id}/relatives/{relative_id}/confirmation"): "confirmFamilyLink",
    ("get", "/api/cases/{public_id}/reunification-plans"): "listReunificationPlans",
    ("post", "/api/cases/{public_id}/reunification-plans"): "recordReunificationPlan",
    ("patch", "/api/cases/{public_id}/reunification-plans/{plan_id}"): "updateReunificationPlan",
    ("get", "/api/guardian/wards"): "listMyWards",
    ("get", "/api/guardian-appointments"): "listAwaitingGuardian",
    ("post", "/api/cases/{public_id}/alerts"): "sendMissingAlert",
    ("get", "/api/cases/{public_id}/alerts"): "listAlertRecipients",
    ("post", "/api/cases/{public_id}/found"): "closeFound",
    ("get", "/api/alerts/{alert_id}"): "getAlert",
    ("post", "/api/alerts/{alert_id}/seen"): "markAlertSeen",
    ("post", "/api/alerts/{alert_id}/sightings"): "reportSighting",
    ("post", "/api/alerts/{alert_id}/found"): "reportFound",
    ("post", "/api/missing"): "reportDisappearance",
    ("get", "/api/missing"): "missingBoard",
    ("get", "/api/missing/{disappearance_id}"): "getDisappearance",
    ("put", "/api/missing/{disappearance_id}/risk"): "assessRisk",
    ("post", "/api/missing/{disappearance_id}/steps/{key}/done"): "markStepDone",
    ("post", "/api/police/alerts"): "requestPoliceAlert",
    ("get", "/api/police/alerts/{alert_id}"): "getPoliceAlert",
    ("post", "/api/police/alerts/{alert_id}/transition"): "advancePoliceAlert",
    ("post", "/api/police/requests"): "askSireneRequest",
    ("get", "/api/police/requests/{request_id}"): "getSireneRequest",
    ("post", "/api/police/requests/{request_id}/answer"): "answerSireneRequest",
    ("post", "/api/hotline/lookup"): "lookupForCall",
    ("post", "/api/hotline/calls/attach"): "recordCallOnCase",
    ("post", "/api/hotline/calls/pass"): "passCall",
    ("post", "/api/hotline/calls/sighting"): "passCallAsSighting",
    ("post", "/api/hotline/calls/new-case"): "recordCallNewCase",
    ("get", "/api/hotline/calls/{call_id}"): "getCall",
    ("post", "/api/hotline/calls/{call_id}/hand-over"): "handCallToHotline",
    ("post", "/api/cases/{public_id}/alerts/update"): "updateMissingAlerts",
    ("post", "/api/cases/{public_id}/alerts/withdraw"): "withdrawMissingAlerts",
    ("post", "/api/cases/{public_id}/disappearance/close"): "closeDisappearance",
    ("get", "/api/threads"): "listThreads",
    ("get", "/api/cases/{public_id}/threads"): "listCaseThreads",
    ("post", "/api/cases/{public_id}/referrals"): "sendReferral",
    ("get", "/api/referrals/{thread_id}"): "getReferral",
    ("post", "/api/referrals/{thread_id}/accept"): "acceptReferral",
    ("post", "/api/referrals/{thread_id}/reject"): "rejectReferral",
    ("post", "/api/referrals/{thread_id}/done"): "completeReferral",
    ("post", "/api/referrals/{thread_id}/revoke"): "revokeReferral",
    ("post", "/api/cases/{public_id}/transfers"): "offerTransfer",
    ("get", "/api/transfers/{thread_id}"): "getTransfer",
    ("post", "/api/transfers/{thread_id}/accept"): "acceptTransfer",
    ("post", "/api/transfers/{thread_id}/reject"): "rejectTransfer",
    ("post", "/api/cases/{public_id}/information-requests"): "requestInformation",
    ("get", "/api/information-requests/{thread_id}"): "getInformationRequest",
    ("post", "/api/information-requests/{thread_id}/answer"): "answerInformationRequest",
    ("post", "/api/cases/{public_id}/guardian-handovers"): "sendGuardianHandover",
    ("get", "/api/guardian-handovers/{thread_id}"): "getGuardianHandover",
    ("post", "/api/guardian-handovers/{thread_id}/acknowledge"): "acknowledgeGuardianHandover",
    ("post", "/api/guardian-handovers/{thread_id}/assign"): "assignIncomingGuardian",
    ("post", "/api/cases/{public_id}/tracing-requests"): "requestTracing",
    ("get", "/api/tracing-requests/{thread_id}"): "getTracingRequest",
    ("post", "/api/tracing-requests/{thread_id}/progress"): "sendTracingProgress",
    ("post", "/api/tracing-requests/{thread_id}/result"): "sendTracingResult",
    ("post", "/api/tracing-requests/{thread_id}/withdraw"): "withdrawTracingRequest",
    ("post", "/api/cases/{public_id}/take-charge-requests/{request_id}/send"): "sendTakeChargeRequest",
    ("get", "/api/take-charge-threads/{thread_id}"): "getTakeChargeThread",
    ("post", "/api/take-charge-threads/{thread_id}/reply"): "replyTakeChargeRequest",
}


def _operations(doc):
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


@pytest.fixture
def doc(db):
    return Client().get("/api/openapi.json").json()


def test_every_operation_declares_the_purpose_header_with_the_purpose_enum(doc):
    for method, path, operation in _operations(doc):
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [h["name"] for h in headers] == ["Waymark-Purpose"], (method, path)
        assert headers[0]["required"] is True
        assert headers[0]["schema"] == {"type": "string", "enum": Purpose.values}


def test_every_operation_has_a_short_stable_id(doc):
    assert {(m, p): op["operationId"] for m, p, op in _operations(doc)} == OPERATION_IDS


def test_every_operation_documents_refusals_and_writes_document_their_rules(doc):
    for method, path, operation in _operations(doc):
        assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)
        if method != "get":
            assert "422" in operation["responses"], (method, path)
            assert operation["responses"]["422"]["description"] != "Unprocessable Entity", (method, path)


def test_the_consent_purpose_excludes_immigration_enforcement_in_the_document(doc):
    schema = doc["components"]["schemas"]["ConsentIn"]["properties"]["purpose"]
    assert "immigration_enforcement" not in schema["enum"]
    assert set(schema["enum"]) == set(Purpose.values) - {"immigration_enforcement"}


def test_the_document_states_the_bounds_of_the_assessed_age(doc):
    age = doc["components"]["schemas"]["ChildIn"]["properties"]["assessed_age_min"]["anyOf"][0]
    assert age == {"type": "integer", "minimum": 0, "maximum": 25}


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("/events", {"type": "note", "summary": "x", "occurred_at": 0}, "occurred_at"),
        ("/care-plan", {"review_date": 0}, "review_date"),
        (
            "/consents",
            {"recipient_org": "fr-ngo-calais", "purpose": "child_protection", "categories": ["identity"]}
            | {"valid_from": 0},
            "valid_from",
        ),
        ("/child", {"given_names": "Ali", "birth_date": 0}, "birth_date"),
        ("/events", {"type": "note", "summary": "x", "occurred_at": "2026-01-01"}, "occurred_at"),
        ("/events", {"type": "note", "summary": "x", "occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ("/care-plan", {"review_date": "2026-01-01T00:00:00Z"}, "review_date"),
    ],
    ids=[
        "occurred_at=0",
        "review_date=0",
        "valid_from=0",
        "birth_date=0",
        "a date for a date-time",
        "a date-time without offset",
        "a date-time for a date",
    ],
)
def test_an_integer_or_a_loose_string_is_not_a_date(people, suffix, body, field):
    case = create_case(people.giulia)
    method = "post" if suffix in ("/events", "/consents") else "put"
    response = getattr(api_as(people.giulia), method)(case_url(case, suffix), body)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("method", "suffix", "body", "field"),
    [
        ("post", "", {"child": {"given_names": "", "family_name": ""}}, "child.given_names"),
        ("post", "", {"child": {"given_names": "Ali", "nationality": "ZZ"}}, "child.nationality"),
        ("post", "", {"child": {"given_names": "Ali"}, "case": {"caseworker": "claire"}}, "case.caseworker"),
        ("patch", "/", {"status": "missing"}, "missing_category"),
        ("put", "/care-plan", {"responsible": "claire"}, "responsible"),
        ("post", "/events", {"type": "note", "summary": "   "}, "summary"),
        ("post", "/aliases", {"full_name": " "}, "full_name"),
    ],
    ids=[
        "no name",
        "unknown country",
        "a caseworker of another organisation",
        "missing without a category",
        "a responsible user of another organisation",
        "a blank summary",
        "a blank alias",
    ],
)
def test_a_rule_the_document_cannot_state_is_a_422_naming_the_field(people, method, suffix, body, field):
    case = create_case(people.giulia)
    path = "/api/cases" if suffix == "" else case_url(case, suffix.rstrip("/"))
    response = getattr(api_as(people.giulia), method)(path, body)
    assert response.status_code == 422, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unaccompanied": 0}, "unaccompanied"),
        ({"separated": "true"}, "separated"),
    ],
    ids=["0 for false", "a string for true"],
)
def test_a_boolean_is_true_or_false(people, body, field):
    case = create_case(people.giulia)
    response = api_as(people.giulia).patch(case_url(case), body)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(("age", "status"), [("14", 400), (14.5, 400), (True, 400), (14.0, 200)])
def test_an_integer_is_a_json_integer(people, age, status):
    """JSON Schema's integer: 14.0 is one; "14", 14.5 and true are not (pydantic took "14" and true)."""
    case = create_case(people.giulia)
    child = {"given_names": "Ali", "birth_date_precision": "estimated", "assessed_age_min": age}
    response = api_as(people.giulia).put(case_url(case, "/child"), child | {"assessed_age_max": 16})
    assert response.status_code == status, response.content
    if status == 400:
        assert list(response.json()["errors"]) == ["assessed_age_min"]
    else:
        assert response.json()["assessed_age_min"] == 14


def test_an_empty_required_text_breaks_the_document_and_is_a_400(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(case_url(case, "/events"), {"type": "note", "summary": ""})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["summary"]


def test_a_text_is_measured_as_sent_before_it_is_trimmed(people):
    """The document's maxLength applies to what the client sends: 300 characters of summary plus
    spaces around them is too long, as the document says, not trimmed into compliance."""
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(
        case_url(case, "/events"), {"type": "note", "summary": " " + "x" * 300 + " "}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["summary"]
    ok = api_as(people.giulia).post(case_url(case, "/events"), {"type": "note", "summary": "  Seen  "})
    assert ok.status_code == 201 and ok.json()["summary"] == "Seen"


@pytest.mark.parametrize(
    ("method", "suffix", "body", "field"),
    [
        ("put", "/child", {"given_names": "A\x00li"}, "given_names"),
        ("post", "/aliases", {"full_name": "A\x00li"}, "full_name"),
        ("patch", "", {"caseworker": "gi\x00ulia"}, "caseworker"),
        ("post", "/events", {"type": "note", "summary": "Seen", "location": "Milano\x00"}, "location"),
        ("put", "/child", {"given_names": "Ali", "languages": ["a\x00r"]}, "languages.0"),
    ],
    ids=["a name", "an alias", "a username", "a location", "a language"],
)
def test_a_nul_character_breaks_the_document_and_is_a_400(people, method, suffix, body, field):
    """PostgreSQL cannot store U+0000 in text (it was a 500 there); the document says so with a
    pattern on every text."""
    case = create_case(people.giulia)
    response = getattr(api_as(people.giulia), method)(case_url(case, suffix), body)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("param", ["q", "organisation"])
def test_a_nul_character_in_a_search_is_a_400(people, param):
    response = api_as(people.giulia).get("/api/cases", {param: "a\x00"})
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [param]


def test_a_lone_surrogate_is_malformed_json(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).put(case_url(case, "/child"), raw='{"given_names": "A\\ud800li"}')
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("malformed JSON body")


def test_who_gave_consent_is_bounded_by_its_column(people):
    """The document said 200 characters, the column holds 100: on PostgreSQL a 500 (the fuzzer)."""
    case = create_case(people.giulia)
    consent = {"recipient_org": "fr-ngo-calais", "purpose": "child_protection", "categories": ["identity"]}
    consent |= {"valid_from": "2026-01-01", "given_by": "x" * 101}
    response = api_as(people.giulia).post(case_url(case, "/consents"), consent)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["given_by"]


@pytest.mark.parametrize(
    ("schema", "model"),
    [
        ("ChildIn", "Child"),
        ("AliasIn", "ChildName"),
        ("IdentifierIn", "Identifier"),
        ("EventIn", "Event"),
        ("ConsentIn", "Consent"),
    ],
)
def test_no_text_the_document_allows_is_longer_than_its_column(doc, schema, model):
    from django.apps import apps

    columns = {
        f.name: f.max_length
        for f in apps.get_model("cases", model)._meta.get_fields()
        if getattr(f, "max_length", None)
    }
    # A validator turns what is sent into a two-letter code, or refuses it (a friendlier message
    # for "Eritrea" than a length).
    normalised = {"nationality"}
    for name, prop in doc["components"]["schemas"][schema]["properties"].items():
        text = next((p for p in [prop, *prop.get("anyOf", [])] if p.get("type") == "string"), None)
        if name in columns and name not in normalised and text is not None and "enum" not in text:
            assert text.get("maxLength", 10**9) <= columns[name], (schema, name)


def test_the_document_holds_each_key_once(client):
    """Responses declared in two places (the 422 rules) are merged: Swagger UI refuses a JSON
    object with a key twice ("duplicated mapping key"), and the docs page would show nothing."""
    import json

    doubled: list[str] = []

    def once(pairs):
        keys = [k for k, _ in pairs]
        doubled.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    document = json.loads(client.get("/api/openapi.json").content, object_pairs_hook=once)
    assert doubled == []
    rules = document["paths"]["/api/cases"]["post"]["responses"]["422"]
    assert "content" in rules and "given_names" in rules["description"]


def test_every_field_redaction_may_withhold_is_nullable_in_the_document():
    """What ``redact`` blanks (``None``, or ``[]`` for a list) must be a value the document
    allows — an event's ``location`` withheld from a caller who may not see contact and location
    data was ``null`` against a schema saying "string" (the PostgreSQL fuzzer run found it)."""
    from pydantic import TypeAdapter, ValidationError

    from waymark.cases.redaction import FIELD_MAP

    cannot_be_withheld = []
    for model, fields in FIELD_MAP.items():
        for name in fields:
            annotation = model.model_fields[name].annotation
            blank: list[object] | None = [] if getattr(annotation, "__origin__", None) is list else None
            try:
                TypeAdapter[object](annotation).validate_python(blank)  # type: ignore[arg-type]
            except ValidationError:
                cannot_be_withheld.append(f"{model.__name__}.{name}")
    assert cannot_be_withheld == []
