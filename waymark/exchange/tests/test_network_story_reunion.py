"""Issue 13's story, end to end across two real nodes (Milan, node-it; Brussels, node-be), through
each node's HTTP API as its people would use it, the dispatchers carrying every message.

Bilal (fictional), unaccompanied, is registered in Milan; his guardian is appointed late and the
escalation shows; his age assessment is challenged; a best-interests assessment recommends he
joins his brother in Belgium; Brussels' child-protection service traces the brother and finds
him; the family link is confirmed with the child's consent and the guardian's agreement; Italy
records its take-charge request to Belgium, whose reply never came: the tacit acceptance is
flagged, loud; Milan's Dublin officer sends it through Waymark and Brussels' reads its BIA's
Dublin cut, never the health or the child's views; the case is transferred to Brussels; Marco, his guardian in Milan, hands him over
to Brussels' guardianship service, whose coordinator Julie names Inès his incoming guardian; Inès
reads it and acknowledges it there: the clock stops on both sides.

Time-dependent steps use dates recorded in the past (a registration thirty days ago, a request
received eighty days ago), never sleeping: the engines compute each state from ``now``. At each
step the test reads both nodes' databases for what each holds and must not hold.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from waymark.devtools.network import Network, Node

from .cluster import reconciled, rows, two_nodes, wait_until

pytestmark = [pytest.mark.network]

BROTHER = "كريم نوري"  # Karim Nouri (fictional)
BROTHER_LATIN = "Karim Nouri"
HEALTH = "Asthma, inhaler twice a day (fictional)."
VIEWS = "I want to live with Karim in Brussels (fictional)."
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def net(tmp_path_factory, sqlite_template):
    with two_nodes(
        tmp_path_factory.mktemp("story"), template=sqlite_template, node_ids=("node-it", "node-be")
    ) as network:
        yield network


class Api:
    """One person's API client on their node: a token of theirs, a declared purpose per call."""

    def __init__(self, net: Network, node: Node, username: str) -> None:
        self.node = node
        self.token = net.manage(node, "create_api_token", username, "--name", "story").strip()

    def call(self, method: str, path: str, purpose: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310  (loopback)
            f"{self.node.url}/api{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Waymark-Purpose": purpose,
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (loopback)
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def ok(self, method: str, path: str, purpose: str, body: Any = None, *, status: int = 200) -> Any:
        got, answer = self.call(method, path, purpose, body)
        assert got == status, (method, path, got, answer)
        return answer


def one(net: Network, node: Node, sql: str, *params: Any) -> Any:
    found = rows(net, node, sql, *params)
    return found[0][0] if found else None


def dump(net: Network, node: Node, *tables: str) -> str:
    """Every row of ``tables`` as text: what a node holds in clear."""
    return "\n".join(str(rows(net, node, f"SELECT * FROM {table}")) for table in tables)  # noqa: S608  (our names)


def iso(at: dt.datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def test_bilal_joins_his_brother_in_belgium(net):
    it, be = net.nodes["node-it"], net.nodes["node-be"]
    giulia, marco = Api(net, it, "giulia"), Api(net, it, "marco")
    lea, julie, dries = Api(net, be, "lea"), Api(net, be, "julie"), Api(net, be, "dries")
    ines = Api(net, be, "ines")
    CP, BIA, FT = "child_protection", "best_interests_assessment", "family_tracing"

    # 1. Registered in Milan as unaccompanied thirty days ago, no guardian yet.
    registered = NOW - dt.timedelta(days=30)
    case = giulia.ok(
        "POST",
        "/cases",
        CP,
        {
            "child": {
                "given_names": "Bilal",
                "family_name": "Nouri",
                "nationality": "AF",
                "languages": ["ps"],
            },
            "case": {"unaccompanied": True},
            "registered_at": iso(registered),
        },
        status=201,
    )
    case_id, reference = case["public_id"], case["reference"]
    c = f"/cases/{case_id}"

    # 2. The guardian is late: the escalation run marks the case and its timeline says so.
    assert reference in net.manage(it, "escalate_guardian_appointments")
    assert one(net, it, "SELECT guardian_escalated_at FROM cases_case WHERE reference = ?", reference)
    events = giulia.ok("GET", f"{c}/events", CP)["items"]
    assert any("Guardian appointment overdue: escalated" in e["summary"] for e in events)
    giulia.ok("PATCH", c, CP, {"guardian": "marco"})
    assert any(
        e["summary"] == "Guardian appointed: marco" for e in giulia.ok("GET", f"{c}/events", CP)["items"]
    )
    wards = marco.ok("GET", "/guardian/wards", CP)
    assert [w["reference"] for w in wards] == [reference], wards

    # 3. The age assessment, and the child's challenge to it.
    assessment = giulia.ok(
        "POST",
        f"{c}/age-assessments",
        CP,
        {
            "methods": ["interview"],
            "assessors": "Two social workers (fictional)",
            "assessed_on": (NOW - dt.timedelta(days=20)).date().isoformat(),
            "age_min": 17,
            "age_max": 19,
            "margin": 1,
            "child_informed": True,
            "informed_language": "ps",
        },
        status=201,
    )
    assert float(assessment["governing_age"]) == 16.0  # the lower bound less the margin governs
    assert assessment["is_child"] is True
    a = f"{c}/age-assessments/{assessment['public_id']}"
    giulia.ok(
        "POST",
        f"{a}/challenges",
        CP,
        {
            "lodged_on": (NOW - dt.timedelta(days=18)).date().isoformat(),
            "grounds": "His tazkira says 15 (fictional).",
        },
        status=201,
    )
    decided = giulia.ok(
        "POST",
        f"{a}/challenges/outcome",
        CP,
        {"outcome": "rejected", "decided_on": (NOW - dt.timedelta(days=12)).date().isoformat()},
    )
    assert decided["outcome"] == "rejected"
    assert decided["set_aside"] is False
    summaries = [e["summary"] for e in giulia.ok("GET", f"{c}/events", CP)["items"]]
    assert any(s.endswith("challenged") for s in summaries), summaries

    # 4. The best-interests assessment: reunion with his brother in Belgium; the guardian consulted.
    bia = giulia.ok(
        "POST",
        f"{c}/best-interests",
        BIA,
        {
            "kind": "assessment",
            "family": "An older brother, Karim, lives in Brussels (fictional).",
            "child_views": VIEWS,
            "child_views_language": "ps",
            "health": HEALTH,
            "legal_status": "Asylum application registered in Italy (fictional).",
            "options": "Staying in Milan; joining his brother in Brussels (fictional).",
            "recommendation": "family_reunification",
            "recommendation_country": "BE",
            "recommendation_reason": "His brother can care for him (fictional).",
            "guardian_consulted": True,
            "guardian_views": "Marco agrees (fictional).",
            "review_on": (NOW + dt.timedelta(days=60)).date().isoformat(),
        },
        status=201,
    )
    assert bia["recommendation"] == "family_reunification" and bia["health"] == HEALTH

    # 5. Family tracing: Milan asks Brussels' child-protection service to trace the brother.
    relative = giulia.ok(
        "POST",
        f"{c}/relatives",
        FT,
        {"full_name": BROTHER, "name_latin": BROTHER_LATIN, "relationship": "sibling", "country": "BE"},
        status=201,
    )
    asked = giulia.ok(
        "POST",
        f"{c}/tracing-requests",
        FT,
        {
            "to_org": "be-aide-jeunesse",
            "relative": relative["public_id"],
            "note": "He works in Brussels (fictional).",
        },
        status=201,
    )
    wait_until(
        lambda: one(net, be, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'family_tracing'") == 1,
        what="the tracing request at node-be",
    )
    # Brussels holds the request in its sealed thread only: no relative record, no name in clear,
    # and nothing else of Bilal — no case, no health, no best-interests record, no age assessment.
    assert one(net, be, "SELECT COUNT(*) FROM continuity_relative") == 0
    held = dump(net, be, "exchange_thread", "exchange_threadmessage", "cases_event")
    assert BROTHER not in held and BROTHER_LATIN not in held and "Nouri" not in held
    assert one(net, be, "SELECT COUNT(*) FROM cases_case") == 0
    assert one(net, be, "SELECT COUNT(*) FROM continuity_bestinterests") == 0
    assert one(net, be, "SELECT COUNT(*) FROM continuity_ageassessment") == 0
    [(tracing_id,)] = rows(net, be, "SELECT public_id FROM exchange_thread WHERE kind = 'family_tracing'")
    tracing = lea.ok("GET", f"/tracing-requests/{tracing_id}", FT)
    assert tracing["content"]["relative"]["full_name"] == BROTHER  # shown to the tracer, sealed at rest
    lea.ok(
        "POST",
        f"/tracing-requests/{tracing_id}/result",
        FT,
        {"outcome": "found", "note": "He lives in Anderlecht (fictional)."},
    )
    wait_until(
        lambda: one(net, it, "SELECT contact_status FROM continuity_relative") == "found",
        what="the tracing result at node-it",
    )
    assert giulia.ok("GET", f"/tracing-requests/{asked['thread_id']}", FT)["status"] == "found"

    # 6. The link is confirmed only with the child's consent and the guardian's agreement.
    r = f"{c}/relatives/{relative['public_id']}"
    got, refused = giulia.call("POST", f"{r}/confirmation", FT, {})
    assert got == 422 and "consent" in json.dumps(refused), refused
    giulia.ok(
        "POST",
        f"{c}/consents",
        CP,
        {
            "recipient_org": "be-aide-jeunesse",
            "purpose": FT,
            "categories": ["identity", "family"],
            "valid_from": NOW.date().isoformat(),
            "childs_views": "Yes, find Karim (fictional).",
        },
        status=201,
    )
    marco.ok("POST", f"{r}/guardian-agreement", CP, {})
    confirmed = giulia.ok("POST", f"{r}/confirmation", FT, {})
    assert confirmed["link"] == "confirmed", confirmed

    # 7. The take-charge request: sent to Belgium by DubliNet eighty days ago and never answered,
    # recorded in Milan, then sent through Waymark by Milan's Dublin officer with its BIA's cut.
    request = giulia.ok(
        "POST",
        f"{c}/take-charge-requests",
        CP,
        {
            "requested_country": "BE",
            "basis": "Art. 8",
            "relative": relative["public_id"],  # the brother the tracing confirmed
            "registered_at": iso(NOW - dt.timedelta(days=100)),
            "request_sent_at": iso(NOW - dt.timedelta(days=80)),
            "request_received_at": iso(NOW - dt.timedelta(days=80)),
        },
        status=201,
    )
    assert request["best_interests"] == bia["public_id"] and request["warnings"] == []
    by_step = {d["step"]: d for d in request["deadlines"]}
    assert any(d["notice"] == "tacit_acceptance" and d["loud"] for d in by_step.values()), by_step
    paolo = Api(net, it, "paolo")
    # Only a Dublin officer sends it, and only for family tracing.
    send = f"{c}/take-charge-requests/{request['public_id']}/send"
    got, refused = giulia.call("POST", send, FT, {"to_org": "be-dublin"})
    assert got == 422 and "Dublin officer" in json.dumps(refused), refused
    sent = paolo.ok("POST", send, FT, {"to_org": "be-dublin"}, status=201)
    assert sent["kind"] == "take_charge" and sent["content"]["take_charge_request"] == request["public_id"]
    wait_until(
        lambda: one(net, be, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'take_charge'") == 1,
        what="the take-charge request at node-be",
    )
    # Brussels records the request it received, with no case of its own: its reply clock runs
    # from the receipt.
    assert rows(net, be, "SELECT direction, case_id FROM continuity_takechargerequest") == [
        ("incoming", None)
    ]
    [(take_charge_id,)] = rows(net, be, "SELECT public_id FROM exchange_thread WHERE kind = 'take_charge'")
    # Dries, Brussels' Dublin officer, reads the child, the brother without a way to reach him, and
    # the BIA's recommendation, family and legal status; never the health or the child's views.
    read = dries.ok("GET", f"/take-charge-threads/{take_charge_id}", FT)
    content = read["content"]
    assert content["child"]["given_names"] == "Bilal", content
    assert content["relative"]["name_latin"] == BROTHER_LATIN, content
    assert content["relative"]["relationship"] == "sibling" and "contact" not in content["relative"]
    assert content["best_interests"]["recommendation"] == "family_reunification", content
    assert "health" not in content["best_interests"] and "child_views" not in content["best_interests"]
    assert HEALTH not in json.dumps(read) and VIEWS not in json.dumps(read)
    assert read["may_send"] == ["reply"] and read["status"] == "awaiting_reply"
    # Brussels' Dublin officer sees no case for it (the child is not there), nor Bilal's health.
    assert dries.ok("GET", "/cases", FT)["count"] == 0
    assert HEALTH not in dump(
        net, be, "exchange_thread", "exchange_threadmessage", "continuity_takechargerequest"
    )
    # No reply comes: Milan's record still flags the tacit acceptance, loud.
    again = giulia.ok("GET", f"{c}/take-charge-requests", CP)
    listed = again["items"] if isinstance(again, dict) else again
    [mine] = [r for r in listed if r["public_id"] == request["public_id"]]
    assert any(d["notice"] == "tacit_acceptance" and d["loud"] for d in mine["deadlines"]), mine

    # 8. The transfer: Brussels' child-protection service takes the case over.
    offered = giulia.ok(
        "POST",
        f"{c}/transfers",
        "care_continuity",
        {"to_org": "be-aide-jeunesse", "reason": "Reunion with his brother (fictional).", "confirmed": True},
        status=201,
    )
    wait_until(
        lambda: one(net, be, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'transfer'") == 1,
        what="the transfer offer at node-be",
    )
    [(transfer_id,)] = rows(net, be, "SELECT public_id FROM exchange_thread WHERE kind = 'transfer'")
    lea.ok(
        "POST", f"/transfers/{transfer_id}/accept", "care_continuity", {"note": "We take over (fictional)."}
    )
    wait_until(
        lambda: one(net, it, "SELECT status FROM cases_case WHERE reference = ?", reference) == "transferred",
        what="the Italian copy closing",
    )
    assert giulia.ok("GET", f"/transfers/{offered['thread_id']}", "care_continuity")["status"] == "accepted"
    # Italy's copy is read-only now.
    got, _ = giulia.call("PATCH", c, CP, {"risk_level": "high"})
    assert got in (403, 404, 422), got
    # Brussels holds Bilal's case now, and still no health, views, BIA or age assessment.
    [(be_case, be_status)] = rows(net, be, "SELECT public_id, status FROM cases_case")
    assert be_status == "open"
    assert (
        lea.ok("GET", f"/cases/{uuid.UUID(str(be_case))}", "care_continuity")["child"]["given_names"]
        == "Bilal"
    )
    assert one(net, be, "SELECT COUNT(*) FROM continuity_bestinterests") == 0
    assert one(net, be, "SELECT COUNT(*) FROM continuity_relative") == 0
    assert one(net, be, "SELECT COUNT(*) FROM cases_event WHERE category IN ('health', 'disclosure')") == 0

    # 9. The guardian hand-over, acknowledged in Brussels: its clock stops on both sides.
    handover = marco.ok(
        "POST",
        f"{c}/guardian-handovers",
        BIA,
        {
            "to_org": "be-tutelles",
            "summary": "Bilal, 16, joins his brother Karim in Brussels (fictional).",
            "views_and_wishes": VIEWS,
            "open_issues": "His asthma check-up is due (fictional).",
        },
        status=201,
    )
    assert handover["clock"]["state"] in ("running", "due_soon"), handover["clock"]
    wait_until(
        lambda: one(net, be, "SELECT COUNT(*) FROM exchange_thread WHERE kind = 'guardian_handover'") == 1,
        what="the hand-over at node-be",
    )
    [(handover_id,)] = rows(net, be, "SELECT public_id FROM exchange_thread WHERE kind = 'guardian_handover'")
    # Both dashboards' clock: running on the Belgian side too, due when Milan's is.
    [(be_due,)] = rows(net, be, "SELECT due_at FROM exchange_thread WHERE kind = 'guardian_handover'")
    [(it_due,)] = rows(net, it, "SELECT due_at FROM exchange_thread WHERE kind = 'guardian_handover'")
    assert be_due and be_due == it_due
    # Inès, a guardian there, finds nothing until she is named.
    got, _ = ines.call("GET", f"/guardian-handovers/{handover_id}", BIA)
    assert got == 404, got
    # The Service des Tutelles' coordinator reads it (the child's views included) and names Inès
    # his incoming guardian (nothing is sent to Milan).
    seen = julie.ok("GET", f"/guardian-handovers/{handover_id}", BIA)
    assert seen["content"]["views_and_wishes"] == VIEWS and seen["clock"]["state"] in ("running", "due_soon")
    assert "assign" in seen["may_send"]
    julie.ok("POST", f"/guardian-handovers/{handover_id}/assign", BIA, {"guardian": "ines"})
    # The Dublin officer reads no hand-over (another organisation's thread, the views a disclosure).
    got, _ = dries.call("GET", f"/guardian-handovers/{handover_id}", BIA)
    assert got in (403, 404), got
    # Inès finds it awaiting her acknowledgement, reads it as his guardian (audited), acknowledges.
    waiting = ines.ok("GET", "/threads?kind=guardian_handover&direction=in&status=sent", BIA)
    assert [t["thread_id"] for t in waiting["items"]] == [str(uuid.UUID(str(handover_id)))], waiting
    seen = ines.ok("GET", f"/guardian-handovers/{handover_id}", BIA)
    assert seen["content"]["views_and_wishes"] == VIEWS and seen["may_send"] == ["acknowledge"], seen
    assert one(
        net,
        be,
        "SELECT COUNT(*) FROM audit_auditentry WHERE actor = 'ines' AND decision = 'allow' AND kind = 'access_decision'",
    )
    acknowledged = ines.ok(
        "POST",
        f"/guardian-handovers/{handover_id}/acknowledge",
        BIA,
        {"note": "I am Bilal's guardian from Monday (fictional)."},
    )
    assert acknowledged["status"] == "acknowledged" and acknowledged["clock"]["state"] == "met", acknowledged
    wait_until(
        lambda: (
            one(net, it, "SELECT status FROM exchange_thread WHERE kind = 'guardian_handover'")
            == "acknowledged"
        ),
        what="the acknowledgement at node-it",
    )
    # Milan's clock stops too (the acknowledgement answered the thread), and its timeline says so.
    assert one(net, it, "SELECT answered_at FROM exchange_thread WHERE kind = 'guardian_handover'")
    summaries = [e["summary"] for e in giulia.ok("GET", f"{c}/events", CP)["items"]]
    assert any(s.startswith("Guardian hand-over acknowledged by") for s in summaries), summaries
    # Still nothing of his health, his views or his assessments held in Brussels outside the
    # sealed hand-over thread.
    held = dump(net, be, "cases_case", "cases_child", "cases_event", "exchange_thread")
    assert HEALTH not in held and VIEWS not in held
    assert one(net, be, "SELECT COUNT(*) FROM continuity_bestinterests") == 0

    wait_until(lambda: reconciled(net).ok, what="reconciliation")
