"""Across organisations: only under an active, in-date agreement with the exact grant.

claire (caseworker, French NGO fr-ngo-calais) and a child registered by giulia in Milan, whom
the two organisations share a context about (need to know: test_finding_1_need_to_know.py shows
what happens without one) and who is missing (so locating fits).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.policy import service
from waymark.policy.models import Agreement, Grant
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, share
from waymark.vocab import AgreementStatus, DataCategory, PolicyAction, Purpose, Role

C, P = DataCategory, Purpose
LOCATE = {C.IDENTITY, C.PHYSICAL_DESCRIPTION, C.PHOTO, C.CONTACT_LOCATION}
ALL = set(DataCategory.values)


def locate_agreement(people, **kwargs):
    grants = [(people.fr_ngo, Role.CASEWORKER, c, P.LOCATE_MISSING_CHILD) for c in LOCATE]
    return create_agreement("it-fr-locate", [people.it_cps, people.fr_ngo], grants=grants, **kwargs)


def known_case(people, **child):
    """A missing child of Milan that Calais and the Belgian police share a context about, for
    every purpose: what an agreement then opens is the agreement's alone."""
    case = create_case(people.giulia, **child)
    for org in (people.fr_ngo, people.be_police):
        for purpose in Purpose.values:
            share(case, org, purpose, missing=True)
    return case


def claire_may(people, case, purpose=P.LOCATE_MISSING_CHILD, action=PolicyAction.READ):
    return service.permitted_categories(people.claire, case, purpose=purpose, action=action)


def test_without_an_agreement_claire_reads_nothing(people):
    case = known_case(people)
    decisions = service.authorize(people.claire, case, purpose=P.LOCATE_MISSING_CHILD, categories=ALL)
    assert not any(d.allowed for d in decisions.values())
    assert decisions[C.IDENTITY].reasons == ["default-deny"]


def test_under_an_active_agreement_claire_reads_only_the_granted_categories(people):
    case = known_case(people)
    locate_agreement(people)
    decisions = service.authorize(people.claire, case, purpose=P.LOCATE_MISSING_CHILD, categories=ALL)
    assert {c for c, d in decisions.items() if d.allowed} == LOCATE
    assert decisions[C.PHOTO].reasons == ["agreement-grant-read"]
    assert decisions[C.PHOTO].agreement_id == "it-fr-locate"
    assert decisions[C.HEALTH].reasons == ["default-deny"]
    assert decisions[C.HEALTH].agreement_id is None


def test_a_category_granted_for_one_purpose_is_closed_for_another(people):
    case = known_case(people)
    locate_agreement(people)
    assert claire_may(people, case, purpose=P.CHILD_PROTECTION) == set()
    assert claire_may(people, case, action=PolicyAction.UPDATE) == set()


@pytest.mark.parametrize(
    "status", [AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED, AgreementStatus.DRAFT]
)
def test_an_agreement_that_is_not_active_opens_nothing(people, status):
    case = known_case(people)
    locate_agreement(people, status=status)
    assert claire_may(people, case) == set()


def test_an_expired_agreement_opens_nothing(people):
    case = known_case(people)
    now = timezone.now()
    locate_agreement(people, valid_from=now - dt.timedelta(days=400), valid_until=now - dt.timedelta(days=1))
    assert claire_may(people, case) == set()


def test_an_agreement_not_yet_in_force_opens_nothing(people):
    case = known_case(people)
    now = timezone.now()
    locate_agreement(people, valid_from=now + dt.timedelta(days=1), valid_until=now + dt.timedelta(days=400))
    assert claire_may(people, case) == set()


def test_validity_is_checked_at_the_instant_of_the_decision(people):
    case = known_case(people)
    agreement = locate_agreement(people)
    until = agreement.valid_until
    assert claire_may(people, case) == LOCATE
    last = service.authorize(
        people.claire,
        case,
        purpose=P.LOCATE_MISSING_CHILD,
        categories=[C.PHOTO],
        now=until - dt.timedelta(seconds=1),
    )
    first_after = service.authorize(
        people.claire, case, purpose=P.LOCATE_MISSING_CHILD, categories=[C.PHOTO], now=until
    )
    assert last[C.PHOTO].allowed
    assert not first_after[C.PHOTO].allowed


def test_an_agreement_between_other_organisations_does_not_open_this_case(people):
    case = known_case(people)
    create_agreement(
        "fr-be",
        [people.fr_ngo, people.be_police],
        grants=[(people.fr_ngo, Role.CASEWORKER, C.IDENTITY, P.LOCATE_MISSING_CHILD)],
    )
    assert claire_may(people, case) == set()


