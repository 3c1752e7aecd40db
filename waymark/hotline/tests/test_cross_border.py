"""Hotline intake across nodes, in one database (the exchange's test federation): a French
hotline's caller saw the child of an alert Italy sent — the call goes back as a sighting in that
alert and lands on the Italian case; an Italian hotline opens a case from a call and hands it to
the French hotline (a referral between hotlines), which accepts it. Refused to a non-hotline and
to the hotline's own country."""

from __future__ import annotations

from pathlib import Path

import pytest

from waymark.audit import keys as audit_keys
from waymark.cases.models import Case, Event
from waymark.cases.tests.api_client import api_as
from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Grant, GrantAction, Organisation
from waymark.errors import ActionError
from waymark.exchange import plumbing, threads
from waymark.exchange.access import access_thread
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.registry import forget_cache
from waymark.exchange.testing import FakeTransport, dated_agreement, dated_registry, make_federation
from waymark.exchange.tests.test_missing_alert import missing_case
from waymark.exchange.threads import missing_alert as alerts
from waymark.exchange.threads import referral
from waymark.hotline import actions
from waymark.hotline.access import lookup
from waymark.hotline.schemas import HandOverIn, NewCaseIn
from waymark.test import create_org, create_user
from waymark.vocab import CallOutcome, EventSource, EventType, Role, Sector

from .helpers import LOCATE, call

HOTLINES = (
    ("it-hotline", "Telefono 116 000 Italia (fictional)", "IT", "node-it"),
    ("fr-hotline", "116 000 Enfants Disparus France (fictional)", "FR", "node-fr"),
)
AGREEMENT = "hotlines-locate-2026"


@pytest.fixture(autouse=True)
def _isolated_keys(settings, tmp_path: Path):
    settings.WAYMARK_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.pem"
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "keys" / "pseudonym.key"
    forget_cache()
    yield
    audit_keys.forget_cached_keys()
    forget_cache()


@pytest.fixture
def federation(people, settings, tmp_path: Path):
    fed = make_federation(tmp_path)
    settings.WAYMARK_EXCHANGE_REGISTRY_KEY_FILE = str(fed.anchor)
    orgs = proto.registry().organisations + tuple(
        Organisation(slug=s, name=n, country=c, sector=Sector.HOTLINE, node_id=node)
        for s, n, c, node in HOTLINES
    )
    parties = ("it-cps-milano", "it-hotline", "fr-hotline")
    hotline_agreement = dated_agreement(
        identifier=AGREEMENT,
        parties=parties,
        grants=tuple(
            Grant(org=o, role=r, category=c, purpose=LOCATE, action=GrantAction.READ)
            for o in parties
            for r in (Role.CASEWORKER, Role.HOTLINE_OPERATOR)
            for c in proto.GRANTED
        ),
    )
    # Every node lists the types this code implements (as ``node_init`` makes them do).
    taken = tuple(sorted(threads.implemented_types()))
    nodes = tuple(n.model_copy(update={"message_types": taken}) for n in proto.registry().nodes)
    fed.publish(
        dated_registry(organisations=orgs, nodes=nodes, agreements=(dated_agreement(), hotline_agreement))
    )
    return fed


@pytest.fixture
def wire(federation):
    return FakeTransport(federation)


@pytest.fixture
def node(monkeypatch, federation):
    current = {"node": federation.it}
    monkeypatch.setattr(plumbing, "local_node", lambda: current["node"])
    return current


@pytest.fixture
def hotlines(people):
    it = create_org(HOTLINES[0][0], name=HOTLINES[0][1], country="IT", sector=Sector.HOTLINE)
    fr = create_org(HOTLINES[1][0], name=HOTLINES[1][1], country="FR", sector=Sector.HOTLINE)
    return create_user("elena", it, Role.HOTLINE_OPERATOR), create_user("louise", fr, Role.HOTLINE_OPERATOR)


def test_a_caller_in_france_saw_the_child_of_an_italian_alert(people, federation, wire, node, hotlines):
    _elena, louise = hotlines
    case = missing_case(people)
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=["fr-hotline"]), node=federation.it)
    dispatch_pending(federation.it, wire)

    node["node"] = federation.fr
    found = lookup(louise, LOCATE, "Amina Test")
    assert found.cases == [] and found.holders == []  # nothing of Italy's caseload, only the alert
    [match] = found.alerts
    assert match.child_name.startswith("Amina") and match.alert.peer_org == "it-cps-milano"
    seen = access_thread(louise, "alert", match.alert.public_id)
    recorded = actions.do_pass_as_sighting(louise, seen, call(child_name="Amina", seen_place="Gare de Lille"))
    assert recorded.outcome == CallOutcome.SIGHTING_SENT and recorded.alert == match.alert
    dispatch_pending(federation.fr, wire)

    sighting = Event.objects.get(case=case, type=EventType.SIGHTING)
    assert "Gare de Lille" in (sighting.location + sighting.summary_text)


