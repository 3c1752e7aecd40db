"""The exchange pages: who may see and do what (deny by default), and that they drive the actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, RegistryCopy, Thread
from waymark.exchange.threads import info_request as info_requests
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case
from waymark.vocab import CaseStatus, DataCategory, Purpose


@pytest.fixture
def node(monkeypatch, federation):
    """Which node the web process is (the actions' default ``local_node``)."""
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


def login(client, user, purpose="child_protection"):
    client.force_login(user)
    session = client.session
    session["waymark.purpose"] = purpose
    session.save()
    return client


@pytest.fixture
def offered(people, federation, wire):
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay")
    referrals.do_offer_referral(
        people.giulia,
        case,
        referrals.ReferralIn(to_org="fr-ngo-calais", reason="Going to Calais."),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return case, Thread.objects.filter(kind="referral").get(direction=Direction.INCOMING)


def test_the_dashboard_says_when_the_node_refuses_to_exchange(client, people, federation):
    RegistryCopy.objects.all().delete()
    response = login(client, people.giulia).get(reverse("exchange:dashboard"))
    assert response.status_code == 200
    assert "refuses to exchange" in response.content.decode()


def test_the_dashboard_lists_a_referral_to_answer_for_the_receiving_organisation(client, people, offered):
    body = login(client, people.claire).get(reverse("exchange:dashboard")).content.decode()
    assert "Referral from Servizio Tutela Minori Milano" in body


def test_the_dashboard_shows_no_threads_to_an_immigration_officer(client, people, offered):
    body = login(client, people.ivan).get(reverse("exchange:dashboard")).content.decode()
    assert "Referral from" not in body and "Amina" not in body


def test_the_dashboard_requires_login(client, federation):
    assert client.get(reverse("exchange:dashboard")).status_code == 302


def test_an_operator_sees_refusals_and_queues(client, people, federation):
    from waymark.exchange.inbound import receive

    receive(federation.fr, b"garbage")
    body = login(client, people.sara).get(reverse("exchange:dashboard")).content.decode()
    assert "malformed" in body and "Queues per peer node" in body


def test_a_caseworker_sends_a_referral_from_the_case_page(client, people, federation, node):
    case = create_case(people.giulia)
    c = login(client, people.giulia)
    assert c.get(reverse("exchange:case", args=[case.public_id])).status_code == 200
    response = c.post(
        reverse("exchange:send", args=[case.public_id, "referral"]),
        {
            "to_org": "fr-ngo-calais",
            "purpose": "child_protection",
            "reason": "Travelling.",
            "include": ["case_notes"],
        },
    )
    assert response.status_code == 302
    referral = Thread.objects.filter(kind="referral").get(direction=Direction.OUTGOING)
    assert response["Location"] == reverse("exchange:thread", args=["referral", referral.public_id])
    assert OutboxMessage.objects.filter(message_type="referral_offer").count() == 1


def test_a_refused_send_explains_itself_and_writes_nothing(client, people, federation, node):
    case = create_case(people.giulia)
    response = login(client, people.giulia).post(
        reverse("exchange:send", args=[case.public_id, "notice"]),
        {"to_org": "fr-ngo-calais", "purpose": "family_tracing", "subject": "x", "category": "case_notes"},
    )
    assert response.status_code == 422
    assert "could not be sent" in response.content.decode()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("who", ["claire", "luc", "ivan"])
def test_another_organisations_case_exchange_page_is_not_found(client, people, federation, node, who):
    case = create_case(people.giulia)
    c = login(client, getattr(people, who))
    assert c.get(reverse("exchange:case", args=[case.public_id])).status_code == 404
    response = c.post(
        reverse("exchange:send", args=[case.public_id, "notice"]),
        {"to_org": "fr-ngo-calais", "purpose": "child_protection", "subject": "x", "category": "case_notes"},
    )
    assert response.status_code == 404
    assert not OutboxMessage.objects.exists()


def test_the_receiver_accepts_a_referral_from_its_page(client, people, federation, node, offered):
    _, received = offered
    node["node"] = federation.fr
    c = login(client, people.claire)
    page = c.get(reverse("exchange:thread", args=["referral", received.public_id]))
    assert page.status_code == 200 and "Amina" in page.content.decode()
    response = c.post(
        reverse("exchange:thread_act", args=["referral", received.public_id, "accept"]), {"note": "Welcome."}
    )
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == "accepted" and received.case is not None


@pytest.mark.parametrize("who", ["giulia", "luc", "ivan", "marco"])
def test_a_referral_is_not_found_for_anyone_outside_the_receiving_organisation(
    client, people, federation, node, offered, who
):
    _, received = offered
    c = login(client, getattr(people, who))
    assert c.get(reverse("exchange:thread", args=["referral", received.public_id])).status_code == 404
    assert (
        c.post(
            reverse("exchange:thread_act", args=["referral", received.public_id, "accept"]), {}
        ).status_code
        == 404
    )
    received.refresh_from_db()
    assert received.status == "offered"


def test_an_invalid_answer_is_shown_with_its_error(client, people, federation, node, offered):
    _, received = offered
    node["node"] = federation.fr
    response = login(client, people.claire).post(
        reverse("exchange:thread_act", args=["referral", received.public_id, "reject"]),
        {"reason_code": "not-a-reason"},
    )
    assert response.status_code == 422
    received.refresh_from_db()
    assert received.status == "offered"


@pytest.fixture
def asked(people, federation, wire):
    """Milan asks the Belgian police where a missing child was seen (police work to locate her)."""
    case = create_case(people.giulia)
    case.status = CaseStatus.MISSING
    case.save(update_fields=["status"])
    info_requests.do_request_information(
        people.giulia,
        case,
        info_requests.InfoRequestIn(
            to_org="be-police-mpu",
            purpose=Purpose.LOCATE_MISSING_CHILD,
            questions=[info_requests.QuestionIn(category=DataCategory.CONTACT_LOCATION, text="Seen?")],
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return Thread.objects.filter(kind="info_request").get(direction=Direction.INCOMING)


def test_the_police_answer_a_request_with_its_clock_shown(client, people, federation, node, asked):
    node["node"] = federation.be
    c = login(client, people.luc)
    page = c.get(reverse("exchange:thread", args=["request", asked.public_id])).content.decode()
    assert "Seen?" in page and "reply due in" in page
    response = c.post(
        reverse("exchange:thread_act", args=["request", asked.public_id, "answer"]),
        {"answer_q1": "Yes, Tuesday."},
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.data.doc("answers", list)[0]["text"] == "Yes, Tuesday."


def test_the_requester_sees_the_reply_clock_on_its_dashboard(client, people, asked):
    body = login(client, people.giulia).get(reverse("exchange:dashboard")).content.decode()
    assert "Information we are waiting for" in body and "reply due in" in body


@pytest.mark.parametrize("who", ["claire", "giulia", "ivan"])
def test_a_request_cannot_be_read_or_answered_by_another_organisation(
    client, people, federation, node, asked, who
):
    c = login(client, getattr(people, who))
    assert c.get(reverse("exchange:thread", args=["request", asked.public_id])).status_code == 404
    assert (
        c.post(
            reverse("exchange:thread_act", args=["request", asked.public_id, "answer"]), {"answer_q1": "x"}
        ).status_code
        == 404
    )
    asked.refresh_from_db()
    assert asked.data.doc("answers", list) == []
