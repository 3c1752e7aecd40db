"""The missing-child response across three real nodes (each its own web server, dispatcher and
SQLite database on 127.0.0.1), driven through the API as a hotline's or police system would.

Scenario "A." (DOMAIN.md, fictional): a 16-year-old Eritrean girl registered in Milan, with a
health record there, goes missing from a reception centre on her way to an aunt in Sweden;
Giulia reports the disappearance and alerts France and Belgium; both nodes acknowledge
automatically (their signed receipts); Claire in Calais marks it seen and reports a sighting,
which lands on the Italian timeline; Luc in Brussels reports her found; Giulia closes the
disappearance and ``case_closed`` reaches both nodes, which end the need-to-know context and keep
nothing of the child. What each node holds is asserted at each step, including what it must not.
Then the bad input: an alert to a node with no agreement, a found report for an unknown or closed
alert, a sighting from a node that never received the alert.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from waymark.core.protocol import testing as proto
from waymark.core.protocol.envelope import envelope_sha256, seal
from waymark.core.protocol.keys import MIN_SCRYPT_N, public_jwk
from waymark.core.protocol.messages import MessageType, make_header
from waymark.core.protocol.receipts import ReceiptStatus, verify_receipt
from waymark.core.protocol.vocab import Purpose
from waymark.devtools import demo
from waymark.devtools.network import Network, Node, free_port

from .cluster import FAST, node_keys, post_envelope, reconciled, registry, rows, wait_until

pytestmark = [pytest.mark.network]

LOCATE = "locate_missing_child"
NAME = "Selam"  # fictional, like everything below
HEALTH_NOTE = "Asthma: needs her inhaler every day"
CIRCUMSTANCES = "Fled a marriage arranged by an uncle"
FAMILY_ABROAD = "An aunt in Stockholm"


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template) -> Iterator[Network]:
    network = Network(
        tmp_path_factory.mktemp("alert"),
        [(demo.node(n), free_port()) for n in ("node-it", "node-fr", "node-be")],
        env=FAST,
        web_workers=1,
    )
    try:
        network.prepare(template=sqlite_template, scrypt_n=MIN_SCRYPT_N)
        network.start()
        yield network
    finally:
        network.stop()


def token(net: Network, node: Node, username: str) -> str:
    return net.manage(node, "create_api_token", username, "--name", "alert test (fictional)").strip()


def call(node: Node, secret: str, method: str, path: str, body: Any = None, purpose: str = LOCATE) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=20)
    try:
        headers = {"Authorization": f"Bearer {secret}", "Waymark-Purpose": purpose}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else None
    finally:
        conn.close()


def one(net: Network, node: Node, sql: str, *params: Any) -> Any:
    found = rows(net, node, sql, *params)
    return found[0][0] if found else None


def alert_id(net: Network, node: Node) -> uuid.UUID:
    """The alert this node received last."""
    sql = (
        "SELECT public_id FROM exchange_thread WHERE kind = 'missing_alert' AND direction = 'in'"
        " ORDER BY id DESC LIMIT 1"
    )
    return uuid.UUID(str(one(net, node, sql)))


def alert_status(net: Network, node: Node, alert: uuid.UUID) -> Any:
    # SQLite keeps a UUID as 32 hex digits.
    return one(
        net, node, "SELECT status FROM exchange_thread WHERE public_id IN (?, ?)", alert.hex, str(alert)
    )


def received(net: Network, node: Node) -> int:
    return count(
        net, node, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'missing_alert' AND direction = 'in'"
    )


def count(net: Network, node: Node, sql: str, *params: Any) -> int:
    return int(one(net, node, sql, *params) or 0)


def register(it: Node, giulia: str, given_names: str) -> dict[str, Any]:
    status, case = call(
        it,
        giulia,
        "POST",
        "/api/cases",
        {
            "child": {
                "given_names": given_names,
                "family_name": "Demo (fictional)",
                "sex": "female",
                "nationality": "ER",
                "languages": ["ti"],
                "assessed_age_min": 16,
                "assessed_age_max": 16,
                "birth_date_precision": "estimated",
            },
            "confirm_not_duplicate": True,
        },
        purpose="child_protection",
    )
    assert status == 201, case
    return dict(case)


def report_missing(it: Node, giulia: str, case_id: str) -> dict[str, Any]:
    """The disappearance report (issue 11, step 1): when and where, why, where she is heading."""
    status, reported = call(
        it,
        giulia,
        "POST",
        "/api/missing",
        {
            "case": case_id,
            "last_seen_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat(),
            "missing_category": "unaccompanied_migrant",
            "last_seen_place": "Reception centre, Ventimiglia",
            "circumstances": CIRCUMSTANCES,
            "destination_country": "SE",
            "route_countries": ["FR", "BE"],
            "family_abroad": FAMILY_ABROAD,
            "triggers": ["unknown_call"],
        },
    )
    assert status == 201, reported
    return dict(reported)


def missing_child(net: Network, it: Node, giulia: str, given_names: str) -> tuple[str, str]:
    """A fictional child registered and reported missing in Milan: (case id, case reference)."""
    case = register(it, giulia, given_names)
    report_missing(it, giulia, case["public_id"])
    return case["public_id"], case["reference"]


def test_scenario_a_registered_in_italy_alerted_sighted_in_france_found_in_belgium_closed_everywhere(net):
    it, fr, be = net.nodes["node-it"], net.nodes["node-fr"], net.nodes["node-be"]
    giulia, claire, luc = token(net, it, "giulia"), token(net, fr, "claire"), token(net, be, "luc")

    def nothing_of_her_at(node: Node) -> None:
        assert count(net, node, "SELECT COUNT(*) FROM cases_child WHERE given_names = ?", NAME) == 0
        assert NAME not in str(rows(net, node, "SELECT sealed FROM exchange_thread"))  # sealed, if held

    # Registered in Milan, with a health record there (health is in no agreement).
    case = register(it, giulia, NAME)
    case_id = case["public_id"]
    status, _ = call(
        it,
        giulia,
        "POST",
        f"/api/cases/{case_id}/events",
        {"type": "health", "summary": HEALTH_NOTE},
        purpose="child_protection",
    )
    assert status == 201
    for node in (fr, be):
        nothing_of_her_at(node)
        assert count(net, node, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'missing_alert'") == 0

    # Reported missing: the case is missing, its protocol clocks run, Milan's board shows her.
    reported = report_missing(it, giulia, case_id)
    disappearance = reported["public_id"]
    assert reported["open"] and reported["steps"]
    _s, board = call(it, giulia, "GET", "/api/missing")
    assert case_id in [row["case"] for row in board["items"]]
    for node in (fr, be):  # a report alone tells no other node anything
        assert count(net, node, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'missing_alert'") == 0

    # Giulia alerts France and Belgium.
    status, sent = call(
        it,
        giulia,
        "POST",
        f"/api/cases/{case_id}/alerts",
        {"to_orgs": ["fr-ngo-calais", "be-police-mpu"], "physical_description": "Blue scarf"},
    )
    assert status == 201, sent

    # Both nodes acknowledge on receipt: their signed receipts, per recipient.
    def acknowledged() -> bool:
        _s, listed = call(it, giulia, "GET", f"/api/cases/{case_id}/alerts")
        return (
            all(r["acknowledged"] == "receipted" for r in listed["recipients"])
            and len(listed["recipients"]) == 2
        )

    wait_until(acknowledged, what="both automatic acknowledgements")
    for node in (fr, be):
        held = one(net, node, "SELECT categories FROM exchange_thread WHERE kind = 'missing_alert'")
        assert "health" not in held and "disclosure" not in held
        # The need-to-know context at the recipient is the open alert (no case is opened).
        assert one(net, node, "SELECT status FROM exchange_thread WHERE kind = 'missing_alert'") == "alerted"
        nothing_of_her_at(node)
    # The need-to-know context is open for each partner at the sender.
    assert (
        one(
            net,
            it,
            "SELECT COUNT(*) FROM policy_sharedcontext WHERE source = 'missing_alert' AND closed_at IS NULL",
        )
        == 2
    )

    # What France and Belgium read: who she is, where she was last seen — never her health, the
    # circumstances of the report or her family abroad (not in any alert).
    fr_alert, be_alert = alert_id(net, fr), alert_id(net, be)
    status, read = call(fr, claire, "GET", f"/api/alerts/{fr_alert}")
    assert status == 200 and read["alert"]["child"]["given_names"] == NAME
    assert "Ventimiglia" in json.dumps(read)
    status, read_be = call(be, luc, "GET", f"/api/alerts/{be_alert}")
    assert status == 200 and read_be["alert"]["child"]["given_names"] == NAME
    for answer in (read, read_be):
        for secret in (HEALTH_NOTE, CIRCUMSTANCES, FAMILY_ABROAD):
            assert secret not in json.dumps(answer)

    # Claire marks it seen and reports a sighting: on the Italian timeline at once.
    assert call(fr, claire, "POST", f"/api/alerts/{fr_alert}/seen", {})[0] == 200
    seen_at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)).isoformat()
    status, _ = call(
        fr,
        claire,
        "POST",
        f"/api/alerts/{fr_alert}/sightings",
        {"seen_at": seen_at, "place": "Gare de Menton", "country": "FR", "confidence": "high"},
    )
    assert status == 201
    wait_until(
        lambda: (
            one(
                net,
                it,
                "SELECT COUNT(*) FROM cases_event WHERE type = 'sighting' AND location LIKE 'Gare de Menton%'",
            )
            == 1
        ),
        what="the sighting on the Italian timeline",
    )
    _s, listed = call(it, giulia, "GET", f"/api/cases/{case_id}/alerts")
    by_org = {r["organisation"]: r for r in listed["recipients"]}
    assert by_org["fr-ngo-calais"]["seen_at"] and by_org["fr-ngo-calais"]["sightings"] == 1
    assert by_org["be-police-mpu"]["seen_at"] is None
    # Belgium hears nothing of France's sighting (it goes to the owner only).
    assert "Menton" not in json.dumps(call(be, luc, "GET", f"/api/alerts/{be_alert}")[1])

    # Luc reports her found in Brussels.
    status, _ = call(
        be,
        luc,
        "POST",
        f"/api/alerts/{be_alert}/found",
        {
            "found_at": dt.datetime.now(dt.UTC).isoformat(),
            "place": "Bruxelles-Midi",
            "country": "BE",
            "safe": True,
        },
    )
    assert status == 201
    wait_until(
        lambda: one(net, it, "SELECT COUNT(*) FROM cases_event WHERE type = 'found'") == 1,
        what="the found report on the Italian timeline",
    )

    # Giulia closes the disappearance: case_closed to every recipient.
    status, closed = call(it, giulia, "POST", f"/api/cases/{case_id}/found", {})
    assert status == 200 and closed == {"case_status": "found", "alerts_closed": 2}
    # In Milan the report is closed (its clocks stopped) and she leaves the board.
    _s, report = call(it, giulia, "GET", f"/api/missing/{disappearance}")
    assert report["open"] is False and report["outcome"] == "found"
    assert all(s["done_at"] or s["clock"]["state"] == "stopped" for s in report["steps"])
    _s, board = call(it, giulia, "GET", "/api/missing")
    assert case_id not in [row["case"] for row in board["items"]]

    def closed_at(node: Node) -> Callable[[], bool]:
        return lambda: (
            one(net, node, "SELECT status FROM exchange_thread WHERE kind = 'missing_alert'") == "closed"
        )

    for node in (fr, be):
        wait_until(closed_at(node), what=f"case_closed at {node.node_id}")
        # Nothing of the child is kept: the sealed data and the ledger's notes are cleared and the
        # thread's key shredded; only the bare thread row stays (parties, states, times).
        assert one(net, node, "SELECT sealed FROM exchange_thread WHERE kind = 'missing_alert'") in ("{}", {})
        assert count(net, node, "SELECT COUNT(*) FROM exchange_threadmessage WHERE note_sealed != ''") == 0
        assert count(net, node, "SELECT COUNT(*) FROM vault_childkey WHERE shredded_at IS NOT NULL") >= 1
        nothing_of_her_at(node)
    assert (
        one(
            net,
            it,
            "SELECT COUNT(*) FROM policy_sharedcontext WHERE source = 'missing_alert' AND closed_at IS NULL",
        )
        == 0
    )
    assert call(fr, claire, "GET", f"/api/alerts/{fr_alert}")[1]["alert"] == {}
    assert call(be, luc, "GET", f"/api/alerts/{be_alert}")[1]["alert"] == {}
    # The context ended: nobody keeps looking for a child who has been found.
    status, refused = call(
        fr,
        claire,
        "POST",
        f"/api/alerts/{fr_alert}/sightings",
        {"seen_at": seen_at, "place": "Gare de Lille", "country": "FR"},
    )
    assert status in (409, 422) and "closed" in json.dumps(refused)

    wait_until(lambda: reconciled(net).ok, what="a clean reconciliation")


def test_an_alert_to_a_node_with_no_agreement_is_refused_and_nothing_leaves_the_node(net):
    it, fr, be = net.nodes["node-it"], net.nodes["node-fr"], net.nodes["node-be"]
    giulia = token(net, it, "giulia")
    case_id, _ref = missing_child(net, it, giulia, "Hiwet")
    outbox_before = count(net, it, "SELECT COUNT(*) FROM exchange_outboxmessage")
    threads_before = count(net, it, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'missing_alert'")
    be_before = count(net, be, "SELECT COUNT(*) FROM exchange_thread")
    # The registry authority publishes an agreement that no longer names Belgium.
    net.publish_registry(parties=("it-cps-milano", "fr-ngo-calais"))
    try:
        status, refused = call(
            it,
            giulia,
            "POST",
            f"/api/cases/{case_id}/alerts",
            {"to_orgs": ["fr-ngo-calais", "be-police-mpu"]},
        )
        assert status == 422, refused
        message = " ".join(refused["errors"]["to_orgs"])
        assert "be-police-mpu" in message and "no agreement" in message
        # All or nothing: France was not alerted either, and nothing is queued.
        assert count(net, it, "SELECT COUNT(*) FROM exchange_outboxmessage") == outbox_before
        assert (
            count(net, it, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'missing_alert'")
            == threads_before
        )
    finally:
        net.publish_registry()
    assert count(net, be, "SELECT COUNT(*) FROM exchange_thread") == be_before
    assert count(net, fr, "SELECT COUNT(*) FROM cases_child WHERE given_names = 'Hiwet'") == 0


def test_a_found_report_for_an_unknown_or_closed_alert_gets_a_clear_answer(net):
    it, be = net.nodes["node-it"], net.nodes["node-be"]
    giulia, luc = token(net, it, "giulia"), token(net, be, "luc")
    found = {"found_at": dt.datetime.now(dt.UTC).isoformat(), "place": "Liège", "country": "BE", "safe": True}

    # An alert that does not exist here: not found, said as such.
    status, answer = call(be, luc, "POST", f"/api/alerts/{uuid.uuid4()}/found", found)
    assert status == 404 and answer["detail"]

    # An alert the owner has closed: the answer says it is closed, and nothing is sent.
    case_id, _ref = missing_child(net, it, giulia, "Luwam")
    before = received(net, be)
    assert call(it, giulia, "POST", f"/api/cases/{case_id}/alerts", {"to_orgs": ["be-police-mpu"]})[0] == 201
    wait_until(lambda: received(net, be) == before + 1, what="the alert in Brussels")
    be_alert = alert_id(net, be)
    assert call(it, giulia, "POST", f"/api/cases/{case_id}/found", {})[0] == 200
    wait_until(lambda: alert_status(net, be, be_alert) == "closed", what="case_closed in Brussels")
    sent_before = count(net, be, "SELECT COUNT(*) FROM exchange_outboxmessage")
    status, answer = call(be, luc, "POST", f"/api/alerts/{be_alert}/found", found)
    assert status in (409, 422) and "closed" in json.dumps(answer), answer
    assert count(net, be, "SELECT COUNT(*) FROM exchange_outboxmessage") == sent_before

    # The owner records her found a second time: already found, said on the field.
    status, answer = call(it, giulia, "POST", f"/api/cases/{case_id}/found", {})
    assert status == 422 and "already recorded as found" in json.dumps(answer), answer


def test_a_sighting_from_a_node_that_never_received_the_alert_gets_a_signed_negative_receipt(net):
    it, be = net.nodes["node-it"], net.nodes["node-be"]
    giulia = token(net, it, "giulia")
    case_id, _ref = missing_child(net, it, giulia, "Senait")
    assert call(it, giulia, "POST", f"/api/cases/{case_id}/alerts", {"to_orgs": ["fr-ngo-calais"]})[0] == 201
    conversation, opened = rows(
        net,
        it,
        "SELECT conversation_id, opened_message_id FROM exchange_thread"
        " WHERE kind = 'missing_alert' AND peer_org = 'fr-ngo-calais' ORDER BY id DESC LIMIT 1",
    )[0]
    sightings_before = count(net, it, "SELECT COUNT(*) FROM cases_event WHERE type = 'sighting'")

    # Belgium, never alerted about her, answers France's alert with a sighting of its own making
    # (signed with its real keys, sent straight to Milan's inbox).
    body = proto.sample_bodies()[MessageType.SIGHTING]
    header = make_header(
        type=MessageType.SIGHTING,
        body=body,
        conversation_id=str(conversation),
        from_node="node-be",
        from_org="be-police-mpu",
        to_node="node-it",
        to_org="it-cps-milano",
        agreement_id=demo.AGREEMENT_ID,
        purpose=Purpose.LOCATE_MISSING_CHILD,
        now=dt.datetime.now(dt.UTC),
        in_reply_to=uuid.UUID(str(opened)),
    )
    raw = seal(header, body, node_keys(net, be), public_jwk(node_keys(net, it).encryption))
    status, headers, receipt = post_envelope(it, raw)

    assert (status, headers["x-waymark-receipt"]) == (200, "rejected")
    verified = verify_receipt(
        receipt,
        resolve_signing_key=registry(net).resolve_signing_key,
        receiver_node="node-it",
        sender_node="node-be",
        message_id=header.message_id,
        sent_envelope_sha256=envelope_sha256(raw),
    )
    assert (verified.status, verified.reason_code) == (ReceiptStatus.REJECTED, "not_party")
    assert count(net, it, "SELECT COUNT(*) FROM cases_event WHERE type = 'sighting'") == sightings_before
    assert (
        count(
            net,
            it,
            "SELECT COUNT(*) FROM exchange_inboundrefusal WHERE envelope_sha256 = ? AND reason = 'not_party'",
            envelope_sha256(raw),
        )
        == 1
    )
