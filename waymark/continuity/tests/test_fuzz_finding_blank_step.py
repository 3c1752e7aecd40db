"""Fuzzer finding: ``PATCH /api/cases/{id}/reunification-plans/{plan_id}`` with a step "\u00a0"
(one character as sent, blank once trimmed) answered 400 although the document allowed it
(``minLength: 1``). Required texts follow the API's rule: at least one character as sent (else a
400), not blank once trimmed (a 422 naming the field) — for a plan's steps and a relative's name."""

from __future__ import annotations

import pytest

from waymark.cases.tests.api_client import api_as
from waymark.continuity import actions
from waymark.continuity.schemas import ReunificationPlanIn
from waymark.continuity.tests.test_family_tracing import brother, consent, ward
from waymark.vocab import Purpose


@pytest.fixture
def plan(people):
    case = ward(people)
    relative = brother(people, case)
    consent(people, case)
    actions.do_record_guardian_agreement(people.marco, relative)
    actions.do_confirm_family_link(people.giulia, relative)
    return actions.do_record_reunification_plan(
        people.giulia, case, ReunificationPlanIn(relative=relative.public_id, country="BE", steps=["Call"])
    )


def test_fuzz_finding_a_blank_step_is_a_422_naming_the_steps(people, plan):
    client = api_as(people.giulia, purpose=Purpose.FAMILY_TRACING)
    answer = client.patch(
        f"/api/cases/{plan.case.public_id}/reunification-plans/{plan.public_id}", {"steps": ["\u00a0"]}
    )
    assert answer.status_code == 422, answer.content
    assert "steps" in answer.content.decode()
    plan.refresh_from_db()
    assert plan.steps == ["Call"]


def test_fuzz_finding_a_blank_relative_name_is_a_422_naming_it(people):
    case = ward(people)
    client = api_as(people.giulia, purpose=Purpose.FAMILY_TRACING)
    answer = client.post(
        f"/api/cases/{case.public_id}/relatives", {"full_name": "\u00a0", "relationship": "sibling"}
    )
    assert answer.status_code == 422, answer.content
    assert "full_name" in answer.content.decode()
