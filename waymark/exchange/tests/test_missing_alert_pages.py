"""The alert's pages: sent from the case's exchange page, read and answered on the recipient's
alert page (a police officer sees the child, not the case notes), 404 to another organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import missing_alert as alerts
from waymark.test import create_case

from .test_missing_alert import missing_case


@pytest.fixture
def federation(takes_erasure):
    return takes_erasure


@pytest.fixture
def node(monkeypatch, federation):
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


def login(client, user, purpose="locate_missing_child"):
    client.force_login(user)
    session = client.session
    session["waymark.purpose"] = purpose
    session.save()
    return client


def test_an_alert_is_sent_from_the_case_page_and_answered_on_the_alert_page(
    client, people, federation, wire, node
):
    case = missing_case(people)
    login(client, people.giulia)
    page = client.get(reverse("exchange:case", args=[case.public_id]))
    assert "Alert organisations along the route" in page.content.decode()  # offered as an action
    form = client.get(reverse("exchange:case", args=[case.public_id]), {"action": "alert"}).content.decode()
    assert 'name="physical_description"' in form
    sent = client.post(
        reverse("exchange:send", args=[case.public_id, "alert"]),
        {"to_org": "be-police-mpu", "purpose": "locate_missing_child", "include": ["contact_location"]},
    )
    assert sent.status_code == 302
    dispatch_pending(federation.it, wire)

    node["node"] = federation.be
    alert = Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING)
    client.logout()
    login(client, people.luc)
    shown = client.get(reverse("exchange:thread", args=["alert", alert.public_id])).content.decode()
    assert "Amina" in shown and "Milano Centrale" in shown
    assert "unaccompanied_migrant" not in shown and "Not shown to you" in shown  # case notes: not his
    assert (
        client.post(reverse("exchange:thread_act", args=["alert", alert.public_id, "seen"])).status_code
        == 302
    )
    alert.refresh_from_db()
    assert alert.facts["seen_at"]


def test_the_alert_form_is_offered_only_for_a_missing_child(client, people, federation, node):
    login(client, people.giulia)
    case = create_case(people.giulia)
    page = client.get(reverse("exchange:case", args=[case.public_id]))
    assert "Alert organisations along the route" not in page.content.decode()


def test_another_organisations_alert_is_not_found(client, people, federation, wire, node):
    case = missing_case(people)
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=["be-police-mpu"]), node=federation.it)
    dispatch_pending(federation.it, wire)
    alert = Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING)
    login(client, people.claire)
    assert client.get(reverse("exchange:thread", args=["alert", alert.public_id])).status_code == 404


def test_the_caseworker_finds_the_sighting_notice_on_the_exchange_dashboard(
    client, people, federation, wire, node
):
    case = missing_case(people)
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=["fr-ngo-calais"]), node=federation.it)
    dispatch_pending(federation.it, wire)
    alert = Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING)
    alerts.do_report_sighting(
        people.claire,
        alert,
        alerts.SightingIn(seen_at=timezone.now(), place="Calais, Rue de la Mer", country="FR"),
        node=federation.fr,
    )
    dispatch_pending(federation.fr, wire)
    login(client, people.giulia)
    page = client.get(reverse("exchange:dashboard")).content.decode()
    assert "A sighting was reported" in page and case.reference in page
    login(client, people.sara)  # not her case: no notice
    assert "A sighting was reported" not in client.get(reverse("exchange:dashboard")).content.decode()


def test_the_owner_closes_the_disappearance_from_the_alert_page(client, people, federation, wire, node):
    case = missing_case(people)
    [sent] = alerts.do_send_alerts(
        people.giulia, case, alerts.AlertsIn(to_orgs=["fr-ngo-calais"]), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    login(client, people.giulia)
    page = client.get(reverse("exchange:thread", args=["alert", sent.public_id])).content.decode()
    assert "Close: found" in page and "Mark seen" not in page  # the recipient's buttons are not hers
    done = client.post(
        reverse("exchange:thread_act", args=["alert", sent.public_id, "close"]), {"note": "Safe."}
    )
    assert done.status_code == 302
    dispatch_pending(federation.it, wire)
    case.refresh_from_db()
    assert case.status == "found"
    assert Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING).status == "closed"


def test_the_owner_closes_as_came_back_from_the_alert_page(client, people, federation, wire, node):
    case = missing_case(people)
    [sent] = alerts.do_send_alerts(
        people.giulia, case, alerts.AlertsIn(to_orgs=["fr-ngo-calais"]), node=federation.it
    )
    dispatch_pending(federation.it, wire)
    login(client, people.giulia)
    page = client.get(reverse("exchange:thread", args=["alert", sent.public_id])).content.decode()
    assert "The child came back by themselves" in page
    bad = client.post(reverse("exchange:thread_act", args=["alert", sent.public_id, "came_back"]), {})
    assert bad.status_code == 422  # which of the two must be said
    done = client.post(
        reverse("exchange:thread_act", args=["alert", sent.public_id, "came_back"]),
        {"outcome": "returned", "note": "Back at the shelter (fictional)."},
    )
    assert done.status_code == 302
    dispatch_pending(federation.it, wire)
    case.refresh_from_db()
    assert case.status == "open"
    assert Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING).status == "closed"
