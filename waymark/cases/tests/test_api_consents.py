"""Consents over the API: record, list, never for immigration enforcement."""

from __future__ import annotations

from waymark.cases.models import Consent
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case, days_ago

CONSENT = {
    "recipient_org": "fr-ngo-calais",
    "recipient_name": "Association Refuge Calais",
    "purpose": "family_tracing",
    "categories": ["identity", "family"],
    "valid_from": days_ago(0).isoformat(),
    "valid_until": days_ago(-90).isoformat(),
    "childs_views": "Wants her aunt in Lille to be found",
    "given_by": "the child, with her guardian",
}


def test_a_consent_round_trips(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    response = api.post(case_url(case, "/consents"), CONSENT)
    assert response.status_code == 201, response.content
    created = response.json()
    assert {k: created[k] for k in CONSENT} == CONSENT
    assert created["recorded_by"]["username"] == "giulia"
    assert created["withdrawn_at"] is None
    assert api.get(case_url(case, "/consents")).json() == {"count": 1, "items": [created]}


def test_consent_for_immigration_enforcement_is_never_recorded(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(
        case_url(case, "/consents"), {**CONSENT, "purpose": "immigration_enforcement"}
    )
    assert response.status_code == 422
    assert "purpose" in response.json()["errors"]
    assert not Consent.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused(people):
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(
        case_url(case, "/consents"), {**CONSENT, "valid_until": days_ago(1).isoformat()}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["valid_until"]


def test_refused_to_the_wrong_person(people):
    case = create_case(people.giulia)
    for outsider in (people.claire, people.ivan, people.luc):
        api = api_as(outsider)
        assert api.get(case_url(case, "/consents")).status_code == 404
        assert api.post(case_url(case, "/consents"), CONSENT).status_code == 404
    assert not Consent.objects.exists()


def test_a_listed_consent_names_the_id_the_withdraw_operation_takes(people):
    """An API client withdraws a consent it found in the list, without knowing database ids."""
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    api.post(case_url(case, "/consents"), CONSENT)
    listed = api.get(case_url(case, "/consents")).json()["items"][0]
    response = api.post(case_url(case, f"/consents/{listed['id']}/withdraw"), {})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == listed["id"]
    assert Consent.objects.get().withdrawn_at is not None
