"""Finding 10 (erasure): erasing a child reaches the nodes that received their data.

The Milan DPO erases a child; every organisation the exchange ledger shows was sent data about
the child gets an ``erasure_notice`` (ids only, no child data), erases the copies it holds as a
recipient in one transaction, confirms with ``erasure_done`` and audits it. A case the recipient
now owns after a transfer is not erased automatically: it waits for its DPO, and the sender sees
who has not confirmed."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.erasure import do_erase_child as do_erase_here_only
from waymark.cases.models import Case, Child
from waymark.core.protocol.envelope import open_envelope, peek_routing
from waymark.core.protocol.messages import MessageType
from waymark.errors import ActionError, NotFound
from waymark.exchange import erasure, threads
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, OutboxStatus, Thread
from waymark.exchange.registry import current_registry
from waymark.exchange.testing import dated_registry
from waymark.exchange.threads import notice as plain_notices
from waymark.exchange.threads import referral as referrals
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case
from waymark.vault import service as vault
from waymark.vocab import AuditKind, KeepBasis, Purpose

from .erasing import erase_form

pytestmark = pytest.mark.django_db

SECRET = "Kebede-7731"  # fictional; must never travel in an erasure notice


def referred_and_accepted(people, fed, wire):
    """Giulia refers Amina to Calais; Claire accepts: a case is registered there from the offer."""
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason=f"Uncle {SECRET} in Calais"),
        node=fed.it,
    )
    dispatch_pending(fed.it, wire)
    received = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    accepted = referrals.do_accept_referral(
        people.claire, received, referrals.ReferralAcceptIn(), node=fed.fr
    )
    dispatch_pending(fed.fr, wire)
    assert accepted.case is not None
    return case, accepted


def transferred(people, fed, wire):
    """Giulia transfers Amina's case to Calais; Claire accepts: Calais now owns the case."""
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(
            confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION, reason="moved"
        ),
        node=fed.it,
    )
    dispatch_pending(fed.it, wire)
    received = Thread.objects.get(kind="transfer", direction=Direction.INCOMING)
    accepted = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(), node=fed.fr
    )
    dispatch_pending(fed.fr, wire)
    case.refresh_from_db()
    assert case.status == "transferred" and accepted.case is not None
    return case, accepted.case


def notice_threads(direction):
    return Thread.objects.filter(kind="erasure_notice", direction=direction)


def test_finding_10_erasure_a_recipient_copy_is_erased_and_confirmed(people, takes_erasure, wire, dpos):
    fed = takes_erasure
    case, accepted = referred_and_accepted(people, fed, wire)
    theirs = accepted.case
    assert theirs.organisation == people.fr_ngo

    done = erasure.do_erase_child(dpos.it, case, erase_form(case), node=fed.it)

    assert not Case.objects.filter(pk=case.pk).exists()
    [sent] = done.notices
    assert (sent.peer_org, sent.status, sent.direction) == ("fr-ngo-calais", "sent", Direction.OUTGOING)
    row = OutboxMessage.objects.get(message_type=MessageType.ERASURE_NOTICE)
    assert row.categories == [] and row.to_org == "fr-ngo-calais"

    dispatch_pending(fed.it, wire)  # the notice reaches Calais, which erases its copy at once

    assert not Case.objects.filter(pk=theirs.pk).exists()
    assert not Child.objects.filter(pk=theirs.child_id).exists()
    assert vault.is_shredded(theirs.child.public_id)
    offer = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    assert offer.case is None and SECRET not in json.dumps(offer.data.doc("offer"))
    assert offer.data.text("reason") in ("", vault.ERASED)
    [there] = notice_threads(Direction.INCOMING)
    assert there.status == "erased" and there.local_org == people.fr_ngo
    assert AuditEntry.objects.filter(kind=AuditKind.ERASURE, actor_org="fr-ngo-calais").exists()

    dispatch_pending(fed.fr, wire)  # the confirmation comes back

    sent.refresh_from_db()
    assert sent.status == "erased"
    assert [m.type for m in threads.ledger(sent)] == [MessageType.ERASURE_NOTICE, MessageType.ERASURE_DONE]
    assert erasure.unconfirmed(people.it_cps) == []


def test_finding_10_erasure_the_notice_carries_ids_only_never_child_data(people, takes_erasure, wire, dpos):
    fed = takes_erasure
    case, _accepted = referred_and_accepted(people, fed, wire)
    sent_ids = sorted(
        str(m.message_id)
        for m in threads.ledger(Thread.objects.get(kind="referral", direction=Direction.OUTGOING))
        if m.direction == Direction.OUTGOING
    )
    erasure.do_erase_child(dpos.it, case, erase_form(case), node=fed.it)
    wire.sent.clear()
    dispatch_pending(fed.it, wire)

    # (One dispatch delivers every node's queue in this shared database: Calais's answer too.)
    [raw] = [raw for to, raw in wire.sent if to == "node-fr"]
    assert peek_routing(raw).from_node == "node-it"
    opened = open_envelope(raw, fed.fr.keys, current_registry().resolve_signing_key, timezone.now())
    assert opened.header.type == MessageType.ERASURE_NOTICE and opened.header.data_categories == ()
    body = opened.body.model_dump(mode="json")
    assert SECRET not in json.dumps(body) and "Amina" not in json.dumps(body)
    assert sorted(body["message_ids"]) == sent_ids
    assert body["legal_basis"] == "consent_withdrawn"


