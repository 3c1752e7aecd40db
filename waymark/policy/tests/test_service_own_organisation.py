"""Inside the organisation that owns the case, and the child's guardian: the role matrix."""

from __future__ import annotations

import pytest

from waymark.policy import service
from waymark.test import create_case, create_user
from waymark.vocab import SPECIAL_CATEGORIES, DataCategory, PolicyAction, Purpose, Role

C, P = DataCategory, Purpose
ALL = set(DataCategory.values)


def allowed(decisions):
    return {c for c, d in decisions.items() if d.allowed}


def test_the_guardian_reads_every_category_of_their_ward_from_another_organisation(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    decisions = service.authorize(people.marco, case, purpose=P.CHILD_PROTECTION, categories=ALL)
    assert allowed(decisions) == ALL
    assert decisions[C.HEALTH].reasons == ["guardian-of-the-child"]
    assert decisions[C.HEALTH].agreement_id is None


def test_the_guardian_sees_nothing_of_a_child_who_is_not_their_ward(people):
    case = create_case(people.giulia)
    decisions = service.authorize(people.marco, case, purpose=P.CHILD_PROTECTION, categories=ALL)
    assert allowed(decisions) == set()
    assert decisions[C.IDENTITY].reasons == ["default-deny"]


def test_the_guardian_works_only_for_protection_and_best_interests(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    assert service.permitted_categories(people.marco, case, purpose=P.BEST_INTERESTS_ASSESSMENT) == ALL
    assert service.permitted_categories(people.marco, case, purpose=P.FAMILY_TRACING) == set()


def test_caseworker_and_supervisor_read_and_update_everything_for_casework(people):
    case = create_case(people.giulia)
    for user in (people.giulia, people.sara):
        for action in PolicyAction.values:
            assert service.permitted_categories(user, case, purpose=P.CARE_CONTINUITY, action=action) == ALL
    assert service.authorize(people.sara, case, purpose=P.CHILD_PROTECTION, categories=[C.DISCLOSURE])[
        C.DISCLOSURE
    ].reasons == ["own-org-casework"]


def test_statistics_never_opens_a_case_even_to_its_own_caseworker(people):
    case = create_case(people.giulia)
    decision = service.authorize(people.giulia, case, purpose=P.STATISTICS, categories=[C.IDENTITY])[
        C.IDENTITY
    ]
    assert not decision.allowed
    assert decision.reasons == ["limit-statistics"]


def test_the_dpo_audits_ordinary_categories_and_never_special_ones(people):
    dpo = create_user("elena", people.it_cps, Role.DPO)
    case = create_case(people.giulia)
    assert service.permitted_categories(dpo, case, purpose=P.AUDIT) == ALL - SPECIAL_CATEGORIES
    health = service.authorize(dpo, case, purpose=P.AUDIT, categories=[C.HEALTH])[C.HEALTH]
    assert health.reasons == ["limit-dpo-no-special-categories"]
    assert service.permitted_categories(dpo, case, purpose=P.AUDIT, action=PolicyAction.UPDATE) == set()
    assert service.permitted_categories(dpo, case, purpose=P.CHILD_PROTECTION) == set()


def test_only_the_dpo_works_under_the_purpose_audit(people):
    case = create_case(people.giulia)
    assert service.authorize(people.giulia, case, purpose=P.AUDIT, categories=[C.IDENTITY])[
        C.IDENTITY
    ].reasons == ["limit-audit-is-for-the-dpo"]


def test_the_node_administrator_sees_no_child_data(people):
    admin = create_user("nadia", people.it_cps, Role.NODE_ADMIN)
    case = create_case(people.giulia)
    for purpose in Purpose.values:
        assert service.permitted_categories(admin, case, purpose=purpose) == set()


# The matrix for other roles of the owning organisation: (role, purpose, action) -> categories.
MATRIX = [
    (
        Role.HOTLINE_OPERATOR,
        P.LOCATE_MISSING_CHILD,
        "read",
        {C.IDENTITY, C.PHYSICAL_DESCRIPTION, C.PHOTO, C.CONTACT_LOCATION, C.FAMILY},
    ),
    # A sighting (contact_location), and a disappearance report (own-org-hotline-report-missing).
    (
        Role.HOTLINE_OPERATOR,
        P.LOCATE_MISSING_CHILD,
        "update",
        {C.CONTACT_LOCATION, C.PHYSICAL_DESCRIPTION, C.FAMILY, C.CASE_NOTES},
    ),
    (Role.HOTLINE_OPERATOR, P.CHILD_PROTECTION, "read", set()),
    (
        Role.POLICE_OFFICER,
        P.LOCATE_MISSING_CHILD,
        "read",
        {C.IDENTITY, C.PHOTO, C.PHYSICAL_DESCRIPTION, C.CONTACT_LOCATION},
    ),
    (Role.POLICE_OFFICER, P.LOCATE_MISSING_CHILD, "update", {C.CONTACT_LOCATION}),
    (
        Role.POLICE_OFFICER,
        P.TRAFFICKING_INVESTIGATION,
        "read",
        {C.IDENTITY, C.TRAFFICKING_INDICATORS, C.DISCLOSURE},
    ),
    (Role.POLICE_OFFICER, P.TRAFFICKING_INVESTIGATION, "update", set()),
    (Role.POLICE_OFFICER, P.CHILD_PROTECTION, "read", set()),
    (Role.DUBLIN_OFFICER, P.FAMILY_TRACING, "read", {C.IDENTITY, C.FAMILY, C.LEGAL_STATUS}),
    (Role.DUBLIN_OFFICER, P.BEST_INTERESTS_ASSESSMENT, "read", set()),
    (
        Role.CASEWORKER,
        P.FAMILY_TRACING,
        "read",
        {C.IDENTITY, C.PHYSICAL_DESCRIPTION, C.PHOTO, C.CONTACT_LOCATION, C.FAMILY, C.LEGAL_STATUS},
    ),
    (Role.CASEWORKER, P.TRAFFICKING_INVESTIGATION, "read", set()),
    (Role.GUARDIAN, P.CHILD_PROTECTION, "read", set()),  # a guardian of the organisation, not of this child
]


@pytest.mark.parametrize(("role", "purpose", "action", "expected"), MATRIX)
def test_the_role_matrix_of_the_owning_organisation(people, role, purpose, action, expected):
    user = create_user(f"user-{role}", people.it_cps, role)
    case = create_case(people.giulia)
    assert service.permitted_categories(user, case, purpose=purpose, action=action) == expected


def test_police_never_read_health_even_of_their_own_organisations_case(people):
    case = create_case(people.luc)
    for purpose in Purpose.values:
        assert not service.authorize(people.luc, case, purpose=purpose, categories=[C.HEALTH])[
            C.HEALTH
        ].allowed
