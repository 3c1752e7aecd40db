"""The registry validator refuses what the firewall forbids, naming the problem."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.policy.models import Agreement, Grant
from waymark.policy.validation import GrantLine, agreement_problems
from waymark.test import create_user
from waymark.vocab import DataCategory, PolicyAction, Purpose, Role

C, P = DataCategory, Purpose
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def problems(people, *, parties=None, grants=(), valid_from=NOW, valid_until=NOW + dt.timedelta(days=365)):
    return agreement_problems(
        parties=[people.it_cps, people.fr_ngo] if parties is None else parties,
        grants=list(grants),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def line(
    org, role=Role.CASEWORKER, category=C.IDENTITY, purpose=P.LOCATE_MISSING_CHILD, action=PolicyAction.READ
):
    return GrantLine(org, role, category, purpose, action)


def test_a_sound_agreement_has_no_problems(people):
    grants = [line(people.fr_ngo, category=c) for c in (C.IDENTITY, C.PHOTO)] + [
        line(
            people.it_cps, role=Role.SUPERVISOR, category=C.HEALTH, purpose=P.CARE_CONTINUITY, action="update"
        )
    ]
    assert problems(people, grants=grants) == []


def test_an_immigration_enforcement_party_is_refused_by_name(people):
    found = problems(people, parties=[people.it_cps, people.immigration])
    assert found == [
        "organisation 'xx-immigration' is an immigration-enforcement organisation and can never be "
        "a party to a cooperation agreement (firewall, layer 2)"
    ]


def test_a_grant_for_immigration_enforcement_is_refused(people):
    found = problems(people, grants=[line(people.fr_ngo, purpose=P.IMMIGRATION_ENFORCEMENT)])
    assert found == [
        "grant 'fr-ngo-calais caseworker read identity for immigration_enforcement': "
        "the purpose immigration_enforcement is never granted (firewall-purpose)"
    ]


def test_a_grant_to_an_organisation_that_is_not_a_party_is_refused(people):
    found = problems(people, grants=[line(people.be_police, role=Role.POLICE_OFFICER)])
    assert found == [
        "grant 'be-police-mpu police_officer read identity for locate_missing_child': "
        "organisation 'be-police-mpu' is not a party to this agreement"
    ]


@pytest.mark.parametrize("days", [0, -1])
def test_validity_that_ends_before_or_when_it_starts_is_refused(people, days):
    [found] = problems(people, valid_until=NOW + dt.timedelta(days=days))
    assert found.startswith("the validity ends (")
    assert "before or when it starts (2026-06-01T00:00:00+00:00)" in found


def test_a_grant_listed_twice_is_refused(people):
    found = problems(people, grants=[line(people.fr_ngo), line(people.fr_ngo)])
    assert found == [
        "grant 'fr-ngo-calais caseworker read identity for locate_missing_child' is listed twice"
    ]


@pytest.mark.parametrize(
    ("grant", "rule"),
    [
        ({"role": Role.NODE_ADMIN}, "limit-node-admin"),
        ({"purpose": P.STATISTICS}, "limit-statistics"),
        ({"purpose": P.AUDIT}, "limit-audit-is-for-the-dpo"),
        ({"role": Role.DPO, "purpose": P.CHILD_PROTECTION}, "limit-dpo-audit-only"),
        ({"role": Role.DPO, "purpose": P.AUDIT, "category": C.HEALTH}, "limit-dpo-no-special-categories"),
        ({"role": Role.DPO, "purpose": P.AUDIT, "action": PolicyAction.UPDATE}, "limit-dpo-read-only"),
    ],
)
def test_a_grant_the_firewall_always_refuses_is_a_contradiction(people, grant, rule):
    [found] = problems(people, grants=[line(people.fr_ngo, **grant)])
    assert f"contradicts the firewall rule '{rule}'" in found
    assert found.startswith("grant 'fr-ngo-calais ")


def test_the_dpo_may_be_granted_an_audit_of_ordinary_categories(people):
    assert problems(people, grants=[line(people.fr_ngo, role=Role.DPO, purpose=P.AUDIT)]) == []


def test_every_problem_is_reported_at_once(people):
    found = problems(
        people,
        parties=[people.it_cps, people.immigration],
        grants=[line(people.fr_ngo), line(people.it_cps, purpose=P.IMMIGRATION_ENFORCEMENT)],
        valid_until=NOW,
    )
    assert len(found) == 4


def test_the_model_clean_refuses_inverted_validity(people):
    now = timezone.now()
    agreement = Agreement(identifier="x", title="X", valid_from=now, valid_until=now - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="before or when it starts"):
        agreement.full_clean()


def test_the_grant_clean_refuses_a_non_party_and_a_contradiction(people):
    now = timezone.now()
    agreement = Agreement.objects.create(
        identifier="it-fr", title="IT FR", valid_from=now, valid_until=now + dt.timedelta(days=1)
    )
    agreement.parties.set([people.it_cps, people.fr_ngo])
    stranger = Grant(
        agreement=agreement,
        organisation=people.be_police,
        role=Role.POLICE_OFFICER,
        category=C.IDENTITY,
        purpose=P.LOCATE_MISSING_CHILD,
        action="read",
    )
    with pytest.raises(ValidationError, match="'be-police-mpu' is not a party"):
        stranger.full_clean()
    admin_grant = Grant(
        agreement=agreement,
        organisation=people.fr_ngo,
        role=Role.NODE_ADMIN,
        category=C.IDENTITY,
        purpose=P.LOCATE_MISSING_CHILD,
        action="read",
    )
    with pytest.raises(ValidationError, match="limit-node-admin"):
        admin_grant.full_clean()
    create_user("nobody", people.fr_ngo, Role.CASEWORKER)  # grants are per role, not per user
    sound = Grant(
        agreement=agreement,
        organisation=people.fr_ngo,
        role=Role.CASEWORKER,
        category=C.IDENTITY,
        purpose=P.LOCATE_MISSING_CHILD,
        action="read",
    )
    sound.full_clean()
