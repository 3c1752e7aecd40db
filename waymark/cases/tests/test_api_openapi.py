"""The OpenAPI document describes the API (and is what the deny-by-default test walks)."""

from __future__ import annotations

from django.test import Client

EXPECTED = {
    "/api/cases": {"get", "post"},
    "/api/cases/{public_id}": {"get", "patch"},
    "/api/cases/{public_id}/child": {"get", "put"},
    "/api/cases/{public_id}/aliases": {"post"},
    "/api/cases/{public_id}/events": {"get", "post"},
    "/api/cases/{public_id}/care-plan": {"get", "put"},
    "/api/cases/{public_id}/consents": {"get", "post"},
    "/api/cases/{public_id}/consents/{consent_id}/withdraw": {"post"},
    "/api/cases/{public_id}/accounts": {"get", "post"},
    "/api/cases/{public_id}/take-charge-requests": {"get", "post"},
    "/api/cases/{public_id}/age-assessments": {"post"},
    "/api/cases/{public_id}/age-assessments/{assessment_id}/challenges": {"post"},
    "/api/cases/{public_id}/age-assessments/{assessment_id}/challenges/outcome": {"post"},
    "/api/cases/{public_id}/best-interests": {"get", "post"},
    "/api/cases/{public_id}/best-interests/{record_id}/approval": {"post"},
    "/api/cases/{public_id}/guardian-contacts": {"get", "post"},
    "/api/cases/{public_id}/relatives": {"get", "post"},
    "/api/cases/{public_id}/relatives/{relative_id}": {"patch"},
    "/api/cases/{public_id}/relatives/{relative_id}/guardian-agreement": {"post"},
    "/api/cases/{public_id}/relatives/{relative_id}/confirmation": {"post"},
    "/api/cases/{public_id}/reunification-plans": {"get", "post"},
    "/api/cases/{public_id}/reunification-plans/{plan_id}": {"patch"},
    "/api/guardian/wards": {"get"},
    "/api/guardian-appointments": {"get"},
    "/api/police/alerts": {"post"},
    "/api/police/alerts/{alert_id}": {"get"},
    "/api/police/alerts/{alert_id}/transition": {"post"},
    "/api/police/requests": {"post"},
    "/api/police/requests/{request_id}": {"get"},
    "/api/police/requests/{request_id}/answer": {"post"},
    "/api/hotline/lookup": {"post"},
    "/api/hotline/calls/attach": {"post"},
    "/api/hotline/calls/pass": {"post"},
    "/api/hotline/calls/sighting": {"post"},
    "/api/hotline/calls/new-case": {"post"},
    "/api/hotline/calls/{call_id}": {"get"},
    "/api/hotline/calls/{call_id}/hand-over": {"post"},
    "/api/cases/{public_id}/alerts": {"get", "post"},
    "/api/cases/{public_id}/found": {"post"},
    "/api/alerts/{alert_id}": {"get"},
    "/api/alerts/{alert_id}/seen": {"post"},
    "/api/alerts/{alert_id}/sightings": {"post"},
    "/api/alerts/{alert_id}/found": {"post"},
    "/api/missing": {"get", "post"},
    "/api/missing/{disappearance_id}": {"get"},
    "/api/missing/{disappearance_id}/risk": {"put"},
    "/api/missing/{disappearance_id}/steps/{key}/done": {"post"},
    "/api/cases/{public_id}/alerts/update": {"post"},
    "/api/cases/{public_id}/alerts/withdraw": {"post"},
    "/api/cases/{public_id}/disappearance/close": {"post"},
    "/api/threads": {"get"},
    "/api/cases/{public_id}/threads": {"get"},
    "/api/cases/{public_id}/referrals": {"post"},
    "/api/referrals/{thread_id}": {"get"},
    "/api/referrals/{thread_id}/accept": {"post"},
    "/api/referrals/{thread_id}/reject": {"post"},
    "/api/referrals/{thread_id}/done": {"post"},
    "/api/referrals/{thread_id}/revoke": {"post"},
    "/api/cases/{public_id}/transfers": {"post"},
    "/api/transfers/{thread_id}": {"get"},
    "/api/transfers/{thread_id}/accept": {"post"},
    "/api/transfers/{thread_id}/reject": {"post"},
    "/api/cases/{public_id}/information-requests": {"post"},
    "/api/information-requests/{thread_id}": {"get"},
    "/api/information-requests/{thread_id}/answer": {"post"},
    "/api/cases/{public_id}/guardian-handovers": {"post"},
    "/api/guardian-handovers/{thread_id}": {"get"},
    "/api/guardian-handovers/{thread_id}/acknowledge": {"post"},
    "/api/guardian-handovers/{thread_id}/assign": {"post"},
    "/api/cases/{public_id}/tracing-requests": {"post"},
    "/api/tracing-requests/{thread_id}": {"get"},
    "/api/tracing-requests/{thread_id}/progress": {"post"},
    "/api/tracing-requests/{thread_id}/result": {"post"},
    "/api/tracing-requests/{thread_id}/withdraw": {"post"},
    "/api/cases/{public_id}/take-charge-requests/{request_id}/send": {"post"},
    "/api/take-charge-threads/{thread_id}": {"get"},
    "/api/take-charge-threads/{thread_id}/reply": {"post"},
}


def test_the_document_is_openapi_3_and_lists_every_path(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Waymark API"
    assert {path: set(ops) for path, ops in doc["paths"].items()} == EXPECTED


def test_every_operation_declares_bearer_auth_and_json_errors(db):
    doc = Client().get("/api/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert operation["security"], (method, path)
            assert {"401", "404"} <= set(operation["responses"]), (method, path)
    assert "ErrorOut" in doc["components"]["schemas"]


def test_the_interactive_docs_are_served(people):
    client = Client()
    client.force_login(people.giulia)  # to logged-in users only (test_finding_6_api_docs.py)
    assert client.get("/api/docs").status_code == 200
