"""The reconciler finds lost, doubled, unevidenced and unverifiable messages."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, transaction

from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, InboxMessage, OutboxMessage, Thread, ThreadMessage
from waymark.exchange.reconcile import ledger, reconcile
from waymark.exchange.registry import current_registry
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case

IT = {"it-cps-milano", "it-guardians", "xx-immigration"}
FR = {"fr-ngo-calais"}


@pytest.fixture
def exchanged(people, federation, wire):
    case = create_case(people.giulia)
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
    )
    notices.do_send_notice(
        people.giulia, case, notices.NoticeIn(to_org="fr-ngo-calais", subject="Note"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    received = Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)
    referrals.do_accept_referral(people.claire, received, referrals.ReferralAcceptIn(), node=federation.fr)
    dispatch_pending(federation.fr, wire)


def check(**kw):
    return reconcile([ledger("node-it", orgs=IT), ledger("node-fr", orgs=FR)], current_registry(), **kw)


def test_a_clean_exchange_reconciles(exchanged):
    report = check()
    assert report.ok, report.problems
    assert (report.receipted, report.inbox_accepted, report.effects, report.receipts_verified) == (3, 3, 3, 3)


def test_a_lost_effect_is_found(exchanged):
    Thread.objects.filter(kind="notice").filter(direction=Direction.INCOMING).delete()
    assert any("applied 0 times" in p for p in check().problems)


def test_a_doubled_effect_cannot_be_recorded(exchanged):
    # The same message applied a second time would be a second thread it opened, or a second
    # incoming ledger entry with its id: both are refused (one thread per opening message and
    # direction, one ledger entry per message and direction), so the reconciler's "applied 2
    # times" can only come from a store that lost those constraints.
    notice = Thread.objects.filter(kind="notice").get(direction=Direction.INCOMING)
    twin = Thread.objects.get(pk=notice.pk)
    twin.pk, twin.public_id = None, uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save(force_insert=True)
    # A ledger row holding the opening message (as threads written before the thread row stood
    # for it have) is the same effect, counted once; a second one is refused.
    entry = {
        "thread": notice,
        "message_id": notice.opened_message_id,
        "direction": Direction.INCOMING,
        "type": "notice",
        "at": notice.created_at,
    }
    ThreadMessage.objects.create(**entry)
    assert check().ok
    with pytest.raises(IntegrityError), transaction.atomic():
        ThreadMessage.objects.create(**entry)
    assert check().ok


def test_a_receipt_that_does_not_verify_is_found(exchanged):
    row = OutboxMessage.objects.filter(message_type="notice").get()
    OutboxMessage.objects.filter(pk=row.pk).update(receipt=row.receipt[:-8] + "AAAAAAAA")
    assert any("receipt does not verify" in p for p in check().problems)


def test_a_message_still_queued_is_reported_unless_allowed(people, federation, exchanged):
    case = create_case(people.giulia, given_names="Other")
    notices.do_send_notice(
        people.giulia, case, notices.NoticeIn(to_org="fr-ngo-calais", subject="Later"), node=federation.it
    )
    assert any("still pending" in p for p in check().problems)
    assert check(allow_in_flight=True).ok


def test_a_message_in_the_inbox_but_not_receipted_by_the_sender_is_found(exchanged):
    mid = InboxMessage.objects.filter(message_type="notice").get().message_id
    OutboxMessage.objects.filter(message_id=mid).update(status="pending")
    assert any("accepted by node-fr but pending" in p for p in check().problems)
