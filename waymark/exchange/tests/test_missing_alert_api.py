"""The alert API between the fictional nodes in one database: Italy sends an alert and reads each
recipient's acknowledgements; France reads it, marks it seen and reports a sighting; Belgium
reports the child found; Italy closes the disappearance. Refused to the wrong person and purpose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as
from waymark.exchange import plumbing
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, OutboxMessage, Thread
from waymark.vocab import EventType, Purpose

from .test_missing_alert import BOTH, missing_case

LOCATE = Purpose.LOCATE_MISSING_CHILD


@pytest.fixture
def federation(takes_erasure):
    return takes_erasure


@pytest.fixture
def node(monkeypatch, federation):
    """Which node the API process is (the actions' default ``local_node``)."""
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


def received(org: str) -> Thread:
    return Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING, local_org__slug=org)


@pytest.fixture
def alerted(people, federation, wire, node):
    case = missing_case(people)
    answer = api_as(people.giulia, purpose=LOCATE).post(
        f"/api/cases/{case.public_id}/alerts", {"to_orgs": BOTH, "physical_description": "Green jacket"}
    )
    assert answer.status_code == 201, answer.json()
    dispatch_pending(federation.it, wire)
    return case


def test_the_sender_reads_each_recipients_acknowledgements(people, alerted):
    answer = api_as(people.giulia, purpose=LOCATE).get(f"/api/cases/{alerted.public_id}/alerts")
    assert answer.status_code == 200
    rows = {r["organisation"]: r for r in answer.json()["recipients"]}
    assert set(rows) == set(BOTH)
    assert all(r["acknowledged"] == "receipted" and r["acknowledged_at"] for r in rows.values())
    assert all(r["seen_at"] is None and r["seen_due_at"] for r in rows.values())


def test_a_recipient_reads_the_alert_marks_it_seen_and_reports_a_sighting(
    people, federation, wire, node, alerted
):
    node["node"] = federation.fr
    alert = received("fr-ngo-calais")
    client = api_as(people.claire, purpose=LOCATE)
    read = client.get(f"/api/alerts/{alert.public_id}")
    assert read.status_code == 200
    assert read.json()["alert"]["child"]["given_names"] == "Amina"

    assert client.post(f"/api/alerts/{alert.public_id}/seen", {}).status_code == 200
    sighting = client.post(
        f"/api/alerts/{alert.public_id}/sightings",
        {
            "seen_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
            "place": "Gare de Lille",
            "country": "FR",
            "confidence": "high",
        },
    )
    assert sighting.status_code == 201, sighting.json()
    dispatch_pending(federation.fr, wire)

    assert Event.objects.filter(case=alerted, type=EventType.SIGHTING).exists()
    rows = {
        r["organisation"]: r
        for r in api_as(people.giulia, purpose=LOCATE)
        .get(f"/api/cases/{alerted.public_id}/alerts")
        .json()["recipients"]
    }
    assert rows["fr-ngo-calais"]["seen_at"] and rows["fr-ngo-calais"]["sightings"] == 1
    assert rows["be-police-mpu"]["seen_at"] is None


def test_found_from_belgium_then_closed_by_italy(people, federation, wire, node, alerted):
    node["node"] = federation.be
    alert = received("be-police-mpu")
    # A police officer reads who the child is and where last seen, not the case notes (policy).
    read = api_as(people.luc, purpose=LOCATE).get(f"/api/alerts/{alert.public_id}").json()
    assert read["alert"]["child"]["given_names"] == "Amina"
    assert read["alert"]["last_seen_place"]["description"] == "Milano Centrale"
    assert "risk_level" not in read["alert"] and read["risk_level"] == ""
    assert "risk_level" in read["withheld"]
    found = api_as(people.luc, purpose=LOCATE).post(
        f"/api/alerts/{alert.public_id}/found",
        {"found_at": timezone.now().isoformat(), "place": "Bruxelles-Midi", "country": "BE", "safe": True},
    )
    assert found.status_code == 201, found.json()
    dispatch_pending(federation.be, wire)

    node["node"] = federation.it
    closed = api_as(people.giulia, purpose=LOCATE).post(f"/api/cases/{alerted.public_id}/found", {})
    assert closed.status_code == 200, closed.json()
    assert closed.json() == {"case_status": "found", "alerts_closed": 2}
    dispatch_pending(federation.it, wire)
    assert {received(o).status for o in BOTH} == {"closed"}

    again = api_as(people.giulia, purpose=LOCATE).post(f"/api/cases/{alerted.public_id}/found", {})
    assert again.status_code == 422 and "already recorded as found" in str(again.json())
    node["node"] = federation.be
    late = api_as(people.luc, purpose=LOCATE).post(
        f"/api/alerts/{alert.public_id}/found", {"found_at": timezone.now().isoformat()}
    )
    assert late.status_code == 422 and "this alert is closed" in str(late.json())