def test_a_grant_to_one_role_does_not_open_the_door_to_another(people):
    case = known_case(people)
    locate_agreement(people)
    other = known_case(people, given_names="Amina", family_name="Yusuf")
    decisions = service.authorize(people.luc, other, purpose=P.LOCATE_MISSING_CHILD, categories=LOCATE)
    assert not any(d.allowed for d in decisions.values())
    assert claire_may(people, case) == LOCATE


def test_luc_the_belgian_police_officer_never_reads_health(people):
    case = known_case(people)
    create_agreement(
        "it-be-locate",
        [people.it_cps, people.be_police],
        grants=[(people.be_police, Role.POLICE_OFFICER, c, P.LOCATE_MISSING_CHILD) for c in LOCATE],
    )
    assert service.permitted_categories(people.luc, case, purpose=P.LOCATE_MISSING_CHILD) == LOCATE
    for purpose in Purpose.values:
        assert not service.authorize(people.luc, case, purpose=purpose, categories=[C.HEALTH])[
            C.HEALTH
        ].allowed


def test_several_agreements_the_one_that_opens_is_named(people):
    case = known_case(people)
    locate_agreement(people, status=AgreementStatus.SUSPENDED)
    create_agreement(
        "it-fr-photos",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, C.PHOTO, P.LOCATE_MISSING_CHILD)],
    )
    decisions = service.authorize(people.claire, case, purpose=P.LOCATE_MISSING_CHILD, categories=LOCATE)
    assert {c for c, d in decisions.items() if d.allowed} == {C.PHOTO}
    assert decisions[C.PHOTO].agreement_id == "it-fr-photos"


# --- the registry cache never serves a stale agreement --------------------------------------


def test_suspending_an_agreement_closes_the_door_at_once(people):
    case = known_case(people)
    agreement = locate_agreement(people)
    assert claire_may(people, case) == LOCATE
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    assert claire_may(people, case) == set()


def test_a_bulk_update_also_closes_the_door_at_once(people):
    case = known_case(people)
    locate_agreement(people)
    assert claire_may(people, case) == LOCATE
    Agreement.objects.filter(identifier="it-fr-locate").update(status=AgreementStatus.TERMINATED)
    assert claire_may(people, case) == set()


def test_removing_a_party_or_a_grant_closes_the_door_at_once(people):
    case = known_case(people)
    agreement = locate_agreement(people)
    Grant.objects.filter(agreement=agreement, category=C.PHOTO).delete()
    assert claire_may(people, case) == LOCATE - {C.PHOTO}
    agreement.parties.remove(people.fr_ngo)
    assert claire_may(people, case) == set()


def test_a_grant_loaded_without_any_model_method_is_seen_at_once(people):
    # As ``loaddata`` does: save_base(raw=True) calls neither save() nor a queryset method.
    case = known_case(people)
    agreement = locate_agreement(people)
    assert claire_may(people, case, purpose=P.FAMILY_TRACING) == set()
    Grant(
        agreement=agreement,
        organisation=people.fr_ngo,
        role=Role.CASEWORKER,
        category=C.FAMILY,
        purpose=P.FAMILY_TRACING,
        action="read",
    ).save_base(raw=True)
    assert claire_may(people, case, purpose=P.FAMILY_TRACING) == {C.FAMILY}


def test_a_page_of_cases_is_decided_in_one_batch_with_two_queries(people, django_assert_num_queries):
    own = [known_case(people, given_names=f"Child {n}") for n in range(3)]
    locate_agreement(people)
    ngo_case = create_case(people.claire, given_names="Karim")
    cases = list(type(own[0]).objects.select_related("organisation").order_by("pk"))
    service.authorize_cases(people.claire, cases, purpose=P.LOCATE_MISSING_CHILD, categories=[C.IDENTITY])
    # The registry revision (agreements come from the cache) and the page's shared contexts.
    with django_assert_num_queries(2):
        by_case = service.authorize_cases(
            people.claire, cases, purpose=P.LOCATE_MISSING_CHILD, categories=[C.IDENTITY, C.HEALTH]
        )
    for case in own:
        assert by_case[case.pk][C.IDENTITY].allowed
        assert by_case[case.pk][C.IDENTITY].agreement_id == "it-fr-locate"
        assert not by_case[case.pk][C.HEALTH].allowed
    assert by_case[ngo_case.pk][C.HEALTH].allowed  # claire's own organisation's case
    assert by_case[ngo_case.pk][C.HEALTH].agreement_id is None


def test_a_page_of_own_cases_needs_no_query_at_all(people, django_assert_num_queries):
    create_case(people.giulia)
    create_case(people.giulia, given_names="Amina")
    cases = list(type(create_case(people.giulia, given_names="Sami")).objects.select_related("organisation"))
    with django_assert_num_queries(0):
        by_case = service.authorize_cases(people.giulia, cases, purpose=P.CHILD_PROTECTION, categories=ALL)
    assert all(d.allowed for per_case in by_case.values() for d in per_case.values())
