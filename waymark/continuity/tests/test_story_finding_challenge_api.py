"""Finding (issue 13's end-to-end story): an age assessment could be challenged, and the challenge
decided, only on the pages — the API had no operation for either, so the story could not be
driven through the API. ``challengeAgeAssessment`` and ``decideAgeChallenge``: the same actions
as the pages, through the case's own authorisation (update of identity), refusals naming the
field; a case or assessment one may not write is a 404."""

from __future__ import annotations

import datetime as dt

from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as
from waymark.continuity import actions
from waymark.continuity.models import AgeAssessmentChallenge, ChallengeOutcome
from waymark.continuity.tests.test_age_assessment import TODAY, assessment
from waymark.test import create_case


def _assessed(people):
    case = create_case(people.giulia)
    recorded = actions.do_record_age_assessment(people.giulia, case, assessment())
    return case, recorded, f"/api/cases/{case.public_id}/age-assessments/{recorded.public_id}/challenges"


def test_a_challenge_and_its_outcome_through_the_api(people):
    case, recorded, url = _assessed(people)
    api = api_as(people.giulia)
    lodged = api.post(
        url, {"lodged_on": (TODAY - dt.timedelta(days=5)).isoformat(), "grounds": "A document says 15."}
    )
    assert lodged.status_code == 201, lodged.content
    assert lodged.json()["outcome"] == "pending" and lodged.json()["assessment"] == str(recorded.public_id)
    decided = api.post(f"{url}/outcome", {"outcome": "upheld", "decided_on": TODAY.isoformat()})
    assert decided.status_code == 200, decided.content
    assert decided.json()["outcome"] == "upheld" and decided.json()["set_aside"] is True
    summaries = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any(s.endswith("challenged") for s in summaries), summaries
    assert AgeAssessmentChallenge.objects.get().outcome == ChallengeOutcome.UPHELD


def test_refusals_name_the_field_and_nothing_is_recorded(people):
    _case, _recorded, url = _assessed(people)
    api = api_as(people.giulia)
    future = api.post(url, {"lodged_on": (TODAY + dt.timedelta(days=1)).isoformat(), "grounds": "x"})
    assert future.status_code == 422 and "lodged_on" in future.json()["errors"], future.content
    assert not AgeAssessmentChallenge.objects.exists()
    nothing_pending = api.post(f"{url}/outcome", {"outcome": "rejected", "decided_on": TODAY.isoformat()})
    assert nothing_pending.status_code == 404


def test_another_organisation_gets_a_404(people):
    _case, _recorded, url = _assessed(people)
    refused = api_as(people.claire).post(url, {"lodged_on": TODAY.isoformat(), "grounds": "x"})
    assert refused.status_code == 404, refused.content
    assert not AgeAssessmentChallenge.objects.exists()
