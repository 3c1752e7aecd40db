"""Missing-child alert fan-out between real local nodes: one alert, time until every recipient
node's automatic acknowledgement (its signed receipt) is back.

    .venv/bin/python bench/alert_fanout_bench.py [--runs 20] [--keep DIR]

The three demo nodes of ``make network`` (node-it, node-fr, node-be: gunicorn and a dispatcher
each, SQLite, 127.0.0.1), DEBUG off. Each run registers a fictional missing child on node-it
through the API, records its disappearance, and sends one alert (``POST /api/cases/{id}/alerts``)
to one recipient (France) or to two (France and Belgium), alternately. The fan-out time is read
from node-it's own outbox, one clock: from the first alert row's ``created_at`` to the last
``receipted_at``. Prints median and p95 per number of recipients, the cost of the added node
(difference of the medians), and the machine's load average.

The demo federation has three nodes; more would need more node specs in ``waymark/devtools/demo.py``
and in its agreement (not done here), so the figure per added node is measured from 1 → 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")

from waymark.core.protocol.keys import MIN_SCRYPT_N  # noqa: E402
from waymark.devtools import demo  # noqa: E402
from waymark.devtools.network import Network, Node, free_port  # noqa: E402

RECIPIENTS = {1: ["fr-ngo-calais"], 2: ["fr-ngo-calais", "be-police-mpu"]}


def call(node: Node, token: str, method: str, path: str, body: Any, purpose: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=30)
    try:
        conn.request(
            method,
            path,
            body=json.dumps(body),
            headers={
                "Authorization": f"Bearer {token}",
                "Waymark-Purpose": purpose,
                "Content-Type": "application/json",
            },
        )
        response = conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)
    finally:
        conn.close()


def _at(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def one_run(net: Network, it: Node, token: str, n: int, i: int) -> float:
    case = call(
        it,
        token,
        "POST",
        "/api/cases",
        {
            "child": {"given_names": f"Bench{i}", "family_name": "Fanout (fictional)"},
            "case": {"status": "missing", "missing_category": "runaway", "risk_level": "high"},
            "confirm_not_duplicate": True,
        },
        "child_protection",
    )
    call(
        it,
        token,
        "POST",
        f"/api/cases/{case['public_id']}/events",
        {"type": "disappearance", "category": "contact_location", "summary": "Left", "location": "Milano"},
        "child_protection",
    )
    call(
        it,
        token,
        "POST",
        f"/api/cases/{case['public_id']}/alerts",
        {"to_orgs": RECIPIENTS[n]},
        "locate_missing_child",
    )
    sql = (
        "SELECT o.created_at, o.receipted_at FROM exchange_outboxmessage o JOIN cases_case c ON c.id = o.case_id "
        "WHERE c.public_id = ? AND o.message_type = 'missing_alert'"
    )
    public_id = case["public_id"].replace("-", "")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = net.query(it, sql, (public_id,)) or net.query(it, sql, (case["public_id"],))
        if len(found) == n and all(r[1] for r in found):
            return (max(_at(r[1]) for r in found) - min(_at(r[0]) for r in found)).total_seconds()
        time.sleep(0.02)
    raise RuntimeError(f"run {i}: not every acknowledgement came back within 60 s")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20, help="runs per number of recipients")
    parser.add_argument("--keep", default="", help="keep the nodes' folders here")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="waymark-alert-bench-"))
    net = Network(
        base,
        [(demo.node(n), free_port()) for n in ("node-it", "node-fr", "node-be")],
        env={"DEBUG": "false", "WAYMARK_AUDIT_CHECKPOINT_SECONDS": "0"},
    )
    net.prepare(scrypt_n=MIN_SCRYPT_N)
    net.start()
    try:
        it = net.nodes["node-it"]
        token = net.manage(it, "create_api_token", "giulia", "--name", "alert bench (fictional)").strip()
        times: dict[int, list[float]] = {1: [], 2: []}
        for i in range(args.runs * 2):
            n = 1 + i % 2
            times[n].append(one_run(net, it, token, n, i))
        load = os.getloadavg()
    finally:
        net.stop()
    print("| recipients | runs | median (ms) | p95 (ms) |")
    print("|---|---|---|---|")
    for n, values in times.items():
        print(f"| {n} | {len(values)} | {statistics.median(values) * 1000:.0f} | {p95(values) * 1000:.0f} |")
    added = (statistics.median(times[2]) - statistics.median(times[1])) * 1000
    print(f"\ncost of the added recipient node (median 2 − median 1): {added:.0f} ms")
    print(
        f"load average (1, 5, 15 min) at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
