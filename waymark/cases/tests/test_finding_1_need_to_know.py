"""Issue 9, finding 1: no need-to-know. An agreement for a purpose opened a partner's whole
caseload; now another organisation sees a child only while the two share a context about that
child for the purpose (a referral, transfer, information request, alert, accepted match), and
for locate_missing_child only while the child is missing."""

from __future__ import annotations

import pytest

from waymark.cases.access import access_case, cases_visible_to
from waymark.errors import NotFound
from waymark.policy import service
from waymark.policy.contexts import close_contexts
from waymark.policy.tests.factories import create_agreement
from waymark.test import Personas, create_case, login, share
from waymark.vocab import CaseStatus, ContextSource, DataCategory, Purpose, Role

LOCATE = Purpose.LOCATE_MISSING_CHILD


@pytest.fixture
def milan_calais(people: Personas) -> Personas:
    """The demo's agreement: Calais caseworkers read identity and photo of Milan's children to
    locate missing children."""
    create_agreement(
        "it-fr-locate",
        [people.it_cps, people.fr_ngo],
        grants=[
            (people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, LOCATE),
            (people.fr_ngo, Role.CASEWORKER, DataCategory.PHOTO, LOCATE),
        ],
    )
    return people


def _missing(people: Personas, name: str):
    case = create_case(people.giulia, given_names=name)
    case.status = CaseStatus.MISSING
    case.save(update_fields=["status"])
    return case


def test_finding_1_a_partner_lists_only_the_children_it_shares_a_context_about(milan_calais):
    people = milan_calais
    shared = _missing(people, "Yonas")
    _missing(people, "Filmon")  # missing, but nothing between Milan and Calais about him
    create_case(people.giulia, given_names="Saba")  # not missing, nothing shared
    share(shared, people.fr_ngo, LOCATE, source=ContextSource.MISSING_ALERT)

    listed = set(cases_visible_to(people.claire, LOCATE))
    assert listed == {shared}
    # The owner's list is the whole caseload, as before.
    assert len(cases_visible_to(people.giulia, Purpose.CHILD_PROTECTION)) == 3


def test_finding_1_a_partner_cannot_open_a_child_it_shares_nothing_about(milan_calais):
    people = milan_calais
    other = _missing(people, "Filmon")
    with pytest.raises(NotFound):
        access_case(people.claire, other.public_id, LOCATE)
    decided = service.explain(people.claire, other, LOCATE, DataCategory.IDENTITY)
    assert not decided.allowed
    assert "need to know" in decided.explanation


def test_finding_1_a_context_opens_exactly_the_granted_categories_of_that_child(milan_calais):
    people = milan_calais
    case = _missing(people, "Yonas")
    share(case, people.fr_ngo, LOCATE)
    seen = access_case(people.claire, case.public_id, LOCATE)
    assert seen.allowed == {DataCategory.IDENTITY, DataCategory.PHOTO}
    assert seen.decisions[DataCategory.IDENTITY].agreement_id == "it-fr-locate"


def test_finding_1_a_context_for_another_purpose_opens_nothing(milan_calais):
    people = milan_calais
    case = _missing(people, "Yonas")
    share(case, people.fr_ngo, Purpose.CARE_CONTINUITY)
    with pytest.raises(NotFound):
        access_case(people.claire, case.public_id, LOCATE)


def test_finding_1_locating_fits_only_while_the_child_is_missing(milan_calais):
    people = milan_calais
    case = _missing(people, "Yonas")
    share(case, people.fr_ngo, LOCATE)
    assert access_case(people.claire, case.public_id, LOCATE).can(DataCategory.IDENTITY)
    case.status = CaseStatus.FOUND
    case.save(update_fields=["status"])
    with pytest.raises(NotFound):
        access_case(people.claire, case.public_id, LOCATE)
    assert case not in cases_visible_to(people.claire, LOCATE)
    decided = service.explain(people.claire, case, LOCATE, DataCategory.IDENTITY)
    assert "not missing" in decided.explanation


def test_finding_1_a_closed_context_closes_the_child_again(milan_calais):
    people = milan_calais
    case = _missing(people, "Yonas")
    context = share(case, people.fr_ngo, LOCATE)
    assert case in cases_visible_to(people.claire, LOCATE)
    close_contexts(ContextSource(context.source), context.source_id)
    assert case not in cases_visible_to(people.claire, LOCATE)
    with pytest.raises(NotFound):
        access_case(people.claire, case.public_id, LOCATE)


def test_finding_1_the_case_list_does_not_browse_a_partners_caseload(milan_calais, client):
    people = milan_calais
    shared = _missing(people, "Yonas")
    _missing(people, "Filmon")
    share(shared, people.fr_ngo, LOCATE)
    login(client, people.claire, LOCATE)
    page = client.get("/cases/")
    assert page.status_code == 200
    body = page.content.decode()
    assert shared.reference in body
    assert "Filmon" not in body


def test_finding_1_a_context_never_lifts_the_firewall(people):
    """A context with an immigration-enforcement organisation opens nothing, whatever is granted."""
    case = _missing(people, "Yonas")
    share(case, people.immigration, LOCATE)
    with pytest.raises(NotFound):
        access_case(people.ivan, case.public_id, LOCATE)