def test_a_sighting_needs_a_place(people, federation, wire, node, hotlines):
    _elena, louise = hotlines
    case = missing_case(people)
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=["fr-hotline"]), node=federation.it)
    dispatch_pending(federation.it, wire)
    node["node"] = federation.fr
    alert = Thread.objects.get(kind="missing_alert", direction=Direction.INCOMING)
    with pytest.raises(ActionError) as refused:
        actions.do_pass_as_sighting(
            louise, access_thread(louise, "alert", alert.public_id), call(seen_place="")
        )
    assert "call.seen_place" in refused.value.errors


def test_a_hotline_hands_its_case_to_another_countrys_hotline(people, federation, wire, node, hotlines):
    elena, louise = hotlines
    recorded = actions.do_open_case(elena, NewCaseIn(call=call(child_name="Amina Tesfay")))
    offered = actions.do_hand_over(
        elena, recorded, HandOverIn(to_org="fr-hotline", note="Heading to Calais (fictional)")
    )
    assert offered.kind == "referral" and offered.purpose == LOCATE and offered.agreement_id == AGREEMENT
    dispatch_pending(federation.it, wire)

    node["node"] = federation.fr
    received = Thread.objects.get(kind="referral", direction=Direction.INCOMING, local_org__slug="fr-hotline")
    seen = access_thread(louise, "referral", received.public_id)
    assert seen.shown  # a hotline reads what another hotline hands it, reason included
    assert received.data.text("reason") == "Heading to Calais (fictional)"
    referral.do_accept_referral(louise, received, referral.ReferralAcceptIn(), node=federation.fr)
    held = Case.objects.get(organisation__slug="fr-hotline")
    assert (held.child.given_names, held.child.family_name) == ("Amina", "Tesfay")


def test_a_hand_over_goes_to_a_hotline_of_another_country_only(people, federation, wire, node, hotlines):
    elena, _louise = hotlines
    recorded = actions.do_open_case(elena, NewCaseIn(call=call(child_name="Amina Tesfay")))
    for to_org in ("fr-ngo-calais", "it-hotline", "nowhere"):
        with pytest.raises(ActionError) as refused:
            actions.do_hand_over(elena, recorded, HandOverIn(to_org=to_org))
        assert "to_org" in refused.value.errors
    assert not Thread.objects.filter(kind="referral").exists()
    assert (
        recorded.case is not None
        and Event.objects.filter(case=recorded.case, source=EventSource.HOTLINE).exists()
    )


def test_through_the_api_a_sighting_and_a_hand_over(people, federation, wire, node, hotlines):
    elena, louise = hotlines
    case = missing_case(people)
    alerts.do_send_alerts(people.giulia, case, alerts.AlertsIn(to_orgs=["fr-hotline"]), node=federation.it)
    dispatch_pending(federation.it, wire)
    node["node"] = federation.fr
    fr_api = api_as(louise, purpose=LOCATE)
    [alert] = fr_api.post("/api/hotline/lookup", {"child_name": "Amina Test"}).json()["alerts"]
    sent = fr_api.post(
        "/api/hotline/calls/sighting",
        {
            "call": {"relationship": "public", "seen_place": "Calais, rue de la Mer"},
            "alert": alert["alert_id"],
        },
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()["outcome"] == "sighting_sent" and sent.json()["alert_id"] == alert["alert_id"]

    node["node"] = federation.it
    it_api = api_as(elena, purpose=LOCATE)
    opened = it_api.post(
        "/api/hotline/calls/new-case", {"call": {"relationship": "friend", "child_name": "Dawit Mesfin"}}
    )
    assert opened.status_code == 201, opened.json()
    handed = it_api.post(f"/api/hotline/calls/{opened.json()['call_id']}/hand-over", {"to_org": "fr-hotline"})
    assert handed.status_code == 201, handed.json()
    assert handed.json()["to_org"] == "fr-hotline" and handed.json()["status"] == "offered"
