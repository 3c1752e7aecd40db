"""The missing-child response across three real nodes (each its own web server, dispatcher and
SQLite database on 127.0.0.1), driven through the API as a hotline's or police system would.

A child registered in Milan goes missing; Giulia alerts France and Belgium; both nodes acknowledge
automatically (their signed receipts); Claire in Calais marks it seen and reports a sighting,
which lands on the Italian timeline; Luc in Brussels reports the child found; Giulia closes the
disappearance and ``case_closed`` reaches both nodes, which end the need-to-know context and keep
nothing of the child. What each node holds is asserted at each step, including what it must not.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from waymark.core.protocol.keys import MIN_SCRYPT_N
from waymark.devtools import demo
from waymark.devtools.network import Network, Node, free_port

from .cluster import FAST, reconciled, rows, wait_until

pytestmark = [pytest.mark.network]

LOCATE = "locate_missing_child"
NAME = "Selam"  # fictional


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
    return uuid.UUID(
        str(
            one(
                net,
                node,
                "SELECT public_id FROM exchange_thread WHERE kind = 'missing_alert' AND direction = 'in'",
            )
        )
    )


def test_alert_sighting_found_and_closed_everywhere(net):
    it, fr, be = net.nodes["node-it"], net.nodes["node-fr"], net.nodes["node-be"]
    giulia, claire, luc = token(net, it, "giulia"), token(net, fr, "claire"), token(net, be, "luc")

    # Registered in Milan and reported missing (the disappearance with where she was last seen).
    status, case = call(
        it,
        giulia,
        "POST",
        "/api/cases",
        {
            "child": {"given_names": NAME, "family_name": "Demo (fictional)", "sex": "female"},
            "case": {"status": "missing", "missing_category": "unaccompanied_migrant", "risk_level": "high"},
            "confirm_not_duplicate": True,
        },
        purpose="child_protection",
    )
    assert status == 201, case
    case_id = case["public_id"]
    status, _ = call(
        it,
        giulia,
        "POST",
        f"/api/cases/{case_id}/events",
        {
            "type": "disappearance",
            "category": "contact_location",
            "summary": "Left the reception centre at night",
            "location": "Ventimiglia station",
        },
        purpose="child_protection",
    )
    assert status == 201

    # Giulia alerts France and Belgium.
    status, sent = call(
        it,
        giulia,
        "POST",
        f"/api/cases/{case_id}/alerts",
        {"to_orgs": ["fr-ngo-calais", "be-police-mpu"], "physical_description": "Blue scarf (fictional)"},
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
        assert NAME not in str(rows(net, node, "SELECT sealed FROM exchange_thread"))  # sealed at rest
        assert one(net, node, "SELECT COUNT(*) FROM cases_child WHERE given_names = ?", NAME) == 0
    # The need-to-know context is open for each partner at the sender.
    assert (
        one(
            net,
            it,
            "SELECT COUNT(*) FROM policy_sharedcontext WHERE source = 'missing_alert' AND closed_at IS NULL",
        )
        == 2
    )

    # Claire reads it, marks it seen, reports a sighting.
    fr_alert = alert_id(net, fr)
    status, read = call(fr, claire, "GET", f"/api/alerts/{fr_alert}")
    assert status == 200 and read["alert"]["child"]["given_names"] == NAME
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

    # Luc reports her found in Brussels.
    be_alert = alert_id(net, be)
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

    def closed_at(node: Node) -> Callable[[], bool]:
        return lambda: (
            one(net, node, "SELECT status FROM exchange_thread WHERE kind = 'missing_alert'") == "closed"
        )

    for node in (fr, be):
        wait_until(closed_at(node), what=f"case_closed at {node.node_id}")
        # Nothing of the child is kept: the sealed data is cleared and the thread's key shredded.
        assert one(net, node, "SELECT sealed FROM exchange_thread WHERE kind = 'missing_alert'") in ("{}", {})
        assert one(net, node, "SELECT COUNT(*) FROM vault_childkey WHERE shredded_at IS NOT NULL") >= 1
    assert (
        one(
            net,
            it,
            "SELECT COUNT(*) FROM policy_sharedcontext WHERE source = 'missing_alert' AND closed_at IS NULL",
        )
        == 0
    )
    assert call(fr, claire, "GET", f"/api/alerts/{fr_alert}")[1]["alert"] == {}

    wait_until(lambda: reconciled(net).ok, what="a clean reconciliation")
