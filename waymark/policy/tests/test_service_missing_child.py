"""The missing-child response's permits (issue 11): a guardian locates their ward; a hotline
operator of the organisation records a disappearance report. Nothing else opens, and the
firewall still refuses immigration enforcement whatever the role."""

from __future__ import annotations

from waymark.policy import service
from waymark.test import create_case, create_org, create_user
from waymark.vocab import DataCategory, PolicyAction, Purpose, Role, Sector

C, P = DataCategory, Purpose
ALL = set(DataCategory.values)
REPORT = {C.CONTACT_LOCATION, C.PHYSICAL_DESCRIPTION, C.FAMILY, C.CASE_NOTES}


def test_the_guardian_reads_and_records_everything_of_their_ward_to_locate_them(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    for action in PolicyAction.values:
        assert (
            service.permitted_categories(people.marco, case, purpose=P.LOCATE_MISSING_CHILD, action=action)
            == ALL
        )
    decision = service.authorize(people.marco, case, purpose=P.LOCATE_MISSING_CHILD, categories=[C.FAMILY])
    assert decision[C.FAMILY].reasons == ["guardian-locate-missing-ward"]


def test_a_guardian_does_not_locate_a_child_who_is_not_their_ward(people):
    case = create_case(people.giulia)
    assert service.permitted_categories(people.marco, case, purpose=P.LOCATE_MISSING_CHILD) == set()


def test_a_hotline_operator_records_a_report_on_their_own_organisations_cases_only(people):
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    case = create_case(people.giulia)
    writes = service.permitted_categories(
        hana, case, purpose=P.LOCATE_MISSING_CHILD, action=PolicyAction.UPDATE
    )
    assert writes == REPORT
    # They still read no case notes, no health, no trafficking indicators.
    reads = service.permitted_categories(hana, case, purpose=P.LOCATE_MISSING_CHILD)
    assert reads == {C.IDENTITY, C.PHYSICAL_DESCRIPTION, C.PHOTO, C.CONTACT_LOCATION, C.FAMILY}
    # Only to locate a missing child, and only for their own organisation.
    assert (
        service.permitted_categories(hana, case, purpose=P.CHILD_PROTECTION, action=PolicyAction.UPDATE)
        == set()
    )
    other_hotline = create_org(
        "fr-hotline", name="116 000 France (fictional)", country="FR", sector=Sector.HOTLINE
    )
    remote = create_user("remi", other_hotline, Role.HOTLINE_OPERATOR)
    assert (
        service.permitted_categories(remote, case, purpose=P.LOCATE_MISSING_CHILD, action=PolicyAction.UPDATE)
        == set()
    )


def test_immigration_enforcement_stays_refused_to_guardians_and_hotlines(people):
    immigration_guardian = create_user("igor", people.immigration, Role.GUARDIAN)
    case = create_case(people.giulia, case={"guardian": "igor"})
    for action in PolicyAction.values:
        decided = service.authorize(
            immigration_guardian, case, purpose=P.LOCATE_MISSING_CHILD, categories=ALL, action=action
        )
        assert not any(d.allowed for d in decided.values())
        assert decided[C.IDENTITY].reasons == ["firewall-sector"]
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    decided = service.authorize(
        hana, case, purpose=P.IMMIGRATION_ENFORCEMENT, categories=REPORT, action=PolicyAction.UPDATE
    )
    assert not any(d.allowed for d in decided.values())
    assert all("firewall-purpose" in d.reasons for d in decided.values())
