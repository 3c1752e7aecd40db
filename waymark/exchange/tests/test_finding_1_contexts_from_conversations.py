"""Issue 9, finding 1 (need to know), as the exchange opens and closes contexts: a partner on this
node sees one of our children, under its agreement, only once we share a conversation about that
child with it, and no longer once the conversation ends."""

from __future__ import annotations

import pytest

from waymark.cases.access import access_case, cases_visible_to
from waymark.core.protocol.messages import RejectReason, RevokeReason
from waymark.errors import ActionError, NotFound
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import referral as referrals
from waymark.policy.models import SharedContext
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case
from waymark.vocab import CaseStatus, ContextSource, DataCategory, Purpose, Role

CP = Purpose.CHILD_PROTECTION


@pytest.fixture
def policy_agreement(people):
    """In the policy registry: Calais caseworkers read identity for child protection."""
    return create_agreement(
        "it-fr-cp",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, CP)],
    )


def offer(people, federation, case):
    return referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason="She intends to travel to Calais."),
        node=federation.it,
    )


def test_finding_1_a_referral_opens_that_child_and_no_other(people, federation, wire, policy_agreement):
    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    other = create_case(people.giulia, given_names="Saba", family_name="Kidane")
    with pytest.raises(NotFound):
        access_case(people.claire, amina.public_id, CP)

    sent = offer(people, federation, amina)

    context = SharedContext.objects.get()
    assert (context.case, context.partner, context.purpose) == (amina, "fr-ngo-calais", CP)
    assert (context.source, context.source_id) == (ContextSource.REFERRAL, sent.public_id)
    assert access_case(people.claire, amina.public_id, CP).allowed == {DataCategory.IDENTITY}
    assert list(cases_visible_to(people.claire, CP)) == [amina]
    with pytest.raises(NotFound):
        access_case(people.claire, other.public_id, CP)


def test_finding_1_revoking_the_referral_closes_the_child_again(people, federation, wire, policy_agreement):
    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    sent = offer(people, federation, amina)
    referrals.do_revoke_referral(
        people.giulia,
        sent,
        referrals.ReferralRevokeIn(reason_code=RevokeReason.SENT_IN_ERROR),
        node=federation.it,
    )
    with pytest.raises(NotFound):
        access_case(people.claire, amina.public_id, CP)
    assert not cases_visible_to(people.claire, CP).exists()


def test_finding_1_a_rejection_received_closes_the_child(people, federation, wire, policy_agreement):
    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    offer(people, federation, amina)
    dispatch_pending(federation.it, wire)
    received = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    referrals.do_reject_referral(
        people.claire,
        received,
        referrals.ReferralRejectIn(reason_code=RejectReason.NO_CAPACITY),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)
    assert Thread.objects.get(kind="referral", direction=Direction.OUTGOING).status == "rejected"
    with pytest.raises(NotFound):
        access_case(people.claire, amina.public_id, CP)


def test_finding_1_locating_is_refused_for_a_child_who_is_not_missing(people, federation, wire):
    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    assert amina.status != CaseStatus.MISSING
    with pytest.raises(ActionError, match="only while the child is missing"):
        referrals.do_offer_referral(
            people.giulia,
            amina,
            referrals.ReferralIn(
                to_org="fr-ngo-calais", reason="Seen near Calais.", purpose=Purpose.LOCATE_MISSING_CHILD
            ),
            node=federation.it,
        )
    assert not SharedContext.objects.exists()


def test_finding_10_consent_a_referral_under_an_agreement_that_rests_on_consent_needs_it(
    people, federation, wire
):
    """The registry's agreement for Milan and Calais is, in the policy registry, one that rests on
    the child's consent: sending needs the child's consent for what is sent."""
    from django.utils import timezone

    from waymark.cases import actions
    from waymark.cases.schemas import ConsentIn
    from waymark.core.protocol.testing import AGREEMENT_ID

    amina = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    agreement = create_agreement(AGREEMENT_ID, [people.it_cps, people.fr_ngo])
    agreement.requires_consent = True
    agreement.save()
    with pytest.raises(ActionError, match="rests on the child's consent"):
        offer(people, federation, amina)
    assert not SharedContext.objects.exists()
    actions.do_record_consent(
        people.giulia,
        amina,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=CP,
            categories=list(DataCategory),
            valid_from=timezone.localdate(),
        ),
    )
    offer(people, federation, amina)
    assert SharedContext.objects.filter(case=amina).exists()
