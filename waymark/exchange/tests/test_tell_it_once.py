"""Tell it once: the child's account recorded in Milan travels with a referral, a transfer or an
answer to Calais — only under an agreement granting ``disclosure`` for the purpose and with the
child's consent — and Calais keeps it as a received account with its provenance, so nobody
there interviews the child again from scratch. Without the grant, or the consent, or towards
immigration enforcement, nothing of it leaves the node and the sender is told why."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.accounts import do_record_account, told_to_line
from waymark.cases.actions import do_record_consent
from waymark.cases.models import Case, ChildAccount, Event
from waymark.cases.schemas import AccountIn, ConsentIn
from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import seal
from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.messages import MessageType, ReferralOffer, make_header
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Grant, GrantAction
from waymark.core.protocol.vocab import Purpose as WirePurpose
from waymark.errors import ActionError
from waymark.exchange import child_accounts
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.inbound import receive
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import info_request, referral, transfer
from waymark.test import create_case, days_ago
from waymark.vocab import DataCategory, Purpose, Role

WORDS = "ሓደ ሰብኣይ ገንዘብ ክኸፍል ኢሉኒ። (fictional) A man said I owe him money for the boat."
SUMMARY = "Says she owes a debt to the driver who brought her from Libya (fictional)."


def with_disclosure(federation, *, purposes=(Purpose.CHILD_PROTECTION,), orgs=proto.PARTIES) -> None:
    """Publish a registry whose agreement also grants the partners' caseworkers ``disclosure``."""
    extra = tuple(
        Grant(
            org=org,
            role=Role.CASEWORKER,
            category=DataCategory.DISCLOSURE,
            purpose=p,
            action=GrantAction.READ,
        )
        for org in orgs
        for p in purposes
    )
    federation.publish(
        dated_registry(version=2, agreements=(dated_agreement(grants=proto.grants() + extra),))
    )


def consent(user, case, to: str, *, purpose=Purpose.CHILD_PROTECTION, categories=("disclosure",)):
    return do_record_consent(
        user,
        case,
        ConsentIn(recipient_org=to, purpose=purpose, categories=list(categories), valid_from=days_ago(1)),
    )


@pytest.fixture
def amina(people) -> Case:
    return create_case(people.giulia, given_names="Amina", family_name="Tesfay", languages=["ti"])


@pytest.fixture
def told(people, amina) -> ChildAccount:
    """Amina told her story in Milan, in Tigrinya with an interpreter, with her consent."""
    given = consent(people.giulia, amina, "it-cps-milano")
    return do_record_account(
        people.giulia,
        amina,
        Purpose.CHILD_PROTECTION,
        AccountIn(
            interviewed_at=timezone.now() - dt.timedelta(days=2),
            language="ti",
            interpreter=True,
            interpreter_language="it",
            words=WORDS,
            summary=SUMMARY,
            consent=given.pk,
        ),
    )


def refer(people, federation, case, account_ids, **extra):
    return referral.do_offer_referral(
        people.giulia,
        case,
        referral.ReferralIn(
            to_org="fr-ngo-calais", reason="She is heading to Calais.", accounts=account_ids, **extra
        ),
        node=federation.it,
    )


def received_accounts(org) -> list[ChildAccount]:
    return list(ChildAccount.objects.filter(case__organisation=org).select_related("case__child"))


def summaries(case) -> list[str]:
    return [e.summary_text for e in Event.objects.filter(case=case).select_related("case__child")]


# --- with the grant and the consent -------------------------------------------------------------