def test_finding_10_erasure_an_offer_not_yet_answered_is_purged_at_the_recipient(
    people, takes_erasure, wire, dpos
):
    fed = takes_erasure
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais", reason=f"{SECRET}"), node=fed.it
    )
    dispatch_pending(fed.it, wire)

    erasure.do_erase_child(dpos.it, case, erase_form(case), node=fed.it)
    dispatch_pending(fed.it, wire)
    dispatch_pending(fed.fr, wire)

    offer = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    assert SECRET not in json.dumps(offer.data.doc("offer")) and offer.data.text("reason") in (
        "",
        vault.ERASED,
    )
    assert notice_threads(Direction.OUTGOING).get().status == "erased"
    assert notice_threads(Direction.INCOMING).get().facts["threads_erased"] == 1


def test_finding_10_erasure_a_case_the_recipient_owns_goes_to_its_dpo(people, takes_erasure, wire, dpos):
    fed = takes_erasure
    copy, owned = transferred(people, fed, wire)

    erasure.do_erase_child(dpos.it, copy, erase_form(copy), node=fed.it)
    dispatch_pending(fed.it, wire)
    dispatch_pending(fed.fr, wire)

    # Calais is responsible for the child now: nothing of its case is erased without its DPO.
    assert Case.objects.filter(pk=owned.pk).exists()
    [there] = notice_threads(Direction.INCOMING)
    assert there.status == "sent"
    assert [item.case for item in erasure.awaiting_decision(people.fr_ngo)] == [owned]
    # Milan sees that Calais has not confirmed.
    [waiting] = erasure.unconfirmed(people.it_cps)
    assert waiting.peer_org == "fr-ngo-calais"

    erasure.do_keep_case(
        dpos.fr,
        there,
        owned,
        erasure.KeepIn(
            reason="Open child-protection measure ordered by the court.",
            kept_basis=KeepBasis.LEGAL_OBLIGATION,
        ),
        node=fed.fr,
    )
    dispatch_pending(fed.fr, wire)

    assert Case.objects.filter(pk=owned.pk).exists()
    assert erasure.awaiting_decision(people.fr_ngo) == []
    sent = notice_threads(Direction.OUTGOING).get()
    assert sent.status == "kept" and sent.facts["kept_basis"] == "legal_obligation"
    assert erasure.unconfirmed(people.it_cps) == []
    assert AuditEntry.objects.filter(kind=AuditKind.OTHER, actor="fanny").exists()


def test_finding_10_erasure_the_owning_dpo_may_erase_and_that_confirms(people, takes_erasure, wire, dpos):
    fed = takes_erasure
    copy, owned = transferred(people, fed, wire)
    erasure.do_erase_child(dpos.it, copy, erase_form(copy), node=fed.it)
    dispatch_pending(fed.it, wire)

    erasure.do_erase_child(dpos.fr, owned, erase_form(owned), node=fed.fr)

    assert erasure.awaiting_decision(people.fr_ngo) == []
    # The confirmation goes back to Milan; no notice goes back to Milan about the same child.
    assert not OutboxMessage.objects.filter(
        message_type=MessageType.ERASURE_NOTICE, from_org="fr-ngo-calais"
    ).exists()
    dispatch_pending(fed.fr, wire)
    assert notice_threads(Direction.OUTGOING).get().status == "erased"


def test_finding_10_erasure_only_the_owning_organisations_dpo_keeps_a_case(people, takes_erasure, wire, dpos):
    fed = takes_erasure
    copy, owned = transferred(people, fed, wire)
    erasure.do_erase_child(dpos.it, copy, erase_form(copy), node=fed.it)
    dispatch_pending(fed.it, wire)
    there = notice_threads(Direction.INCOMING).get()
    keep = erasure.KeepIn(reason="Court order in force for this child.", kept_basis=KeepBasis.LEGAL_CLAIMS)

    for who in (people.claire, dpos.it, dpos.be, people.ivan):
        with pytest.raises(NotFound):
            erasure.do_keep_case(who, there, owned, keep, node=fed.fr)
    there.refresh_from_db()
    assert there.status == "sent" and [w.case for w in erasure.awaiting_decision(people.fr_ngo)] == [owned]


