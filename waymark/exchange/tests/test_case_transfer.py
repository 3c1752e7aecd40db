"""A case transfer between two nodes: the child, the case, the care plan and the chosen history
travel; ownership moves when the receiver accepts, and the sender keeps a closed, read-only copy.
Rejected, the case stays where it was and the receiver keeps nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from waymark.cases import actions as case_actions
from waymark.cases.models import CarePlan, Case, Event
from waymark.cases.schemas import CarePlanIn, EventIn
from waymark.core.protocol.messages import RejectReason
from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.reconcile import applied_message_ids
from waymark.exchange.threads import referral as referrals
from waymark.exchange.threads import transfer as transfers
from waymark.policy import service as policy
from waymark.test import create_case, login
from waymark.vault import service as vault
from waymark.vocab import CaseStatus, DataCategory, EventType, PolicyAction, Purpose, RiskLevel

pytestmark = pytest.mark.django_db


def summaries(case: Case) -> list[str]:
    events = Event.objects.filter(case=case).select_related("case__child").order_by("occurred_at", "id")
    return [e.summary_text for e in events]


@pytest.fixture
def case(people):
    """Giulia's case for Yonas: a care plan, a guardian, history of several categories."""
    case = create_case(
        people.giulia,
        given_names="Yonas",
        family_name="Haile",
        nationality="ER",
        languages=["ti"],
        case={
            "risk_level": RiskLevel.HIGH,
            "risk_reasons": "Talks of a contact in Calais.",
            "guardian": "marco",
        },
    )
    case_actions.do_update_care_plan(
        people.giulia,
        case,
        CarePlanIn(
            needs="Schooling; trauma support.", objectives="Family tracing in the UK.", services="Shelter"
        ),
    )
    day = timezone.now() - dt.timedelta(days=3)
    for category, summary in (
        (DataCategory.CASE_NOTES, "Weekly meeting: wants to reach his uncle"),
        (DataCategory.CONTACT_LOCATION, "Seen at Milano Centrale"),
        (DataCategory.HEALTH, "Asthma, inhaler prescribed"),
    ):
        case_actions.do_add_event(
            people.giulia,
            case,
            EventIn(type=EventType.NOTE, category=category, summary=summary, occurred_at=day),
        )
    return case


def offer(people, federation, wire, case, **overrides) -> Thread:
    data = {
        "to_org": "fr-ngo-calais",
        "purpose": Purpose.CHILD_PROTECTION,
        "reason": "He has moved to Calais and will stay with the NGO's shelter.",
        **overrides,
    }
    sent = transfers.do_offer_transfer(
        people.giulia, case, transfers.TransferIn(confirmed=True, **data), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    return sent


def test_accepting_moves_the_case_and_the_sender_keeps_a_closed_copy(people, federation, wire, case):
    sent = offer(people, federation, wire, case)
    assert sent.status == "offered" and sent.facts["history_count"] == 3  # registration + 2
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    assert received.status == "offered" and received.peer_case_reference == case.reference
    assert received.data.doc("offer")["child"]["given_names"] == "Yonas"
    assert received.data.doc("offer")["care_plan"]["needs"] == "Schooling; trauma support."
    travelled = [e["summary"] for e in received.data.doc("offer")["timeline"]]
    assert "Asthma, inhaler prescribed" not in travelled  # health is not history the sender chose
    assert "Seen at Milano Centrale" in travelled

    accepted = transfers.do_accept_transfer(
        people.claire,
        received,
        transfers.TransferAcceptIn(note="Claire follows him from today."),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)

    theirs = accepted.case
    assert theirs is not None and theirs.organisation == people.fr_ngo and theirs.child.is_fictional
    assert theirs.child.full_name == "Yonas Haile" and theirs.child.nationality == "ER"
    assert theirs.risk_level == RiskLevel.HIGH and theirs.status == CaseStatus.OPEN
    plan = CarePlan.objects.get(case=theirs)
    assert (
        plan.needs_text == "Schooling; trauma support."
        and plan.objectives_text == "Family tracing in the UK."
    )
    their_timeline = summaries(theirs)
    assert "Weekly meeting: wants to reach his uncle" in their_timeline
    assert "Asthma, inhaler prescribed" not in their_timeline
    assert any(s.startswith("Case transferred from Servizio Tutela Minori") for s in their_timeline)
    assert accepted.data.doc("offer") == {} and accepted.status == "accepted"

    sent.refresh_from_db()
    case.refresh_from_db()
    assert sent.status == "accepted" and sent.peer_case_reference == theirs.reference
    assert case.status == CaseStatus.TRANSFERRED and case.closed_at is not None
    assert case.retain_until == (case.closed_at + dt.timedelta(days=365)).date()
    assert any(
        s.startswith("Transfer accepted by Association Refuge Calais") and "this copy is closed" in s
        for s in summaries(case)
    )
    # One business effect per delivered message on each side (what the reconciler counts).
    applied = applied_message_ids()
    assert (
        applied[str(sent.opened_message_id)] == 1
        and applied[str(accepted.messages.get(type="transfer_accept").message_id)] == 1
    )


def test_the_closed_copy_can_be_read_but_never_changed(people, federation, wire, case):
    offer(people, federation, wire, case)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    transfers.do_accept_transfer(people.claire, received, transfers.TransferAcceptIn(), node=federation.fr)
    dispatch_pending(federation.fr, wire)
    case.refresh_from_db()

    update = policy.authorize(
        people.giulia,
        case,
        purpose=Purpose.CHILD_PROTECTION,
        categories=["case_notes"],
        action=PolicyAction.UPDATE,
    )["case_notes"]
    assert not update.allowed and "limit-transferred-copy-read-only" in update.reasons
    read = policy.authorize(people.giulia, case, purpose=Purpose.CHILD_PROTECTION, categories=["case_notes"])
    assert read["case_notes"].allowed
    with pytest.raises(ActionError, match="cannot be transferred"):
        transfers.do_offer_transfer(
            people.giulia,
            case,
            transfers.TransferIn(confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION),
            node=federation.it,
        )


def test_rejecting_leaves_the_case_with_the_sender_and_nothing_at_the_receiver(
    people, federation, wire, case
):
    sent = offer(people, federation, wire, case)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    cases_before = Case.objects.filter(organisation=people.fr_ngo).count()
    transfers.do_reject_transfer(
        people.claire,
        received,
        transfers.TransferRejectIn(reason_code=RejectReason.NO_CAPACITY, note="No shelter place this month."),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)

    received.refresh_from_db()
    assert received.status == "rejected" and received.data.doc("offer") == {}
    assert Case.objects.filter(organisation=people.fr_ngo).count() == cases_before
    sent.refresh_from_db()
    case.refresh_from_db()
    assert sent.status == "rejected" and "No shelter place" in sent.data.text("response_reason")
    assert case.status == CaseStatus.OPEN
    assert any(s.startswith("Transfer rejected by Association Refuge Calais") for s in summaries(case))
    with pytest.raises(ActionError, match="cannot be accepted"):
        transfers.do_accept_transfer(
            people.claire, received, transfers.TransferAcceptIn(), node=federation.fr
        )


def test_accepting_into_a_case_the_receiver_already_holds(people, federation, wire, case):
    offer(people, federation, wire, case)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    known = create_case(people.claire, given_names="Yonas", family_name="Haile")
    accepted = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(existing_case=known.reference), node=federation.fr
    )
    assert accepted.case == known
    assert CarePlan.objects.get(case=known).services_text == "Shelter"
    assert Case.objects.filter(organisation=people.fr_ngo).count() == 1


