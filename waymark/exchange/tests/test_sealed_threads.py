"""What travelled is sealed at rest on both nodes: referral reasons and offers, questions and
answers, notices, transfers (child, care plan, history). Erasing the child on the sending node
makes its side of the threads unreadable along with the case."""

from __future__ import annotations

import pytest
from django.db import connection

from waymark.accounts.models import User
from waymark.cases.erasure import do_erase_child
from waymark.exchange import actions
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import (
    Direction,
    InboxMessage,
    InfoRequest,
    Notice,
    Referral,
    ReferralStatus,
    Transfer,
)
from waymark.exchange.schemas import (
    InfoRequestIn,
    NoticeIn,
    QuestionIn,
    ReferralAcceptIn,
    ReferralIn,
    TransferAcceptIn,
    TransferIn,
)
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
    actions.do_offer_referral(
        people.giulia, case, ReferralIn(to_org="fr-ngo-calais", reason=f"Uncle {SECRET} in Calais"), node=node
    )
    actions.do_request_information(
        people.giulia,
        case,
        InfoRequestIn(
            to_org="fr-ngo-calais",
            questions=[QuestionIn(category=DataCategory.CONTACT_LOCATION, text=f"Is {SECRET} with you?")],
        ),
        node=node,
    )
    actions.do_send_notice(
        people.giulia,
        case,
        NoticeIn(to_org="fr-ngo-calais", subject=f"{SECRET} seen", text=f"{SECRET} at the station"),
        node=node,
    )
    actions.do_offer_transfer(
        people.giulia,
        case,
        TransferIn(to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION, reason=f"{SECRET} moved"),
        node=node,
    )
    dispatch_pending(node, wire)
    return case


def test_nothing_that_travelled_is_stored_in_clear(exchanged):
    columns = {
        "exchange_referral": ("reason_sealed", "offer_sealed", "response_reason_sealed"),
        "exchange_referralstep": ("reason_sealed",),
        "exchange_inforequest": ("questions_sealed", "answers_sealed"),
        "exchange_notice": ("subject_sealed", "text_sealed"),
        "exchange_transfer": ("reason_sealed", "offer_sealed", "response_reason_sealed"),
        "exchange_outboxmessage": ("summary",),
    }
    for table, names in columns.items():
        values = raw(table, *names)
        assert values, table
        assert not [v for v in values if SECRET in v], table
    # ...and both sides read them back.
    received = Referral.objects.get(direction=Direction.INCOMING)
    assert SECRET in received.reason and received.offer["child"]["family_name"] == SECRET
    assert SECRET in InfoRequest.objects.get(direction=Direction.INCOMING).questions[0]["text"]
    assert Notice.objects.get(direction=Direction.INCOMING).text == f"{SECRET} at the station"
    assert Transfer.objects.get(direction=Direction.INCOMING).offer["child"]["family_name"] == SECRET


def test_the_senders_threads_are_keyed_to_the_child_and_erased_with_them(people, exchanged):
    sent = Notice.objects.get(direction=Direction.OUTGOING)
    assert sent.seal_key == exchanged.child.public_id
    received = Notice.objects.get(direction=Direction.INCOMING)
    assert received.seal_key == received.public_id  # no case here: the thread's own key

    dpo = User.objects.create_user("dora-dpo", password="x", organisation=people.it_cps, role=Role.DPO)
    do_erase_child(dpo, exchanged.child)

    sent = Notice.objects.get(direction=Direction.OUTGOING)
    assert sent.subject == vault.ERASED and sent.text == vault.ERASED
    assert Referral.objects.get(direction=Direction.OUTGOING).reason == vault.ERASED
    assert InfoRequest.objects.get(direction=Direction.OUTGOING).questions == []


def test_erasing_the_child_at_the_receiver_shreds_the_threads_that_brought_them(people, federation, wire):
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    actions.do_offer_transfer(
        people.giulia,
        case,
        TransferIn(to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION, reason=f"{SECRET} moved"),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    received = Transfer.objects.get(direction=Direction.INCOMING)
    accepted = actions.do_accept_transfer(people.claire, received, TransferAcceptIn(), node=federation.fr)
    assert accepted.seal_key == accepted.public_id and SECRET in accepted.reason
    assert accepted.case is not None

    dpo = User.objects.create_user("fanny-dpo", password="x", organisation=people.fr_ngo, role=Role.DPO)
    do_erase_child(dpo, accepted.case.child)

    received = Transfer.objects.get(pk=received.pk)
    assert received.case is None and received.reason == vault.ERASED
    assert vault.is_shredded(received.public_id)
    # The sender's side is untouched: erasure on one node is that node's.
    assert SECRET in Transfer.objects.get(direction=Direction.OUTGOING).reason


def test_a_late_answer_about_an_erased_child_is_receipted_and_its_text_dropped(people, federation, wire):
    case = create_case(people.giulia, given_names="Amina", family_name=SECRET)
    actions.do_offer_referral(people.giulia, case, ReferralIn(to_org="fr-ngo-calais"), node=federation.it)
    dispatch_pending(federation.it, wire)
    dpo = User.objects.create_user("gaia-dpo", password="x", organisation=people.it_cps, role=Role.DPO)
    do_erase_child(dpo, case.child)

    received = Referral.objects.get(direction=Direction.INCOMING)
    actions.do_accept_referral(
        people.claire, received, ReferralAcceptIn(note=f"{SECRET} is here"), node=federation.fr
    )
    dispatch_pending(federation.fr, wire)

    answer = InboxMessage.objects.get(message_type="referral_accept")
    assert answer.status == "accepted"
    sent = Referral.objects.get(direction=Direction.OUTGOING)
    assert sent.status == ReferralStatus.ACCEPTED and sent.response_reason_sealed == ""
    assert not [v for v in raw("exchange_referralstep", "reason_sealed") if SECRET in v]
