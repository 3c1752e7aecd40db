"""Fetch-and-authorise through the policy engine: purpose-bound, per category, audited, deny by default."""

from __future__ import annotations

import uuid

import pytest

from waymark.audit.models import AuditEntry
from waymark.audit.testing import audit_unavailable
from waymark.cases.access import access_case, cases_visible_to, decide_page
from waymark.cases.models import Case
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import PurposeRequired
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, share
from waymark.vocab import AuditDecision, DataCategory, Purpose, Role

CP = Purpose.CHILD_PROTECTION
LOCATE = Purpose.LOCATE_MISSING_CHILD


def calais_agreement(people, **kwargs):
    """Claire's NGO may read identity and photo of the Italian service's cases to locate a child."""
    grants = [
        (people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, LOCATE),
        (people.fr_ngo, Role.CASEWORKER, DataCategory.PHOTO, LOCATE),
    ]
    return create_agreement("it-fr-locate", [people.it_cps, people.fr_ngo], grants=grants, **kwargs)


def test_colleagues_of_the_owning_organisation_see_every_category(people):
    case = create_case(people.giulia)
    access = access_case(people.sara, case.public_id, CP)
    assert access.case == case
    assert access.allowed == set(DataCategory.values)
    assert list(cases_visible_to(people.sara, CP)) == [case]


def test_the_childs_guardian_sees_the_case_from_another_organisation(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    assert access_case(people.marco, case.public_id, CP).case == case
    assert list(cases_visible_to(people.marco, CP)) == [case]


@pytest.mark.parametrize("who", ["claire", "luc", "ivan", "marco"])
def test_others_get_not_found(people, who):
    case = create_case(people.giulia)
    with pytest.raises(NotFound):
        access_case(getattr(people, who), case.public_id, CP)
    assert not cases_visible_to(getattr(people, who), CP).exists()


def test_under_an_agreement_only_the_granted_categories_are_shown(people):
    case = create_case(people.giulia)
    share(case, people.fr_ngo, LOCATE, missing=True)  # need to know: a context about this child
    calais_agreement(people)
    access = access_case(people.claire, case.public_id, LOCATE)
    assert access.allowed == {DataCategory.IDENTITY, DataCategory.PHOTO}
    assert not access.can(DataCategory.HEALTH)
    assert access.withheld_note(DataCategory.HEALTH) == "not shared with you under agreement it-fr-locate"
    assert list(cases_visible_to(people.claire, LOCATE)) == [case]
    # The same agreement opens nothing for another purpose.
    with pytest.raises(NotFound):
        access_case(people.claire, case.public_id, CP)
    assert not cases_visible_to(people.claire, CP).exists()


def test_an_expired_or_suspended_agreement_opens_nothing(people):
    import datetime as dt

    from django.utils import timezone

    case = create_case(people.giulia)
    share(case, people.fr_ngo, LOCATE, missing=True)  # need to know: a context about this child
    agreement = calais_agreement(people, valid_until=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(NotFound):
        access_case(people.claire, case.public_id, LOCATE)
    assert not cases_visible_to(people.claire, LOCATE).exists()
    agreement.delete()
    calais_agreement(people, status="suspended")
    with pytest.raises(NotFound):
        access_case(people.claire, case.public_id, LOCATE)


def test_immigration_enforcement_purpose_is_refused_to_everyone(people):
    case = create_case(people.giulia)
    for who in (people.giulia, people.sara, people.marco):
        with pytest.raises(NotFound):
            access_case(who, case.public_id, Purpose.IMMIGRATION_ENFORCEMENT)
        assert not cases_visible_to(who, Purpose.IMMIGRATION_ENFORCEMENT).exists()
    refusals = AuditEntry.objects.filter(purpose=Purpose.IMMIGRATION_ENFORCEMENT, decision=AuditDecision.DENY)
    assert refusals.count() == 3
    assert all("firewall-purpose" in e.reasons for e in refusals)


def test_an_immigration_enforcement_organisation_sees_nothing_even_its_own_records(people):
    # A record that somehow sits with an immigration-enforcement organisation (registering
    # through actions is refused): still invisible to it, even with a mistaken grant.
    case = create_case(people.giulia)
    Case.objects.filter(pk=case.pk).update(organisation=people.immigration)
    with pytest.raises(NotFound):
        access_case(people.ivan, case.public_id, CP)
    assert not cases_visible_to(people.ivan, CP).exists()


def test_an_immigration_enforcement_user_cannot_register_a_child(people):
    with pytest.raises(ActionError):
        create_case(people.ivan)
    assert not Case.objects.exists()


def test_a_purpose_must_be_declared(people):
    case = create_case(people.giulia)
    for bad in ("", "curiosity"):
        with pytest.raises(PurposeRequired):
            access_case(people.giulia, case.public_id, bad)


def test_unknown_and_malformed_ids_look_like_not_allowed(people):
    with pytest.raises(NotFound):
        access_case(people.giulia, uuid.uuid4(), CP)
    with pytest.raises(NotFound):
        access_case(people.giulia, "not-a-uuid", CP)


def test_an_inactive_user_sees_nothing(people):
    case = create_case(people.giulia)
    people.sara.is_active = False
    people.sara.save()
    assert not cases_visible_to(people.sara, CP).exists()
    with pytest.raises(NotFound):
        access_case(people.sara, case.public_id, CP)


def test_every_decision_is_audited_allow_and_deny(people):
    case = create_case(people.giulia)
    share(case, people.fr_ngo, LOCATE, missing=True)  # need to know: a context about this child
    calais_agreement(people)
    before = AuditEntry.objects.count()
    access_case(people.claire, case.public_id, LOCATE)
    entries = list(AuditEntry.objects.filter(seq__gte=before).order_by("seq"))
    allow = next(e for e in entries if e.decision == AuditDecision.ALLOW)
    deny = next(e for e in entries if e.decision == AuditDecision.DENY)
    assert sorted(allow.categories) == ["identity", "photo"]
    assert allow.agreement == "it-fr-locate"
    assert "health" in deny.categories
    assert allow.case_reference == case.reference
    assert allow.actor == "claire"


def test_access_is_refused_when_the_audit_log_cannot_be_written(people):
    case = create_case(people.giulia)
    with audit_unavailable(), pytest.raises(Exception, match="audit"):
        access_case(people.giulia, case.public_id, CP)


def test_an_update_needs_every_category_it_writes(people):
    case = create_case(people.giulia)
    share(case, people.fr_ngo, LOCATE, missing=True)  # need to know: a context about this child
    calais_agreement(people)
    with pytest.raises(NotFound):
        access_case(
            people.claire, case.public_id, LOCATE, action="update", categories=[DataCategory.IDENTITY]
        )
    assert access_case(people.giulia, case.public_id, CP, action="update", categories=[DataCategory.HEALTH])


def test_a_list_page_is_decided_in_one_batch_and_audited_per_child(people):
    cases = [create_case(people.giulia, given_names=f"Amina {i}") for i in range(3)]
    before = AuditEntry.objects.count()
    page = decide_page(people.sara, cases, CP)
    assert all(page.shown(c, DataCategory.IDENTITY) for c in cases)
    assert AuditEntry.objects.filter(seq__gte=before, decision=AuditDecision.ALLOW).count() == 3