def test_an_account_travels_with_a_referral_and_arrives_with_its_provenance(
    people, federation, wire, amina, told
):
    with_disclosure(federation)
    consent(people.giulia, amina, "fr-ngo-calais")
    sent = refer(people, federation, amina, [told.public_id])
    assert DataCategory.DISCLOSURE in sent.categories
    dispatch_pending(federation.it, wire)

    offered = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    assert offered.status == "offered"
    referral.do_accept_referral(people.claire, offered, referral.ReferralAcceptIn(), node=federation.fr)
    offered.refresh_from_db()

    [copy] = received_accounts(people.fr_ngo)
    assert copy.case == offered.case
    assert copy.words_text == WORDS and copy.summary_text == SUMMARY
    assert (copy.origin, copy.version, copy.lineage) == ("received", 1, told.lineage)
    assert (copy.original_id, copy.original_recorded_at) == (told.public_id, told.recorded_at)
    assert (copy.received_from_org, copy.received_from_node, copy.received_via) == (
        "it-cps-milano",
        "node-it",
        "referral",
    )
    assert copy.received_thread == offered.public_id
    assert copy.received_conversation == offered.conversation_id
    assert (copy.told_to_org, copy.told_to_country, copy.language) == ("it-cps-milano", "IT", "ti")
    assert copy.interpreter and copy.interpreter_language == "it"
    assert "Consent to fr-ngo-calais for child_protection" in copy.consent_basis
    # Sealed at rest on the receiving side too.
    raw = ChildAccount.objects.filter(pk=copy.pk).values_list("words", flat=True).get()
    assert raw.startswith("sealed:") and "boat" not in raw

    theirs = summaries(copy.case)
    assert any(
        s.startswith("Child's account received from Servizio Tutela Minori Milano (fictional) (IT)")
        and "told to Servizio Tutela Minori Milano (fictional), IT" in s
        for s in theirs
    )
    ours = summaries(amina)
    assert told_to_line(told) in " ".join(ours)
    assert any(s.startswith("Child's account shared with Association Refuge Calais") for s in ours)


