"""What travelled is sealed at rest on both nodes: referral reasons and offers, questions and
answers, notices, transfers (child, care plan, history). Erasing the child on the sending node
makes its side of the threads unreadable along with the case."""

from __future__ import annotations

import pytest
from django.db import connection

from waymark.accounts.models import User
from waymark.cases.erasure import do_erase_child
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, InboxMessage, Thread
from waymark.exchange.threads import info_request as info_requests
from waymark.exchange.threads import notice as notices
from waymark.exchange.threads import referral as referrals
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case
from waymark.vault import service as vault
from waymark.vocab import DataCategory, Purpose, Role

pytestmark = pytest.mark.django_db

SECRET = "Kebede-7731"  # fictional; must never appear in a column in clear


def raw(table: str, *columns: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")  # noqa: S608  (fixed names)
        return [str(v) for row in cursor.fetchall() for v in row]


@pytest.fixture
def exchanged(people, federation, wire):
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    node = federation.it
    referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason=f"Uncle {SECRET} in Calais"),
        node=node,
    )
    info_requests.do_request_information(
        people.giulia,
        case,
        info_requests.InfoRequestIn(
            to_org="fr-ngo-calais",
            questions=[
                info_requests.QuestionIn(
                    category=DataCategory.CONTACT_LOCATION, text=f"Is {SECRET} with you?"
                )
            ],
        ),
        node=node,
    )
    notices.do_send_notice(
        people.giulia,
        case,
        notices.NoticeIn(to_org="fr-ngo-calais", subject=f"{SECRET} seen", text=f"{SECRET} at the station"),
        node=node,
    )
    transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(
            confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION, reason=f"{SECRET} moved"
        ),
        node=node,
    )
    dispatch_pending(node, wire)
    return case


def test_nothing_that_travelled_is_stored_in_clear(exchanged):
    columns = {
        "exchange_thread": ("sealed",),
        "exchange_threadmessage": ("note_sealed",),
        "exchange_outboxmessage": ("summary",),
    }
    for table, names in columns.items():
        values = raw(table, *names)
        assert values, table
        assert not [v for v in values if SECRET in v], table
    # ...and both sides read them back.
    received = Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)
    assert (
        SECRET in received.data.text("reason")
        and received.data.doc("offer")["child"]["family_name"] == SECRET
    )
    assert (
        SECRET
        in Thread.objects.filter(kind="info_request")
        .get(direction=Direction.INCOMING)
        .data.doc("questions", list)[0]["text"]
    )
    assert (
        Thread.objects.filter(kind="notice").get(direction=Direction.INCOMING).data.text("text")
        == f"{SECRET} at the station"
    )
    assert (
        Thread.objects.filter(kind="transfer")
        .get(direction=Direction.INCOMING)
        .data.doc("offer")["child"]["family_name"]
        == SECRET
    )


def test_the_senders_threads_are_keyed_to_the_child_and_erased_with_them(people, exchanged):
    sent = Thread.objects.filter(kind="notice").get(direction=Direction.OUTGOING)
    assert sent.seal_key == exchanged.child.public_id
    received = Thread.objects.filter(kind="notice").get(direction=Direction.INCOMING)
    assert received.seal_key == received.public_id  # no case here: the thread's own key

    dpo = User.objects.create_user("dora-dpo", password="x", organisation=people.it_cps, role=Role.DPO)
    do_erase_child(dpo, exchanged.child)

    sent = Thread.objects.filter(kind="notice").get(direction=Direction.OUTGOING)
    assert sent.data.text("subject") == vault.ERASED and sent.data.text("text") == vault.ERASED
    assert (
        Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING).data.text("reason")
        == vault.ERASED
    )
    assert (
        Thread.objects.filter(kind="info_request")
        .get(direction=Direction.OUTGOING)
        .data.doc("questions", list)
        == []
    )


def test_erasing_the_child_at_the_receiver_shreds_the_threads_that_brought_them(people, federation, wire):
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(
            confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION, reason=f"{SECRET} moved"
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    accepted = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(), node=federation.fr
    )
    assert accepted.seal_key == accepted.public_id and SECRET in accepted.data.text("reason")
    assert accepted.case is not None

    dpo = User.objects.create_user("fanny-dpo", password="x", organisation=people.fr_ngo, role=Role.DPO)
    do_erase_child(dpo, accepted.case.child)

    received = Thread.objects.filter(kind="transfer").get(pk=received.pk)
    assert received.case is None and received.data.text("reason") == vault.ERASED
    assert vault.is_shredded(received.public_id)
    # The sender's side is untouched: erasure on one node is that node's.
    assert SECRET in Thread.objects.filter(kind="transfer").get(direction=Direction.OUTGOING).data.text(
        "reason"
    )


def test_a_late_answer_about_an_erased_child_is_receipted_and_its_text_dropped(people, federation, wire):
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    dpo = User.objects.create_user("gaia-dpo", password="x", organisation=people.it_cps, role=Role.DPO)
    do_erase_child(dpo, case.child)

    received = Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)
    referrals.do_accept_referral(
        people.claire, received, referrals.ReferralAcceptIn(note=f"{SECRET} is here"), node=federation.fr
    )
    dispatch_pending(federation.fr, wire)

    answer = InboxMessage.objects.get(message_type="referral_accept")
    assert answer.status == "accepted"
    sent = Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING)
    assert sent.status == "accepted" and "response_reason" not in sent.sealed
    assert not [v for v in raw("exchange_threadmessage", "note_sealed") if SECRET in v]
