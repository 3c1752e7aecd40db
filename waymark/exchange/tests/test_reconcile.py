"""The reconciler finds lost, doubled, unevidenced and unverifiable messages."""

from __future__ import annotations

import pytest

from waymark.exchange import actions
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, InboxMessage, InfoRequest, Notice, OutboxMessage, Referral
from waymark.exchange.reconcile import ledger, reconcile
from waymark.exchange.registry import current_registry
from waymark.exchange.schemas import NoticeIn, ReferralAcceptIn, ReferralIn
from waymark.test import create_case

IT = {"it-cps-milano", "it-guardians", "xx-immigration"}
FR = {"fr-ngo-calais"}


@pytest.fixture
def exchanged(people, federation, wire):
    case = create_case(people.giulia)
    actions.do_offer_referral(people.giulia, case, ReferralIn(to_org="fr-ngo-calais"), node=federation.it)
    actions.do_send_notice(
        people.giulia, case, NoticeIn(to_org="fr-ngo-calais", subject="Note"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    received = Referral.objects.get(direction=Direction.INCOMING)
    actions.do_accept_referral(people.claire, received, ReferralAcceptIn(), node=federation.fr)
    dispatch_pending(federation.fr, wire)


def check(**kw):
    return reconcile([ledger("node-it", orgs=IT), ledger("node-fr", orgs=FR)], current_registry(), **kw)


def test_a_clean_exchange_reconciles(exchanged):
    report = check()
    assert report.ok, report.problems
    assert (report.receipted, report.inbox_accepted, report.effects, report.receipts_verified) == (3, 3, 3, 3)


def test_a_lost_effect_is_found(exchanged):
    Notice.objects.filter(direction=Direction.INCOMING).delete()
    assert any("applied 0 times" in p for p in check().problems)


def test_a_doubled_effect_is_found(exchanged):
    # The same message applied a second time (here a second thread recording its id).
    notice = Notice.objects.get(direction=Direction.INCOMING)
    InfoRequest.objects.create(
        direction=Direction.INCOMING,
        conversation_id=notice.conversation_id,
        local_org=notice.local_org,
        peer_node=notice.peer_node,
        peer_org=notice.peer_org,
        agreement_id=notice.agreement_id,
        purpose=notice.purpose,
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        request_message_id=notice.message_id,
    )
    assert any("applied 2 times" in p for p in check().problems)


def test_a_receipt_that_does_not_verify_is_found(exchanged):
    row = OutboxMessage.objects.filter(message_type="notice").get()
    OutboxMessage.objects.filter(pk=row.pk).update(receipt=row.receipt[:-8] + "AAAAAAAA")
    assert any("receipt does not verify" in p for p in check().problems)


def test_a_message_still_queued_is_reported_unless_allowed(people, federation, exchanged):
    case = create_case(people.giulia, given_names="Other")
    actions.do_send_notice(
        people.giulia, case, NoticeIn(to_org="fr-ngo-calais", subject="Later"), node=federation.it
    )
    assert any("still pending" in p for p in check().problems)
    assert check(allow_in_flight=True).ok


def test_a_message_in_the_inbox_but_not_receipted_by_the_sender_is_found(exchanged):
    mid = InboxMessage.objects.filter(message_type="notice").get().message_id
    OutboxMessage.objects.filter(message_id=mid).update(status="pending")
    assert any("accepted by node-fr but pending" in p for p in check().problems)
