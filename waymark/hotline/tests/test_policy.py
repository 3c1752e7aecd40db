"""The hotline's permits (issue 11, hotline intake): an operator registers a child in their own
organisation to locate them; in a 116 000 organisation the operators read its cases' notes. Nothing
else opens, and the firewall still refuses immigration enforcement."""

from __future__ import annotations

from waymark.policy import service
from waymark.test import create_case, create_user
from waymark.vocab import DataCategory, PolicyAction, Purpose, Role

from .helpers import create_hotline

C, P = DataCategory, Purpose
U = PolicyAction.UPDATE


def test_a_hotline_operator_registers_a_child_in_their_own_organisation_to_locate_them(people):
    hotline = create_hotline(people, agreement=False)
    own = create_case(hotline.elena)  # the action itself: it would raise if refused later
    decided = service.authorize(
        hotline.elena, own, purpose=P.LOCATE_MISSING_CHILD, categories=[C.IDENTITY], action=U
    )
    assert decided[C.IDENTITY].allowed and decided[C.IDENTITY].reasons == ["own-org-hotline-register"]
    # Not for another purpose, not another organisation's child.
    assert not service.authorize(
        hotline.elena, own, purpose=P.CHILD_PROTECTION, categories=[C.IDENTITY], action=U
    )[C.IDENTITY].allowed
    theirs = create_case(people.giulia)
    assert not service.authorize(
        hotline.elena, theirs, purpose=P.LOCATE_MISSING_CHILD, categories=[C.IDENTITY], action=U
    )[C.IDENTITY].allowed


def test_a_hotline_organisations_operators_read_its_case_notes_and_nothing_special_beyond(people):
    hotline = create_hotline(people, agreement=False)
    case = create_case(hotline.elena)
    reads = service.permitted_categories(hotline.elena, case, purpose=P.LOCATE_MISSING_CHILD)
    assert reads == {C.IDENTITY, C.PHYSICAL_DESCRIPTION, C.PHOTO, C.CONTACT_LOCATION, C.FAMILY, C.CASE_NOTES}
    notes = service.authorize(hotline.elena, case, purpose=P.LOCATE_MISSING_CHILD, categories=[C.CASE_NOTES])
    assert notes[C.CASE_NOTES].reasons == ["hotline-org-reads-its-case-notes"]
    assert service.permitted_categories(hotline.elena, case, purpose=P.CHILD_PROTECTION) == set()


def test_a_hotline_operator_of_a_child_protection_service_neither_registers_nor_reads_case_notes(people):
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    case = create_case(people.giulia)
    assert C.CASE_NOTES not in service.permitted_categories(hana, case, purpose=P.LOCATE_MISSING_CHILD)
    assert C.IDENTITY not in service.permitted_categories(
        hana, case, purpose=P.LOCATE_MISSING_CHILD, action=U
    )


def test_immigration_enforcement_stays_refused_to_hotline_operators(people):
    hotline = create_hotline(people, agreement=False)
    case = create_case(hotline.elena)
    for action in PolicyAction.values:
        decided = service.authorize(
            hotline.elena, case, purpose=P.IMMIGRATION_ENFORCEMENT, categories=list(C.values), action=action
        )
        assert not any(d.allowed for d in decided.values())
    # A hotline operator of an immigration-enforcement organisation registers nothing, reads nothing.
    igor = create_user("igor", people.immigration, Role.HOTLINE_OPERATOR)
    probe = create_case(people.giulia)
    probe.organisation = people.immigration
    decided = service.authorize(
        igor, probe, purpose=P.LOCATE_MISSING_CHILD, categories=list(C.values), action=U
    )
    assert not any(d.allowed for d in decided.values())
    assert decided[C.IDENTITY].reasons == ["firewall-sector"]