def test_one_transfer_at_a_time_and_only_by_the_holder(people, federation, wire, case):
    offer(people, federation, wire, case)
    with pytest.raises(ActionError, match="already waiting"):
        transfers.do_offer_transfer(
            people.giulia,
            case,
            transfers.TransferIn(confirmed=True, to_org="be-police-mpu", purpose=Purpose.CHILD_PROTECTION),
            node=federation.it,
        )
    other = create_case(people.giulia, given_names="Samir", family_name="Haddad")
    for outsider in (people.claire, people.ivan, people.marco):
        with pytest.raises(ActionError):
            transfers.do_offer_transfer(
                outsider,
                other,
                transfers.TransferIn(
                    confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CHILD_PROTECTION
                ),
                node=federation.fr,
            )
    assert OutboxMessage.objects.filter(message_type="case_transfer").count() == 1


def test_what_the_agreement_does_not_grant_does_not_travel(people, federation, wire, case):
    """The guardian's contact is not granted to the NGO: the transfer is refused before sealing."""
    with pytest.raises(ActionError, match="guardian"):
        transfers.do_offer_transfer(
            people.giulia,
            case,
            transfers.TransferIn(
                confirmed=True,
                to_org="fr-ngo-calais",
                purpose=Purpose.CHILD_PROTECTION,
                include=[DataCategory.GUARDIAN],
            ),
            node=federation.it,
        )
    with pytest.raises(ActionError):
        transfers.do_offer_transfer(
            people.giulia,
            case,
            transfers.TransferIn(confirmed=True, to_org="fr-ngo-calais", purpose=Purpose.CARE_CONTINUITY),
            node=federation.it,
        )
    assert not Thread.objects.filter(kind="transfer").exists() and not OutboxMessage.objects.exists()


# --- the pages ---------------------------------------------------------------------------------


@pytest.fixture
def web_node(monkeypatch, federation):
    """Which node the web process is (the actions' default ``local_node``)."""
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


