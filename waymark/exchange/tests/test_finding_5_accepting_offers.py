"""Issue 9, finding 5: accepting an offer into an existing case took any case reference of the
user's organisation and overwrote status, risk and care plan without an update-permission check —
even on a transferred read-only copy; opening a new case from an offer skipped the registration
check. Each acceptance now asks the policy, for the thread's purpose, before it writes anything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.actions import close_transferred_copy
from waymark.cases.models import Case, Child
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.threads import referral as referrals
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case, create_user
from waymark.vocab import AuditDecision, AuditKind, CaseStatus, Purpose, Role

pytestmark = pytest.mark.django_db


def received(kind: str) -> Thread:
    return Thread.objects.get(kind=kind, direction=Direction.INCOMING)


@pytest.fixture
def transfer_offered(people, federation, wire) -> Thread:
    case = create_case(people.giulia, given_names="Yonas")
    transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return received("transfer")


@pytest.fixture
def referral_offered(people, federation, wire) -> Thread:
    case = create_case(people.giulia, given_names="Amina")
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    return received("referral")


def read_only_copy(people) -> Case:
    """A case the French NGO handed over elsewhere: closed, read-only, kept for retention."""
    copy = create_case(people.claire, given_names="Copy")
    close_transferred_copy(
        copy, at=timezone.now(), retain_until=timezone.now().date() + dt.timedelta(days=30)
    )
    copy.refresh_from_db()
    assert copy.status == CaseStatus.TRANSFERRED
    return copy


def test_finding_5_a_transfer_is_not_accepted_into_a_read_only_transferred_copy(
    people, federation, transfer_offered
):
    copy = read_only_copy(people)
    sent_before = OutboxMessage.objects.count()

    with pytest.raises(ActionError, match=f"no case {copy.reference} you may update"):
        transfers.do_accept_transfer(
            people.claire,
            transfer_offered,
            transfers.TransferAcceptIn(existing_case=copy.reference),
            node=federation.fr,
        )

    copy.refresh_from_db()
    assert copy.status == CaseStatus.TRANSFERRED and copy.risk_reasons_text == ""
    assert received("transfer").status == "offered"
    assert OutboxMessage.objects.count() == sent_before
    # The refusal is in the audit log: the update was decided, and denied, for this case.
    assert AuditEntry.objects.filter(
        kind=AuditKind.ACCESS_DECISION,
        actor="claire",
        case_reference=copy.reference,
        decision=AuditDecision.DENY,
        details__action="update",
    ).exists()


def test_finding_5_a_referral_is_not_accepted_into_a_read_only_transferred_copy(
    people, federation, referral_offered
):
    copy = read_only_copy(people)

    with pytest.raises(ActionError, match="you may update"):
        referrals.do_accept_referral(
            people.claire,
            referral_offered,
            referrals.ReferralAcceptIn(existing_case=copy.reference),
            node=federation.fr,
        )

    assert received("referral").status == "offered" and received("referral").case is None


def test_finding_5_the_same_refusal_for_a_case_that_does_not_exist_and_one_that_is_not_yours(
    people, federation, referral_offered
):
    italian = create_case(people.giulia, given_names="Other")
    for reference in ("NO-SUCH-1", italian.reference):
        with pytest.raises(ActionError) as caught:
            referrals.do_accept_referral(
                people.claire,
                referral_offered,
                referrals.ReferralAcceptIn(existing_case=reference),
                node=federation.fr,
            )
        assert caught.value.errors == {
            "existing_case": [
                f"your organisation holds no case {reference} you may update for child_protection"
            ]
        }


def test_finding_5_opening_a_case_from_an_offer_needs_the_right_to_register(
    people, federation, referral_offered
):
    hotline = create_user("hana", people.fr_ngo, Role.HOTLINE_OPERATOR)
    children = Child.objects.count()

    with pytest.raises(ActionError, match="may not register a child"):
        referrals.do_accept_referral(
            hotline, referral_offered, referrals.ReferralAcceptIn(), node=federation.fr
        )

    assert Child.objects.count() == children
    assert received("referral").status == "offered"
