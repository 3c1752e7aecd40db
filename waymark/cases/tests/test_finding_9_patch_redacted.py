"""Issue 9, finding 9 (part): a write through the API answers only what the caller may read.

The right to change a category is not the right to read the others: an agreement may let a
partner record case notes without showing them the child's legal status. The answer to a PATCH,
PUT or POST is redacted by the caller's read decisions, exactly like a GET.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from waymark.cases import actions
from waymark.cases.models import Case
from waymark.cases.schemas import CarePlanIn, ConsentIn, EventIn
from waymark.cases.tests.api_client import api_as, case_url
from waymark.policy.contexts import open_context
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case
from waymark.vocab import ContextSource, DataCategory, PolicyAction, Purpose, Role

CP = Purpose.CHILD_PROTECTION
C = DataCategory
UPDATE = PolicyAction.UPDATE


@pytest.fixture
def case(people):
    case = create_case(
        people.giulia,
        given_names="Saba",
        family_name="Tesfay",
        nationality="ER",
        identifiers=[{"scheme": "unhcr", "value": "UNHCR-000-FICTIONAL"}],
        case={"risk_level": "high", "risk_reasons": "Fled a forced marriage", "guardian": "marco"},
    )
    actions.do_update_care_plan(people.giulia, case, CarePlanIn(needs="Trauma counselling"))
    actions.do_add_event(
        people.giulia, case, EventIn(type="health", category=C.HEALTH, summary="Asthma, needs an inhaler")
    )
    actions.do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=CP,
            categories=[C.IDENTITY],
            valid_from="2026-01-01",
            childs_views="Wants her aunt in Lyon told",
        ),
    )
    return case


def writer_agreement(people, case, *written: str):
    """Claire (French NGO) may read the child's identity and change ``written``, nothing more —
    about this child, which a referral between the two organisations is about (need to know)."""
    grants: list[tuple[Any, ...]] = [(people.fr_ngo, Role.CASEWORKER, C.IDENTITY, CP)]
    grants += [(people.fr_ngo, Role.CASEWORKER, c, CP, UPDATE) for c in written]
    open_context(case, partner="fr-ngo-calais", purpose=CP, source=ContextSource.REFERRAL, source_id=uuid4())
    return create_agreement("IT-FR-WRITE-2026", [people.it_cps, people.fr_ngo], grants=grants)


def _under_agreement(note: str) -> bool:
    return note.startswith("not shared with you under agreement IT-FR-WRITE-2026")


def test_finding_9_patch_case_answers_only_what_the_caller_may_read(people, case):
    writer_agreement(people, case, C.CASE_NOTES, C.FAMILY, C.GUARDIAN)
    response = api_as(people.claire).patch(case_url(case), {"risk_level": "low"})
    assert response.status_code == 200, response.content
    assert Case.objects.get(pk=case.pk).risk_level == "low"  # the write happened
    body = response.json()
    assert body["child"]["given_names"] == "Saba"  # identity is hers to read
    for field in ("risk_level", "risk_reasons", "status", "care_plan", "guardian"):
        assert body[field] is None, field
        assert _under_agreement(body["withheld"][field]), field
    assert body["child"]["nationality"] is None and body["child"]["identifiers"] == []
    assert "Fled" not in response.content.decode() and "Trauma" not in response.content.decode()


def test_finding_9_patch_put_child_answers_only_what_the_caller_may_read(people, case):
    writer_agreement(people, case, C.IDENTITY, C.LEGAL_STATUS)
    child = {"given_names": "Saba", "family_name": "Tesfay", "nationality": "ER"}
    response = api_as(people.claire).put(case_url(case, "/child"), child)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["given_names"] == "Saba"
    assert body["nationality"] is None and body["identifiers"] == []
    assert _under_agreement(body["withheld"]["identifiers"])
    assert "UNHCR-000" not in response.content.decode()


def test_finding_9_patch_put_care_plan_answers_only_what_the_caller_may_read(people, case):
    writer_agreement(people, case, C.CASE_NOTES)
    response = api_as(people.claire).put(case_url(case, "/care-plan"), {"needs": "A school place"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["needs"], body["objectives"], body["services"], body["review_date"]) == (None,) * 4
    assert _under_agreement(body["withheld"]["needs"])
    assert "A school place" not in response.content.decode()


def test_finding_9_patch_post_event_answers_only_what_the_caller_may_read(people, case):
    writer_agreement(people, case, C.HEALTH, C.CONTACT_LOCATION)
    event = {"type": "health", "category": "health", "summary": "Inhaler refilled", "location": "Calais"}
    response = api_as(people.claire).post(case_url(case, "/events"), event)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["summary"], body["details"], body["location"]) == (None, None, None)
    assert _under_agreement(body["withheld"]["summary"])


def test_finding_9_patch_post_consent_answers_only_what_the_caller_may_read(people, case):
    writer_agreement(people, case, C.CASE_NOTES)
    consent = {
        "recipient_org": "be-police-mpu",
        "purpose": "locate_missing_child",
        "categories": ["identity"],
        "valid_from": "2026-02-01",
        "childs_views": "Afraid of the police",
    }
    response = api_as(people.claire).post(case_url(case, "/consents"), consent)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["childs_views"] is None
    assert _under_agreement(body["withheld"]["childs_views"])


def test_finding_9_patch_the_owner_still_gets_everything_back(people, case):
    response = api_as(people.giulia).patch(case_url(case), {"risk_level": "low"})
    body = response.json()
    assert (body["risk_level"], body["risk_reasons"], body["withheld"]) == (
        "low",
        "Fled a forced marriage",
        {},
    )
    assert body["child"]["nationality"] == "ER"
