"""A referral end to end between two nodes: offer, accept (a case is opened at the receiver),
done; or reject with a reason; or revoke. Each step shows on both case timelines."""

from __future__ import annotations

import pytest

from waymark.cases.models import Case, Event
from waymark.core.protocol.messages import ReferralOutcome, RejectReason, RevokeReason
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case
from waymark.vocab import DataCategory


@pytest.fixture
def offered(people, federation, wire):
    """Giulia (Milan) refers Amina to Claire's NGO in Calais; the offer is delivered."""
    case = create_case(
        people.giulia, given_names="Amina", family_name="Tesfay", nationality="ER", languages=["ti"]
    )
    referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(
            to_org="fr-ngo-calais",
            reason="She intends to travel to Calais.",
            services_requested=["shelter"],
            include=[DataCategory.CASE_NOTES, DataCategory.LEGAL_STATUS],
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return case, Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)


def summaries(case):
    """The timeline's summaries as people read them (special categories are sealed at rest)."""
    events = Event.objects.filter(case=case).select_related("case__child").order_by("occurred_at", "id")
    return [e.summary_text for e in events]


def test_accepting_opens_a_case_at_the_receiver_and_tells_the_referrer(people, federation, wire, offered):
    case, received = offered
    assert received.data.doc("offer")["child"]["nationality"] == "ER"

    referrals.do_accept_referral(
        people.claire, received, referrals.ReferralAcceptIn(note="We will meet her."), node=federation.fr
    )
    dispatch_pending(federation.fr, wire)

    received.refresh_from_db()
    assert received.status == "accepted"
    theirs = received.case
    assert theirs is not None and theirs.organisation == people.fr_ngo
    assert theirs.child.full_name == "Amina Tesfay" and theirs.child.nationality == "ER"
    assert theirs.child.is_fictional
    sent = Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING)
    assert sent.status == "accepted" and "We will meet her." in sent.data.text("response_reason")
    assert "Referral accepted by Association Refuge Calais (fictional) (FR)" in summaries(case)
    assert any(s.startswith("Referral offered by Servizio Tutela Minori") for s in summaries(theirs))

    referrals.do_complete_referral(
        people.claire,
        received,
        referrals.ReferralDoneIn(outcome=ReferralOutcome.SERVICES_PROVIDED),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)
    sent.refresh_from_db()
    assert sent.status == "done"
    assert any(s.startswith("Referral completed by") for s in summaries(case))


def test_accepting_into_a_case_the_receiver_already_holds(people, federation, wire, offered):
    _, received = offered
    known = create_case(people.claire, given_names="Amina", family_name="Tesfay")
    referrals.do_accept_referral(
        people.claire, received, referrals.ReferralAcceptIn(existing_case=known.reference), node=federation.fr
    )
    received.refresh_from_db()
    assert received.case == known
    assert Case.objects.filter(organisation=people.fr_ngo).count() == 1


def test_rejecting_gives_the_reason_and_clears_the_offer(people, federation, wire, offered):
    case, received = offered
    referrals.do_reject_referral(
        people.claire,
        received,
        referrals.ReferralRejectIn(reason_code=RejectReason.NO_CAPACITY, note="Shelter full this week."),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)

    received.refresh_from_db()
    assert received.status == "rejected" and received.data.doc("offer") == {}
    sent = Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING)
    assert sent.status == "rejected"
    assert "No capacity" in sent.data.text("response_reason") and "Shelter full" in sent.data.text(
        "response_reason"
    )
    assert "Referral rejected by Association Refuge Calais (fictional) (FR)" in summaries(case)


def test_revoking_withdraws_the_offer_and_the_receiver_purges_it(people, federation, wire, offered):
    _, received = offered
    sent = Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING)
    referrals.do_revoke_referral(
        people.giulia,
        sent,
        referrals.ReferralRevokeIn(reason_code=RevokeReason.CONSENT_WITHDRAWN),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)

    received.refresh_from_db()
    assert received.status == "revoked" and received.data.doc("offer") == {}
    with pytest.raises(ActionError, match="cannot be accepted"):
        referrals.do_accept_referral(
            people.claire, received, referrals.ReferralAcceptIn(), node=federation.fr
        )


def test_only_the_receiving_organisation_may_answer(people, federation, wire, offered):
    _, received = offered
    with pytest.raises(ActionError):
        referrals.do_accept_referral(people.luc, received, referrals.ReferralAcceptIn(), node=federation.be)
    with pytest.raises(ActionError):
        referrals.do_accept_referral(people.ivan, received, referrals.ReferralAcceptIn(), node=federation.fr)
    assert OutboxMessage.objects.filter(message_type="referral_accept").count() == 0


def test_an_answer_crossing_a_revocation_is_kept_but_does_not_undo_it(people, federation, wire, offered):
    _, received = offered
    sent = Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING)
    referrals.do_revoke_referral(
        people.giulia,
        sent,
        referrals.ReferralRevokeIn(reason_code=RevokeReason.SENT_IN_ERROR),
        node=federation.it,
    )
    referrals.do_accept_referral(
        people.claire, received, referrals.ReferralAcceptIn(), node=federation.fr
    )  # before it arrives
    dispatch_pending(federation.fr, wire)
    dispatch_pending(federation.it, wire)

    sent.refresh_from_db()
    assert sent.status == "revoked"
    assert sent.messages.filter(type="referral_accept", direction=Direction.INCOMING).exists()
