"""A notice reaches the other organisation, and its linked case when the conversation has one."""

from __future__ import annotations

from waymark.cases.models import Event
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case
from waymark.vocab import DataCategory


def test_a_notice_in_a_linked_conversation_lands_on_the_receivers_case(people, federation, wire):
    case = create_case(people.giulia)
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    received = Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)
    referrals.do_accept_referral(people.claire, received, referrals.ReferralAcceptIn(), node=federation.fr)
    received.refresh_from_db()

    notices.do_send_notice(
        people.giulia,
        case,
        notices.NoticeIn(
            to_org="fr-ngo-calais",
            category=DataCategory.CONTACT_LOCATION,
            subject="Left the centre",
            text="At 21:00.",
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)

    notice = Thread.objects.filter(kind="notice").get(direction=Direction.INCOMING)
    assert notice.case == received.case
    assert Event.objects.filter(
        case=received.case, summary__startswith="Notice from Servizio", category=DataCategory.CONTACT_LOCATION
    ).exists()


def test_a_notice_without_a_linked_case_waits_on_the_dashboard(people, federation, wire):
    case = create_case(people.giulia)
    notices.do_send_notice(
        people.giulia, case, notices.NoticeIn(to_org="be-police-mpu", subject="FYI"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    notice = Thread.objects.filter(kind="notice").get(direction=Direction.INCOMING)
    assert notice.case is None and notice.local_org == people.be_police
