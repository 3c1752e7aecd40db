"""The firewall at the service: immigration enforcement is refused, whatever the database says."""

from __future__ import annotations

import pytest

from waymark.policy import service
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case
from waymark.vocab import DataCategory, PolicyAction, Purpose, Role

C, P = DataCategory, Purpose
ALL = set(DataCategory.values)


def test_ivan_is_refused_everything_even_with_a_grant_put_straight_into_the_database(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    # A mistaken agreement that bypassed the validator: ivan's organisation as a party, every grant.
    create_agreement(
        "mistake",
        [people.it_cps, people.immigration],
        grants=[
            (people.immigration, Role.CASEWORKER, c, p, a)
            for c in DataCategory.values
            for p in Purpose.values
            for a in PolicyAction.values
        ],
    )
    for purpose in Purpose.values:
        for action in PolicyAction.values:
            decisions = service.authorize(people.ivan, case, purpose=purpose, categories=ALL, action=action)
            assert not any(d.allowed for d in decisions.values())
            assert all("firewall-sector" in d.reasons for d in decisions.values())


def test_ivan_is_refused_even_a_case_held_by_his_own_organisation(people):
    # Registering is refused to him; a case moved to his organisation by mistake is still closed.
    case = create_case(people.giulia)
    case.organisation = people.immigration
    decisions = service.authorize(people.ivan, case, purpose=P.CHILD_PROTECTION, categories=ALL)
    assert not any(d.allowed for d in decisions.values())


@pytest.mark.parametrize("who", ["giulia", "sara", "marco", "claire", "luc"])
def test_the_purpose_immigration_enforcement_is_refused_to_everyone(people, who):
    case = create_case(people.giulia, case={"guardian": "marco"})
    create_agreement(
        "mistake",
        [people.it_cps, people.fr_ngo, people.be_police],
        grants=[
            (org, role, c, P.IMMIGRATION_ENFORCEMENT)
            for org, role in ((people.fr_ngo, Role.CASEWORKER), (people.be_police, Role.POLICE_OFFICER))
            for c in DataCategory.values
        ],
    )
    user = getattr(people, who)
    for action in PolicyAction.values:
        decisions = service.authorize(
            user, case, purpose=P.IMMIGRATION_ENFORCEMENT, categories=ALL, action=action
        )
        assert not any(d.allowed for d in decisions.values())
        assert all("firewall-purpose" in d.reasons for d in decisions.values())


def test_an_inactive_account_is_refused_before_any_policy_is_asked(people):
    case = create_case(people.giulia)
    people.sara.is_active = False
    decision = service.authorize(people.sara, case, purpose=P.CHILD_PROTECTION, categories=[C.IDENTITY])[
        C.IDENTITY
    ]
    assert not decision.allowed
    assert decision.reasons == ["deny-inactive-user"]


def test_an_account_without_organisation_or_role_is_refused(people):
    case = create_case(people.giulia)
    people.sara.role = ""
    assert service.authorize(people.sara, case, purpose=P.CHILD_PROTECTION, categories=[C.IDENTITY])[
        C.IDENTITY
    ].reasons == ["deny-no-role"]
    people.giulia.organisation = None
    assert service.authorize(people.giulia, case, purpose=P.CHILD_PROTECTION, categories=[C.IDENTITY])[
        C.IDENTITY
    ].reasons == ["deny-no-organisation"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"purpose": "deportation", "categories": ["identity"]},
        {"purpose": "child_protection", "categories": ["shoe_size"]},
        {"purpose": "child_protection", "categories": ["identity"], "action": "delete"},
    ],
)
def test_unknown_vocabulary_is_a_programming_error(people, kwargs):
    case = create_case(people.giulia)
    with pytest.raises(ValueError, match="unknown"):
        service.authorize(people.giulia, case, **kwargs)


def test_an_evaluation_error_refuses_even_when_cedar_says_allow(people, monkeypatch):
    # Cedar skips a policy that errors; if that were a forbid, "allow" would be a hole.
    import cedarpy

    def erroring(requests, *args, **kwargs):
        return [
            cedarpy.AuthzResult(
                {
                    "decision": "Allow",
                    "diagnostics": {"reason": ["own-org-casework"], "errors": ["firewall-sector: boom"]},
                }
            )
            for _ in requests
        ]

    case = create_case(people.giulia)
    monkeypatch.setattr(cedarpy, "is_authorized_batch", erroring)
    decision = service.authorize(people.giulia, case, purpose=P.CHILD_PROTECTION, categories=[C.IDENTITY])[
        C.IDENTITY
    ]
    assert not decision.allowed
    assert decision.reasons == ["deny-evaluation-error"]
    assert decision.errors == ["firewall-sector: boom"]