def test_an_account_travels_with_a_transfer(people, federation, wire, amina, told):
    with_disclosure(federation)
    consent(people.giulia, amina, "fr-ngo-calais")
    transfer.do_offer_transfer(
        people.giulia,
        amina,
        transfer.TransferIn(
            to_org="fr-ngo-calais",
            purpose=Purpose.CHILD_PROTECTION,
            confirmed=True,
            accounts=[told.public_id],
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    offered = Thread.objects.get(kind="transfer", direction=Direction.INCOMING)
    transfer.do_accept_transfer(people.claire, offered, transfer.TransferAcceptIn(), node=federation.fr)
    [copy] = received_accounts(people.fr_ngo)
    assert copy.received_via == "transfer" and copy.words_text == WORDS
    offered.refresh_from_db()
    assert offered.data.doc("offer") == {}  # the offer is cleared: the account lives in the case


def test_an_account_answers_an_information_request(people, federation, wire, amina, told):
    """Calais holds the child too and asks Milan what she said; Milan answers with her account."""
    with_disclosure(federation)
    theirs = create_case(people.claire, given_names="Amina", family_name="Tesfay")
    info_request.do_request_information(
        people.claire,
        theirs,
        info_request.InfoRequestIn(
            to_org="it-cps-milano",
            questions=[
                info_request.QuestionIn(category=DataCategory.IDENTITY, text="Do you hold her account?")
            ],
        ),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)
    asked = Thread.objects.get(kind="info_request", direction=Direction.INCOMING)
    asked.case = amina  # Milan links the request to the case it holds (as its page does)
    asked.save(update_fields=["case"])
    consent(people.giulia, amina, "fr-ngo-calais")
    info_request.do_answer_information(
        people.giulia,
        asked,
        info_request.InfoAnswerIn(
            answers=[info_request.AnswerIn(question_id="q1", text="Yes: attached.")],
            accounts=[told.public_id],
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    [copy] = received_accounts(people.fr_ngo)
    assert copy.case == theirs and copy.received_via == "info_request" and copy.summary_text == SUMMARY


def test_the_same_account_is_stored_once_and_a_correction_is_a_new_version(
    people, federation, wire, amina, told
):
    with_disclosure(federation)
    consent(people.giulia, amina, "fr-ngo-calais")
    refer(people, federation, amina, [told.public_id])
    dispatch_pending(federation.it, wire)
    offered = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    referral.do_accept_referral(people.claire, offered, referral.ReferralAcceptIn(), node=federation.fr)
    offered.refresh_from_db()
    case_fr = offered.case
    assert case_fr is not None
    [first] = received_accounts(people.fr_ngo)

    # Received again (a later conversation carries the same version): stored once.
    again = child_accounts.receive(case_fr, [child_accounts.body_of(told)], offered, timezone.now())
    assert again == [] and ChildAccount.objects.filter(case=case_fr).count() == 1

    corrected = do_record_account(
        people.giulia,
        amina,
        Purpose.CHILD_PROTECTION,
        AccountIn(
            interviewed_at=told.interviewed_at,
            language="ti",
            interpreter=True,
            interpreter_language="it",
            words=WORDS + " It was 3000 euros, not 300.",
            summary=SUMMARY,
            consent=told.consent_id,
            corrects=told.public_id,
            correction_note="The interpreter misheard the amount.",
        ),
    )
    [second] = child_accounts.receive(case_fr, [child_accounts.body_of(corrected)], offered, timezone.now())
    assert (second.version, second.supersedes) == (2, first)
    assert second.correction_note_text == "The interpreter misheard the amount."
    # An older version arriving late changes nothing.
    assert child_accounts.receive(case_fr, [child_accounts.body_of(told)], offered, timezone.now()) == []


# --- refused: nothing of the account leaves the node --------------------------------------------


def refusals(reason: str) -> list[AuditEntry]:
    """The audited refusals to send a child's account, for ``reason``."""
    return [
        e
        for e in AuditEntry.objects.filter(decision="deny")
        if reason in e.reasons and e.categories == ["disclosure"] and e.details.get("what") == "child_account"
    ]


def nothing_sent() -> None:
    assert not OutboxMessage.objects.exists()
    assert not Thread.objects.exists()


def test_without_a_grant_for_disclosure_nothing_leaves_and_the_sender_is_told_why(
    people, federation, amina, told
):
    consent(people.giulia, amina, "fr-ngo-calais")  # consent alone opens nothing
    with pytest.raises(ActionError) as refused:
        refer(people, federation, amina, [told.public_id])
    assert "accounts" in refused.value.errors
    message = " ".join(refused.value.errors["accounts"])
    assert "no agreement in force grants fr-ngo-calais the child's account (category disclosure)" in message
    assert "nothing was sent" in message
    nothing_sent()
    assert refusals("not-granted")
    # The referral without the account goes as before.
    refer(people, federation, amina, [])
    assert OutboxMessage.objects.count() == 1
    assert DataCategory.DISCLOSURE not in OutboxMessage.objects.get().categories


def test_without_the_childs_consent_nothing_leaves(people, federation, amina, told):
    with_disclosure(federation)
    consent(people.giulia, amina, "fr-ngo-calais", categories=("identity", "case_notes"))  # not disclosure
    with pytest.raises(ActionError, match="has not consented to sharing their account"):
        refer(people, federation, amina, [told.public_id])
    nothing_sent()


def test_a_withdrawn_consent_stops_the_next_send(people, federation, amina, told):
    from waymark.cases.actions import do_withdraw_consent

    with_disclosure(federation)
    given = consent(people.giulia, amina, "fr-ngo-calais")
    do_withdraw_consent(people.giulia, amina, given.pk)
    with pytest.raises(ActionError, match="has not consented"):
        refer(people, federation, amina, [told.public_id])
    nothing_sent()


def test_an_immigration_enforcement_recipient_never_receives_an_account(people, federation, amina, told):
    with_disclosure(federation)
    # Even a consent recorded (wrongly) to them, and a grant attempt, open nothing.
    consent(people.giulia, amina, "xx-immigration")
    with pytest.raises(ActionError) as refused:
        referral.do_offer_referral(
            people.giulia,
            amina,
            referral.ReferralIn(to_org="xx-immigration", accounts=[told.public_id]),
            node=federation.it,
        )
    assert "never shared with immigration enforcement" in " ".join(refused.value.errors["accounts"])
    nothing_sent()
    assert refusals("firewall-sector")


def test_an_account_of_another_case_or_an_earlier_version_is_refused(people, federation, amina, told):
    with_disclosure(federation)
    consent(people.giulia, amina, "fr-ngo-calais")
    with pytest.raises(ActionError, match="not the latest version of an account of this case"):
        refer(people, federation, amina, [uuid.uuid4()])
    nothing_sent()


def test_the_receiver_refuses_an_account_its_agreement_does_not_grant(people, federation):
    """A sender that skipped the check (another implementation, a forged message) is refused by
    the receiver's own registry and policy: a signed negative receipt, nothing stored."""
    now = timezone.now()
    body = ReferralOffer(
        child=proto.amina(),
        accounts=(
            child_accounts.m.ChildAccountBody(
                original_id=uuid.uuid4(),
                lineage=uuid.uuid4(),
                recorded_at=now,
                interviewed_at=now,
                told_to_org="it-cps-milano",
                told_to_country="IT",
                language="ti",
                words=WORDS,
                purpose=WirePurpose.CHILD_PROTECTION,
            ),
        ),
    )
    header = make_header(
        type=MessageType.REFERRAL_OFFER,
        body=body,
        conversation_id=str(uuid.uuid4()),
        from_node="node-it",
        from_org="it-cps-milano",
        to_node="node-fr",
        to_org="fr-ngo-calais",
        agreement_id=proto.AGREEMENT_ID,
        purpose=WirePurpose.CHILD_PROTECTION,
        now=now,
    )
    assert DataCategory.DISCLOSURE in header.data_categories
    raw = seal(header, body, proto.node_keys("node-it"), public_jwk(proto.node_keys("node-fr").encryption))
    result = receive(federation.fr, raw)
    assert (result.outcome, result.reason) == ("rejected", ReasonCode.NOT_GRANTED.value)
    assert not Thread.objects.exists() and not ChildAccount.objects.exists()


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def web_node(monkeypatch, federation):
    """The web process is node-it (the actions' default ``local_node``)."""
    from waymark.exchange import plumbing

    monkeypatch.setattr(plumbing, "local_node", lambda: federation.it)


def test_the_share_page_offers_the_accounts_and_the_receiver_reads_them_before_accepting(
    client, people, federation, wire, web_node, amina, told
):
    from django.urls import reverse

    from waymark.test import login

    login(client, people.giulia)
    page = client.get(reverse("exchange:case", args=[amina.public_id]) + "?action=referral").content.decode()
    assert f'name="accounts" value="{told.public_id}"' in page

    with_disclosure(federation)
    consent(people.giulia, amina, "fr-ngo-calais")
    answer = client.post(
        reverse("exchange:send", args=[amina.public_id, "referral"]),
        {
            "to_org": "fr-ngo-calais",
            "purpose": "child_protection",
            "reason": "Calais.",
            "include": "case_notes",
            "accounts": [str(told.public_id)],
        },
    )
    assert answer.status_code == 302
    dispatch_pending(federation.it, wire)
    offered = Thread.objects.get(kind="referral", direction=Direction.INCOMING)
    login(client, people.claire)
    seen = client.get(reverse("exchange:thread", args=["referral", offered.public_id])).content.decode()
    assert "travel with it" in seen and SUMMARY in seen


def test_the_share_page_says_why_an_account_did_not_go(client, people, federation, web_node, amina, told):
    from django.urls import reverse

    from waymark.test import login

    login(client, people.giulia)
    answer = client.post(
        reverse("exchange:send", args=[amina.public_id, "referral"]),
        {"to_org": "fr-ngo-calais", "purpose": "child_protection", "accounts": [str(told.public_id)]},
    )
    assert answer.status_code == 422
    assert "has not consented to sharing their account" in answer.content.decode()
    nothing_sent()
