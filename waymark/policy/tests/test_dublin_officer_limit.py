"""A Dublin officer never reads health, disclosures or case notes, whatever an agreement grants
(issue 13: "The Dublin officer's role sees only what the agreement grants (legal status, family,
the BIA — never health or disclosures)"). Until this limit, only the demo agreements kept that
boundary: an agreement that wrongly granted health to a Dublin unit opened it.
"""

from __future__ import annotations

import pytest

from waymark.policy import service, validation
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, create_org, create_user, share
from waymark.vocab import DataCategory, PolicyAction, Purpose, Role, Sector

C, P = DataCategory, Purpose
ALL = set(DataCategory.values)
CLOSED = {C.HEALTH, C.DISCLOSURE, C.CASE_NOTES}


@pytest.fixture
def dublin(people):
    unit = create_org(
        "be-dublin", name="Cellule Dublin (fictional)", country="BE", sector=Sector.ASYLUM_DUBLIN_UNIT
    )
    return unit, create_user("dublin-dries", unit, Role.DUBLIN_OFFICER)


def _shared_case(people, unit):
    case = create_case(people.giulia)
    for purpose in Purpose.values:
        share(case, unit, purpose)
    return case


def test_a_wrongly_granted_agreement_does_not_open_health_to_a_dublin_officer(people, dublin):
    unit, dries = dublin
    case = _shared_case(people, unit)
    # A mistaken agreement written straight into the database (bypassing the validator): every
    # category, every purpose but the forbidden one, read and update, to the Dublin unit.
    create_agreement(
        "mistake-dublin",
        [people.it_cps, unit],
        grants=[
            (unit, Role.DUBLIN_OFFICER, c, p, a)
            for c in DataCategory.values
            for p in (P.FAMILY_TRACING, P.BEST_INTERESTS_ASSESSMENT, P.CARE_CONTINUITY, P.CHILD_PROTECTION)
            for a in PolicyAction.values
        ],
    )
    for purpose in (P.FAMILY_TRACING, P.BEST_INTERESTS_ASSESSMENT, P.CARE_CONTINUITY, P.CHILD_PROTECTION):
        for action in PolicyAction.values:
            decisions = service.authorize(dries, case, purpose=purpose, categories=ALL, action=action)
            for category in CLOSED:
                assert not decisions[category].allowed, (purpose, action, category)
                assert "limit-dublin-officer-no-special-categories" in decisions[category].reasons
            # What the agreement grants otherwise still opens: the limit is narrow.
            assert decisions[C.LEGAL_STATUS].allowed
            assert decisions[C.FAMILY].allowed


def test_a_dublin_officer_of_the_childs_own_organisation_never_reads_them_either(people):
    dora = create_user("dublin-dora", people.it_cps, Role.DUBLIN_OFFICER)
    case = create_case(people.giulia)
    for purpose in Purpose.values:
        decisions = service.authorize(dora, case, purpose=purpose, categories=CLOSED)
        assert not any(d.allowed for d in decisions.values())


def test_the_validator_refuses_an_agreement_granting_health_to_a_dublin_officer(people, dublin):
    unit, _dries = dublin
    line = validation.GrantLine(unit, Role.DUBLIN_OFFICER, C.HEALTH, P.BEST_INTERESTS_ASSESSMENT, "read")
    problems = validation.grant_problems(line, parties=[people.it_cps, unit])
    assert problems and "limit-dublin-officer-no-special-categories" in " ".join(problems)
    ok = validation.GrantLine(unit, Role.DUBLIN_OFFICER, C.FAMILY, P.BEST_INTERESTS_ASSESSMENT, "read")
    assert validation.grant_problems(ok, parties=[people.it_cps, unit]) == []


def test_the_immigration_forbids_still_refuse_a_dublin_officer_of_an_enforcement_organisation(people):
    officer = create_user("dublin-ivo", people.immigration, Role.DUBLIN_OFFICER)
    case = create_case(people.giulia)
    decisions = service.authorize(officer, case, purpose=P.FAMILY_TRACING, categories=ALL)
    assert not any(d.allowed for d in decisions.values())
    assert all("firewall-sector" in d.reasons for d in decisions.values())
