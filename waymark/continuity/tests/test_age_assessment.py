"""Age assessments: methods (a medical examination only with consent), a range with its margin,
the lower bound governs, the child informed, challenges and outcomes as events, and a later
assessment kept beside the earlier one with the difference shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from waymark.cases.models import Event
from waymark.continuity import actions
from waymark.continuity.models import AgeAssessment, ChallengeOutcome
from waymark.continuity.schemas import AgeAssessmentIn, ChallengeIn, ChallengeOutcomeIn
from waymark.errors import ActionError
from waymark.test import create_case, login

TODAY = dt.date.today()


def assessment(**overrides):
    data = {
        "methods": ["interview", "documents"],
        "assessors": "Two social workers (fictional)",
        "assessed_on": (TODAY - dt.timedelta(days=10)).isoformat(),
        "age_min": 16,
        "age_max": 18,
        "margin": 1,
        "child_informed": True,
        "informed_language": "ti",
    }
    return AgeAssessmentIn(**{**data, **overrides})


def test_the_lower_bound_less_the_margin_governs(people):
    case = create_case(people.giulia)
    recorded = actions.do_record_age_assessment(people.giulia, case, assessment(age_min=17.5, margin=1))
    assert recorded.governing_age == Decimal("16.5") and recorded.is_child
    adult = actions.do_record_age_assessment(
        people.giulia, case, assessment(age_min=19, age_max=22, margin=0.5)
    )
    assert adult.governing_age == Decimal("18.5") and not adult.is_child
    summaries = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any("the lower bound 16.5 governs" in s for s in summaries)


def test_a_medical_examination_without_consent_is_refused(people):
    case = create_case(people.giulia)
    with pytest.raises(ActionError) as refused:
        actions.do_record_age_assessment(people.giulia, case, assessment(methods=["medical_examination"]))
    assert "medical_consent" in refused.value.errors
    assert not AgeAssessment.objects.exists()
    ok = actions.do_record_age_assessment(
        people.giulia, case, assessment(methods=["medical_examination"], medical_consent=True)
    )
    assert ok.methods == ["medical_examination"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"age_min": 18, "age_max": 16}, "age_min"),
        ({"assessed_on": (TODAY + dt.timedelta(days=2)).isoformat()}, "assessed_on"),
        ({"informed_language": ""}, "informed_language"),
        ({"country": "XX"}, "country"),  # the form of a code (the schema refuses "Italy"), no country
    ],
)
def test_bad_input_is_refused_naming_the_field(people, overrides, field):
    case = create_case(people.giulia)
    with pytest.raises(ActionError) as refused:
        actions.do_record_age_assessment(people.giulia, case, assessment(**overrides))
    assert field in refused.value.errors


def test_immigration_enforcement_cannot_record_an_assessment(people):
    case = create_case(people.giulia)
    with pytest.raises(ActionError):
        actions.do_record_age_assessment(people.ivan, case, assessment())


def test_a_challenge_and_its_outcome_are_events_and_decided_once(people):
    case = create_case(people.giulia)
    recorded = actions.do_record_age_assessment(people.giulia, case, assessment())
    challenge = actions.do_challenge_age_assessment(
        people.marco,
        recorded,
        ChallengeIn(lodged_on=TODAY.isoformat(), grounds="The child has a birth certificate."),
    )
    decided = actions.do_decide_challenge(
        people.sara, challenge, ChallengeOutcomeIn(outcome="upheld", decided_on=TODAY.isoformat())
    )
    assert decided.outcome == ChallengeOutcome.UPHELD and recorded.set_aside
    summaries = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any("challenged" in s for s in summaries)
    assert any("Upheld" in s for s in summaries)
    with pytest.raises(ActionError, match="already decided"):
        actions.do_decide_challenge(
            people.sara, challenge, ChallengeOutcomeIn(outcome="rejected", decided_on=TODAY.isoformat())
        )


def test_a_later_assessment_in_another_country_keeps_the_earlier_and_shows_the_difference(client, people):
    case = create_case(people.giulia)
    actions.do_record_age_assessment(people.giulia, case, assessment(age_min=15, age_max=17, margin=1))
    later = actions.do_record_age_assessment(
        people.giulia,
        case,
        assessment(age_min=18, age_max=20, margin=0, country="BE", assessed_on=TODAY.isoformat()),
    )
    assert AgeAssessment.objects.filter(case=case).count() == 2
    assert "earlier assessment in IT: 14" in Event.objects.filter(case=case)[0].summary
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Age assessments" in html
    assert "Differs from the earlier assessment (IT) by 4 years" in html
    assert later.governing_age == Decimal(18)