def test_a_transfer_offered_and_accepted_through_the_pages(client, people, federation, wire, web_node, case):
    login(client, people.giulia, purpose=Purpose.CHILD_PROTECTION)
    page = client.get(reverse("exchange:case", args=[case.public_id])).content.decode()
    assert "Transfer the case" in page
    response = client.post(
        reverse("exchange:send", args=[case.public_id, "transfer"]),
        {
            "to_org": "fr-ngo-calais",
            "purpose": "child_protection",
            "reason": "Moved to Calais.",
            "include": ["legal_status"],
            "history": ["case_notes", "contact_location"],
            "confirmed": "on",
        },
    )
    assert response.status_code == 302
    sent = Thread.objects.filter(kind="transfer").get(direction=Direction.OUTGOING)
    assert response.url == reverse("exchange:thread", args=["transfer", sent.public_id])
    assert (
        "Transfer the case"
        not in client.get(reverse("exchange:case", args=[case.public_id])).content.decode()
    )
    dispatch_pending(federation.it, wire)

    web_node["node"] = federation.fr
    client.logout()
    login(client, people.claire, purpose=Purpose.CHILD_PROTECTION)
    assert (
        "Transfer offered by Servizio Tutela Minori"
        in client.get(reverse("exchange:dashboard")).content.decode()
    )
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    page = client.get(reverse("exchange:thread", args=["transfer", received.public_id])).content.decode()
    assert "Yonas" in page and "Schooling; trauma support." in page and "Seen at Milano Centrale" in page
    response = client.post(
        reverse("exchange:thread_act", args=["transfer", received.public_id, "accept"]), {"note": "Ok"}
    )
    received.refresh_from_db()
    assert received.case is not None
    assert response.status_code == 302 and response.url == reverse(
        "case_detail", args=[received.case.public_id]
    )
    dispatch_pending(federation.fr, wire)

    web_node["node"] = federation.it
    client.logout()
    login(client, people.giulia, purpose=Purpose.CHILD_PROTECTION)
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "closed, read-only copy" in page and "Edit case" not in page and "Edit care plan" not in page


def test_a_transfer_page_is_not_found_for_other_organisations(client, people, federation, wire, case):
    offer(people, federation, wire, case)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    for outsider in (people.giulia, people.luc, people.ivan):
        client.logout()
        login(client, outsider, purpose=Purpose.CHILD_PROTECTION)
        assert (
            client.get(reverse("exchange:thread", args=["transfer", received.public_id])).status_code == 404
        )
        assert (
            client.post(
                reverse("exchange:thread_act", args=["transfer", received.public_id, "accept"])
            ).status_code
            == 404
        )
    received.refresh_from_db()
    assert received.status == "offered"


def test_a_refused_transfer_form_names_the_problem_and_sends_nothing(
    client, people, federation, web_node, case
):
    login(client, people.giulia, purpose=Purpose.CHILD_PROTECTION)
    response = client.post(
        reverse("exchange:send", args=[case.public_id, "transfer"]),
        {"to_org": "fr-ngo-calais", "purpose": "child_protection", "include": ["guardian"]},
    )
    assert response.status_code == 422 and "guardian" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_closed_copy_is_erased_when_retention_ends(people, federation, wire, case):
    offer(people, federation, wire, case)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    accepted = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(), node=federation.fr
    )
    dispatch_pending(federation.fr, wire)
    kept = create_case(people.giulia, given_names="Samir", family_name="Haddad")
    case.refresh_from_db()
    child = case.child

    out = StringIO()
    call_command("vault_apply_retention", stdout=out)
    assert "0 child record(s) erased" in out.getvalue() and Case.objects.filter(pk=case.pk).exists()

    Case.objects.filter(pk=case.pk).update(retain_until=timezone.localdate() - dt.timedelta(days=1))
    call_command("vault_apply_retention", "--dry-run", stdout=out)
    assert "1 child record(s) past retention" in out.getvalue() and Case.objects.filter(pk=case.pk).exists()
    call_command("vault_apply_retention", stdout=out)

    assert not Case.objects.filter(pk=case.pk).exists() and vault.is_shredded(child.public_id)
    assert (
        Thread.objects.filter(kind="transfer").get(direction=Direction.OUTGOING).data.text("reason")
        == vault.ERASED
    )
    # The receiver's case and every other case here are untouched.
    assert accepted.case is not None
    assert Case.objects.filter(pk=accepted.case.pk).exists() and Case.objects.filter(pk=kept.pk).exists()


def test_a_transfer_in_a_conversation_already_linked_completes_that_case(people, federation, wire, case):
    """Yonas was referred to Calais first; the later transfer lands on the case opened then."""
    referrals.do_offer_referral(
        people.giulia, case, referrals.ReferralIn(to_org="fr-ngo-calais"), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    referral = referrals.do_accept_referral(
        people.claire,
        Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING),
        referrals.ReferralAcceptIn(),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)
    theirs = referral.case
    assert theirs is not None

    offer(people, federation, wire, case)
    received = Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)
    assert received.case == theirs
    accepted = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(), node=federation.fr
    )
    assert accepted.case == theirs
    assert Case.objects.filter(organisation=people.fr_ngo).count() == 1
    assert CarePlan.objects.get(case=theirs).needs_text == "Schooling; trauma support."