def test_refused_to_the_wrong_person_and_purpose(people, federation, node, alerted):
    alert = received("fr-ngo-calais")
    # Another organisation's alert is not found; the immigration caseworker is refused outright.
    assert api_as(people.luc, purpose=LOCATE).get(f"/api/alerts/{alert.public_id}").status_code == 404
    assert (
        api_as(people.ivan, purpose=LOCATE).get(f"/api/cases/{alerted.public_id}/alerts").status_code == 404
    )
    assert (
        api_as(people.claire, purpose=Purpose.CHILD_PROTECTION)
        .get(f"/api/alerts/{alert.public_id}")
        .status_code
        == 403
    )
    assert (
        api_as(people.giulia, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
        .get(f"/api/cases/{alerted.public_id}/alerts")
        .status_code
        == 403
    )


def test_an_alert_to_a_partner_without_agreement_is_a_422_and_nothing_leaves(people, federation, node):
    case = missing_case(people)
    answer = api_as(people.giulia, purpose=LOCATE).post(
        f"/api/cases/{case.public_id}/alerts", {"to_orgs": ["fr-ngo-calais", "xx-immigration"]}
    )
    assert answer.status_code == 422
    assert "xx-immigration" in str(answer.json()["errors"])
    assert not OutboxMessage.objects.exists()


def test_the_owner_updates_the_alert_and_every_recipient_holds_the_new_revision(
    people, federation, wire, alerted
):
    client = api_as(people.giulia, purpose=LOCATE)
    answer = client.post(
        f"/api/cases/{alerted.public_id}/alerts/update", {"physical_description": "Now a red cap"}
    )
    assert answer.status_code == 200, answer.json()
    assert {r["organisation"] for r in answer.json()["recipients"]} == set(BOTH)
    dispatch_pending(federation.it, wire)
    for org in BOTH:
        copy = received(org)
        assert copy.facts["revision"] == 1
        assert copy.data.doc("alert")["child"]["physical_description"] == "Now a red cap"


def test_the_owner_withdraws_the_alert_and_every_copy_goes(people, federation, wire, alerted):
    answer = api_as(people.giulia, purpose=LOCATE).post(
        f"/api/cases/{alerted.public_id}/alerts/withdraw", {"reason_code": "sent_in_error"}
    )
    assert answer.status_code == 200, answer.json()
    assert {r["status"] for r in answer.json()["recipients"]} == {"withdrawn"}
    dispatch_pending(federation.it, wire)
    assert {received(o).status for o in BOTH} == {"withdrawn"}
    assert all(received(o).data.doc("alert") == {} for o in BOTH)
    # Nothing is open any more: a second withdrawal or an update says so.
    again = api_as(people.giulia, purpose=LOCATE).post(f"/api/cases/{alerted.public_id}/alerts/withdraw", {})
    assert again.status_code == 422 and "no alert about this child is open" in str(again.json()["errors"])
    update = api_as(people.giulia, purpose=LOCATE).post(f"/api/cases/{alerted.public_id}/alerts/update", {})
    assert update.status_code == 422 and "no alert about this child is open" in str(update.json()["errors"])


def test_the_child_came_back_closes_the_disappearance_and_every_alert(people, federation, wire, alerted):
    answer = api_as(people.giulia, purpose=LOCATE).post(
        f"/api/cases/{alerted.public_id}/disappearance/close",
        {"outcome": "returned", "note": "Back at the shelter (fictional)"},
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"case_status": "open", "alerts_closed": 2}
    dispatch_pending(federation.it, wire)
    assert {received(o).status for o in BOTH} == {"closed"}
    again = api_as(people.giulia, purpose=LOCATE).post(
        f"/api/cases/{alerted.public_id}/disappearance/close", {"outcome": "withdrawn"}
    )
    assert again.status_code == 422 and "status" in again.json()["errors"]


def test_closing_a_disappearance_names_the_field_at_fault(people, alerted):
    client = api_as(people.giulia, purpose=LOCATE)
    url = f"/api/cases/{alerted.public_id}/disappearance/close"
    future = client.post(url, {"outcome": "returned", "closed_at": "2999-01-01T00:00:00+00:00"})
    assert future.status_code == 422 and "closed_at" in future.json()["errors"]
    unknown = client.post(url, {"outcome": "found"})  # found has closeFound, with its own rules
    assert unknown.status_code == 400 and "outcome" in unknown.json()["errors"]
    bad_reason = client.post(f"/api/cases/{alerted.public_id}/alerts/withdraw", {"reason_code": "bored"})
    assert bad_reason.status_code == 400 and "reason_code" in bad_reason.json()["errors"]
    bad_include = client.post(f"/api/cases/{alerted.public_id}/alerts/update", {"include": ["mood"]})
    assert bad_include.status_code == 400 and "include.0" in bad_include.json()["errors"]
    assert (
        Thread.objects.filter(kind="missing_alert", status="alerted").count() == 4
    )  # sent and received  # nothing changed


@pytest.mark.parametrize("operation", ["alerts/update", "alerts/withdraw", "disappearance/close"])
def test_the_owner_operations_are_refused_to_the_wrong_person_and_purpose(people, alerted, operation):
    url = f"/api/cases/{alerted.public_id}/{operation}"
    body = {"outcome": "returned"} if operation == "disappearance/close" else {}
    # Without the purpose locate_missing_child: 403 naming the header.
    wrong = api_as(people.giulia, purpose=Purpose.CHILD_PROTECTION).post(url, body)
    assert wrong.status_code == 403 and "Waymark-Purpose" in wrong.json()["errors"]
    # Someone who may not change the case (a partner, the immigration officer): not found.
    assert api_as(people.claire, purpose=LOCATE).post(url, body).status_code == 404
    assert api_as(people.ivan, purpose=LOCATE).post(url, body).status_code == 404
    assert api_as(people.giulia, purpose=Purpose.IMMIGRATION_ENFORCEMENT).post(url, body).status_code == 403
    assert Thread.objects.filter(kind="missing_alert", status="alerted").count() == 4  # sent and received
