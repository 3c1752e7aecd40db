"""Family tracing between two nodes (issue 13 item 5): Milan's caseworker asks the French NGO to
trace the child's brother under an agreement granting family_tracing; the NGO sends progress and
a result that travel back; both timelines show it and the relative's status of contact follows.
Only what the agreement grants leaves; a withdrawal wins over a result it crossed and the tracer
erases what it received; the wrong people are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark.cases.actions import do_record_consent
from waymark.cases.models import Event
from waymark.cases.schemas import ConsentIn
from waymark.continuity import actions as continuity
from waymark.continuity.models import ContactStatus, Relative
from waymark.continuity.schemas import RelativeIn
from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Grant, GrantAction
from waymark.errors import ActionError
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import family_tracing as tracing
from waymark.exchange.threads import implemented_types, kind
from waymark.test import create_case, login
from waymark.vocab import DataCategory, Purpose, Role

AGREEMENT = "it-fr-family-tracing-2026"
BROTHER = "ዮናስ ተስፋይ"  # Yonas Tesfay (fictional)
NOTE = "Asked the reception centres of Calais and Lille (fictional)."
CONTACT = "+33 3 00 00 00 01 (fictional)"


def _grant(org, category):
    return Grant(
        org=org,
        role=Role.CASEWORKER,
        category=category,
        purpose=Purpose.FAMILY_TRACING,
        action=GrantAction.READ,
    )


def _tracing_agreement(to_tracer=(DataCategory.IDENTITY, DataCategory.FAMILY)):
    return dated_agreement(
        identifier=AGREEMENT,
        parties=("it-cps-milano", "fr-ngo-calais"),
        grants=(
            *(_grant("fr-ngo-calais", c) for c in to_tracer),
            # The notes and the result (family) and how to reach the relative (contact) come back.
            _grant("it-cps-milano", DataCategory.FAMILY),
            _grant("it-cps-milano", DataCategory.CONTACT_LOCATION),
        ),
        response_commitments=(),
    )


def _nodes():
    """Every node lists the types this node implements (family tracing is not in the baseline)."""
    taken = tuple(sorted(implemented_types()))
    return tuple(n.model_copy(update={"message_types": taken}) for n in proto.registry().nodes)


@pytest.fixture
def tracing_federation(federation):
    federation.publish(
        dated_registry(version=2, nodes=_nodes(), agreements=(dated_agreement(), _tracing_agreement()))
    )
    return federation


def child_with_brother(people):
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay", case={"guardian": "marco"})
    relative = continuity.do_add_relative(
        people.giulia,
        case,
        RelativeIn(
            full_name=BROTHER,
            relationship="sibling",
            country="FR",
            last_known_place="Calais",
            contact=CONTACT,
            # The relative's own agreement to their contact being shared (needed to send it).
            contact_consent=True,
            contact_consent_on=timezone.localdate(),
        ),
    )
    return case, relative


def ask(people, case, relative, fed, **extra):
    data = tracing.TracingRequestIn(
        **(
            {"to_org": "fr-ngo-calais", "relative": relative.public_id, "note": "He left Milan in May."}
            | extra
        )
    )
    return tracing.do_request_tracing(people.giulia, case, data, node=fed.it)


def received():
    return Thread.objects.get(kind="family_tracing", direction=Direction.INCOMING)


def test_progress_and_the_result_travel_back_and_both_timelines_show_them(people, tracing_federation, wire):
    fed = tracing_federation
    case, relative = child_with_brother(people)
    ngo_case = create_case(people.claire, given_names="Yonas", family_name="Tesfay")
    sent = ask(people, case, relative, fed)
    assert sent.status == "requested" and sent.due_at is not None
    assert sent.due_at - sent.created_at == dt.timedelta(days=30)  # no commitment: thirty days
    assert sorted(sent.categories) == ["family", "identity"]  # no contact details unless chosen
    relative.refresh_from_db()
    assert relative.contact_status == ContactStatus.TRACING
    dispatch_pending(fed.it, wire)

    theirs = received()
    assert theirs.local_org == people.fr_ngo and theirs.due_at == sent.due_at
    assert theirs.data.doc("relative")["full_name"] == BROTHER
    assert not theirs.data.doc("relative").get("contact")  # left out: not chosen
    # Sealed: nothing of the relative's name in a column in clear.
    assert BROTHER not in str(Thread.objects.filter(pk=theirs.pk).values().get())

    tracing.do_send_progress(
        people.claire,
        theirs,
        tracing.TracingProgressIn(note=NOTE, existing_case=ngo_case.reference),
        node=fed.fr,
    )
    theirs.refresh_from_db()
    assert theirs.status == "requested" and theirs.case == ngo_case
    dispatch_pending(fed.fr, wire)
    sent.refresh_from_db()
    assert sent.status == "requested" and [n["note"] for n in sent.data.doc("notes", list)] == [NOTE]

    tracing.do_send_result(
        people.claire,
        theirs,
        tracing.TracingResultIn(
            outcome="contact_established",
            note="He is well (fictional).",
            relative_contact=CONTACT,
            relative_agreed=True,
        ),
        node=fed.fr,
    )
    dispatch_pending(fed.fr, wire)
    sent.refresh_from_db()
    assert sent.status == "in_contact" and sent.answered_at is not None
    assert sent.data.doc("result")["relative_contact"] == CONTACT
    relative.refresh_from_db()
    assert relative.contact_status == ContactStatus.IN_CONTACT

    ours = list(Event.objects.filter(case=case).values_list("summary", flat=True))
    assert any(s.startswith("Family tracing requested from") for s in ours)
    assert any(s.startswith("Family tracing progress from") for s in ours)
    assert any(s.endswith(": contact established") and "result from" in s for s in ours)
    at_ngo = list(Event.objects.filter(case=ngo_case).values_list("summary", flat=True))
    assert any(s.startswith("Family tracing requested by") for s in at_ngo)
    assert any(s.startswith("Family tracing result sent to") for s in at_ngo)
    clock = kind("family_tracing").clock_of(sent)
    assert clock is not None and clock.state(timezone.now()).value == "met"


def test_without_an_agreement_granting_family_tracing_nothing_leaves(people, federation):
    # The only agreement grants child protection and locating a missing child, not tracing.
    federation.publish(dated_registry(version=2, nodes=_nodes()))
    case, relative = child_with_brother(people)
    with pytest.raises(ActionError) as refused:
        ask(people, case, relative, federation)
    assert "to_org" in refused.value.errors
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()
    relative.refresh_from_db()
    assert relative.contact_status == ContactStatus.NOT_TRACED


def test_contact_details_the_agreement_does_not_grant_do_not_leave(people, tracing_federation):
    case, relative = child_with_brother(people)
    with pytest.raises(ActionError):
        ask(people, case, relative, tracing_federation, share_contact=True)
    assert not OutboxMessage.objects.exists() and not Thread.objects.exists()


def test_contact_details_go_when_chosen_and_granted(people, federation, wire):
    granted = _tracing_agreement(
        to_tracer=(DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.CONTACT_LOCATION)
    )
    federation.publish(dated_registry(version=2, nodes=_nodes(), agreements=(dated_agreement(), granted)))
    case, relative = child_with_brother(people)
    sent = ask(people, case, relative, federation, share_contact=True)
    assert "contact_location" in sent.categories
    dispatch_pending(federation.it, wire)
    assert received().data.doc("relative")["contact"] == CONTACT


def test_a_request_for_another_purpose_or_relative_is_refused(people, tracing_federation):
    _case, relative = child_with_brother(people)
    with pytest.raises(ValueError):
        tracing.TracingRequestIn(
            to_org="fr-ngo-calais", relative=relative.public_id, purpose=Purpose.CHILD_PROTECTION
        )
    with pytest.raises(ValueError):
        tracing.TracingRequestIn(
            to_org="fr-ngo-calais", relative=relative.public_id, purpose=Purpose.IMMIGRATION_ENFORCEMENT
        )
    other = create_case(people.giulia, given_names="Samir")
    with pytest.raises(ActionError) as refused:
        tracing.do_request_tracing(
            people.giulia,
            other,
            tracing.TracingRequestIn(to_org="fr-ngo-calais", relative=relative.public_id),
            node=tracing_federation.it,
        )
    assert "relative" in refused.value.errors
    assert not OutboxMessage.objects.exists()


def test_the_wrong_people_cannot_ask_or_answer(people, tracing_federation, wire):
    fed = tracing_federation
    case, relative = child_with_brother(people)
    data = tracing.TracingRequestIn(to_org="fr-ngo-calais", relative=relative.public_id)
    for someone in (people.ivan, people.marco, people.claire):
        with pytest.raises(ActionError):
            tracing.do_request_tracing(someone, case, data, node=fed.it)
    sent = ask(people, case, relative, fed)
    # The requester does not answer its own request.
    with pytest.raises(ActionError):
        tracing.do_send_result(people.giulia, sent, tracing.TracingResultIn(outcome="found"), node=fed.it)
    dispatch_pending(fed.it, wire)
    theirs = received()
    # Another organisation's people, and the tracer does not withdraw.
    with pytest.raises(ActionError):
        tracing.do_send_result(people.luc, theirs, tracing.TracingResultIn(outcome="found"), node=fed.be)
    with pytest.raises(ActionError):
        tracing.do_withdraw_tracing(
            people.claire, theirs, tracing.TracingWithdrawIn(reason_code="no_longer_needed"), node=fed.fr
        )
    tracing.do_send_result(people.claire, theirs, tracing.TracingResultIn(outcome="not_found"), node=fed.fr)
    theirs.refresh_from_db()
    with pytest.raises(ActionError):  # one result
        tracing.do_send_result(people.claire, theirs, tracing.TracingResultIn(outcome="found"), node=fed.fr)
    with pytest.raises(ValueError):  # contact only with contact established
        tracing.TracingResultIn(outcome="found", relative_contact=CONTACT)


def test_a_withdrawal_crossing_the_result_wins_and_the_tracer_erases(people, tracing_federation, wire):
    fed = tracing_federation
    case, relative = child_with_brother(people)
    sent = ask(people, case, relative, fed)
    dispatch_pending(fed.it, wire)
    theirs = received()
    # Both speak before either hears the other.
    tracing.do_withdraw_tracing(
        people.giulia, sent, tracing.TracingWithdrawIn(reason_code="consent_withdrawn"), node=fed.it
    )
    tracing.do_send_result(people.claire, theirs, tracing.TracingResultIn(outcome="found"), node=fed.fr)
    dispatch_pending(fed.it, wire)
    dispatch_pending(fed.fr, wire)
    sent.refresh_from_db()
    theirs.refresh_from_db()
    assert sent.status == theirs.status == "withdrawn"
    assert theirs.data.doc("relative") == {} and theirs.data.doc("child") == {}
    relative.refresh_from_db()
    assert relative.contact_status == ContactStatus.TRACING  # the crossed "found" changed nothing


def test_the_thread_page_shows_the_request_to_the_tracer_only(people, tracing_federation, wire):
    case, relative = child_with_brother(people)
    ask(people, case, relative, tracing_federation)
    dispatch_pending(tracing_federation.it, wire)
    theirs = received()
    fr = Client()
    login(fr, people.claire, Purpose.FAMILY_TRACING)
    page = fr.get(reverse("exchange:thread", args=["tracing", theirs.public_id]))
    html = page.content.decode()
    assert page.status_code == 200 and BROTHER in html and "Send the result" in html
    dashboard = fr.get(reverse("exchange:dashboard")).content.decode()
    assert str(theirs.public_id) in dashboard
    be = Client()
    login(be, people.luc, Purpose.FAMILY_TRACING)
    assert be.get(reverse("exchange:thread", args=["tracing", theirs.public_id])).status_code == 404
    # A result sent from the page; a bad one comes back with its reason.
    bad = fr.post(
        reverse("exchange:thread_act", args=["tracing", theirs.public_id, "result"]),
        {"outcome": "found", "relative_contact": CONTACT},
    )
    assert bad.status_code == 422


def test_the_caseworker_sends_a_request_from_the_cases_exchange_page(people, tracing_federation, monkeypatch):
    monkeypatch.setattr(plumbing, "local_node", lambda: tracing_federation.it)  # the web process is node-it
    case, relative = child_with_brother(people)
    browser = Client()
    login(browser, people.giulia, Purpose.FAMILY_TRACING)
    page = browser.get(reverse("exchange:case", args=[case.public_id]) + "?action=tracing")
    html = page.content.decode()
    assert page.status_code == 200 and str(relative.public_id) in html and "fr-ngo-calais" in html
    sent = browser.post(
        reverse("exchange:send", args=[case.public_id, "tracing"]),
        {"to_org": "fr-ngo-calais", "purpose": "family_tracing", "relative": str(relative.public_id)},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    assert Thread.objects.get(kind="family_tracing", direction=Direction.OUTGOING).case == case
    # The police officer is not offered it.
    police = Client()
    login(police, people.luc, Purpose.FAMILY_TRACING)
    assert police.get(reverse("exchange:case", args=[case.public_id])).status_code == 404


def test_a_confirmed_link_follows_the_tracing_with_consent_and_the_guardian(people, tracing_federation, wire):
    """The story's end on Milan's side: the brother traced, the link confirmed only once the
    child's consent to family tracing and the guardian's agreement are recorded."""
    fed = tracing_federation
    case, relative = child_with_brother(people)
    ask(people, case, relative, fed)
    dispatch_pending(fed.it, wire)
    tracing.do_send_result(people.claire, received(), tracing.TracingResultIn(outcome="found"), node=fed.fr)
    dispatch_pending(fed.fr, wire)
    relative = Relative.objects.get(pk=relative.pk)
    assert relative.contact_status == ContactStatus.FOUND
    with pytest.raises(ActionError):
        continuity.do_confirm_family_link(people.giulia, relative)
    do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose=Purpose.FAMILY_TRACING,
            categories=["identity", "family"],
            valid_from=timezone.localdate(),
        ),
    )
    continuity.do_record_guardian_agreement(people.marco, relative)
    assert continuity.do_confirm_family_link(people.giulia, relative).confirmed