def test_finding_10_erasure_recipients_of_the_recipient_are_told_in_turn(people, takes_erasure, wire, dpos):
    fed = takes_erasure
    case, accepted = referred_and_accepted(people, fed, wire)
    plain_notices.do_send_notice(
        people.claire,
        accepted.case,
        plain_notices.NoticeIn(to_org="be-police-mpu", subject=f"{SECRET} seen", text="at the station"),
        node=fed.fr,
    )
    dispatch_pending(fed.fr, wire)
    in_brussels = Thread.objects.get(kind="notice", direction=Direction.INCOMING, local_org=people.be_police)
    assert SECRET in in_brussels.data.text("subject")

    erasure.do_erase_child(dpos.it, case, erase_form(case), node=fed.it)
    dispatch_pending(fed.it, wire)  # Calais erases its copy and tells Brussels
    dispatch_pending(fed.fr, wire)

    in_brussels.refresh_from_db()
    assert SECRET not in in_brussels.data.text("subject")
    cascade = Thread.objects.get(kind="erasure_notice", direction=Direction.OUTGOING, local_org=people.fr_ngo)
    dispatch_pending(fed.be, wire)
    cascade.refresh_from_db()
    assert cascade.status == "erased"


def test_finding_10_erasure_messages_not_yet_sent_are_withdrawn_not_sent_after(
    people, takes_erasure, wire, dpos
):
    fed = takes_erasure
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    wire.down.add("node-fr")
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais", reason=SECRET), node=fed.it
    )
    dispatch_pending(fed.it, wire)
    assert OutboxMessage.objects.get(message_type=MessageType.REFERRAL_OFFER).status == OutboxStatus.PENDING

    done = erasure.do_erase_child(dpos.it, case, erase_form(case), node=fed.it)

    withdrawn = OutboxMessage.objects.get(message_type=MessageType.REFERRAL_OFFER)
    assert (withdrawn.status, withdrawn.receipt_reason, withdrawn.envelope) == (
        OutboxStatus.CANCELLED,
        "child_erased",
        "",
    )
    assert AuditEntry.objects.filter(
        kind=AuditKind.ENVELOPE_SENT, decision="deny", details__cancelled="child_erased"
    ).exists()
    assert done.notices == [] and done.withdrawn == 1  # nothing reached Calais: nothing to tell
    wire.down.clear()
    dispatch_pending(fed.it, wire)
    assert not Thread.objects.filter(direction=Direction.INCOMING).exists()


def test_finding_10_erasure_a_notice_that_cannot_be_sent_is_shown_not_hidden(people, federation, wire, dpos):
    # The registry says Calais's node does not take erasure notices (an older node).
    case, _accepted = referred_and_accepted(people, federation, wire)

    done = erasure.do_erase_child(dpos.it, case, erase_form(case), node=federation.it)

    assert not Case.objects.filter(pk=case.pk).exists()  # the erasure here is never held back
    [unsent] = done.notices
    assert unsent.status == "not_sent" and "does not take" in unsent.facts["problem"]
    assert [t.pk for t in erasure.unconfirmed(people.it_cps)] == [unsent.pk]
    assert not OutboxMessage.objects.filter(message_type=MessageType.ERASURE_NOTICE).exists()


def test_finding_10_erasure_a_notice_not_sent_is_sent_when_tried_again(people, federation, wire, dpos):
    case, accepted = referred_and_accepted(people, federation, wire)
    [unsent] = erasure.do_erase_child(dpos.it, case, erase_form(case), node=federation.it).notices
    with pytest.raises(ActionError, match="does not take"):
        erasure.do_retry(dpos.it, unsent, node=federation.it)

    # The nodes are upgraded: the registry now lists the erasure types for them.
    taken = tuple(sorted(threads.implemented_types()))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in current_registry().nodes)
    federation.publish(dated_registry(version=2, nodes=nodes))
    with pytest.raises(NotFound):
        erasure.do_retry(people.giulia, unsent, node=federation.it)
    sent = erasure.do_retry(dpos.it, unsent, node=federation.it)

    assert sent.status == "sent" and "problem" not in sent.facts
    dispatch_pending(federation.it, wire)
    assert not Case.objects.filter(pk=accepted.case.pk).exists()
    dispatch_pending(federation.fr, wire)
    sent.refresh_from_db()
    assert sent.status == "erased"


def test_finding_10_erasure_a_waited_on_case_erased_another_way_can_be_confirmed(
    people, takes_erasure, wire, dpos
):
    fed = takes_erasure
    copy, owned = transferred(people, fed, wire)
    erasure.do_erase_child(dpos.it, copy, erase_form(copy), node=fed.it)
    dispatch_pending(fed.it, wire)
    there = notice_threads(Direction.INCOMING).get()
    do_erase_here_only(dpos.fr, owned.child)  # this node only (no exchange), e.g. an older path

    assert erasure.awaiting_decision(people.fr_ngo) == []
    assert [t.pk for t in erasure.unanswered(people.fr_ngo)] == [there.pk]
    erasure.do_retry(dpos.fr, there, node=fed.fr)
    dispatch_pending(fed.fr, wire)
    assert notice_threads(Direction.OUTGOING).get().status == "erased"
