"""Missing-child alert fan-out between real local nodes: one alert from Milan to N recipient
nodes, time until every recipient node's automatic acknowledgement (its signed receipt) is back.

    .venv/bin/python bench/alert_fanout_bench.py [--nodes 10] [--sizes 1,2,5,10] [--runs 10]
                                                 [--web-workers 1] [--keep DIR]

The sender is the demo node-it; the recipients are ``--nodes`` fictional fan-out nodes
(``waymark.devtools.demo.fanout_nodes``: one NGO per node and country, an agreement with Milan for
locate_missing_child). Every node is a real installation: its own data folder, SQLite file, keys,
a gunicorn web server and a dispatcher, on a free port of 127.0.0.1, DEBUG off. Starting them is
not timed (it is printed apart).

Each run registers a fictional missing child on node-it through the API, records its
disappearance, and sends one alert (``POST /api/cases/{id}/alerts``) to the first n recipients;
the sizes alternate run by run, after one unmeasured warm-up alert to every recipient (which
starts the dispatcher's worker threads for each peer). Two times per run, on the one machine
clock: from the alert request leaving the client, and from the first alert row's ``created_at``
in node-it's outbox, to the last recipient's ``receipted_at``. Prints the median and p95 per
size, the cost per added recipient node (least-squares slope of the medians over the sizes), the
load average, and each node's memory (resident, web server and dispatcher together).
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

SENDER = "node-it"
ALERT_SQL = (
    "SELECT o.created_at, o.receipted_at FROM exchange_outboxmessage o JOIN cases_case c ON c.id = o.case_id "
    "WHERE c.public_id = ? AND o.message_type = 'missing_alert'"
)


def call(node: Node, token: str, method: str, path: str, body: Any, purpose: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=60)
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
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def missing_child(it: Node, token: str, i: int) -> str:
    """A fictional child on node-it, recorded missing with where she was last seen."""
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
    return str(case["public_id"])


def one_run(net: Network, it: Node, token: str, to_orgs: list[str], i: int) -> tuple[float, float]:
    """(from the request, from the first outbox row) to the last signed receipt, in seconds."""
    public_id = missing_child(it, token, i)
    asked = dt.datetime.now(dt.UTC)
    call(it, token, "POST", f"/api/cases/{public_id}/alerts", {"to_orgs": to_orgs}, "locate_missing_child")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = net.query(it, ALERT_SQL, (public_id.replace("-", ""),)) or net.query(
            it, ALERT_SQL, (public_id,)
        )
        if len(found) == len(to_orgs) and all(r[1] for r in found):
            last = max(_at(r[1]) for r in found)
            return (last - asked).total_seconds(), (last - min(_at(r[0]) for r in found)).total_seconds()
        time.sleep(0.02)
    raise RuntimeError(f"run {i}: not every acknowledgement came back within 120 s")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else 0.0


def rss_mib(*group_leaders: int) -> float:
    """Resident memory of every process in these process groups (a node's web server with its
    workers, and its dispatcher: each started in a session of its own), in MiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp in group_leaders:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def node_memory(node: Node) -> float:
    return rss_mib(*(p.pid for p in (node.web, node.dispatcher) if p is not None))


def migrated(base: Path) -> Path:
    """One migrated SQLite file, copied for every node (migrating each costs seconds)."""
    net = Network(base / "template", [(demo.node(SENDER), 0)])
    node = net.nodes[SENDER]
    node.data_dir.mkdir(parents=True, exist_ok=True)
    net.manage(node, "migrate", "--noinput")
    return node.data_dir / "waymark.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10, help="recipient nodes to start")
    parser.add_argument("--sizes", default="1,2,5,10", help="numbers of recipients to measure")
    parser.add_argument("--runs", type=int, default=10, help="runs per number of recipients")
    parser.add_argument("--web-workers", type=int, default=1, help="gunicorn workers per node")
    parser.add_argument("--keep", default="", help="keep the nodes' folders here")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if int(s) <= args.nodes})
    base = Path(args.keep or tempfile.mkdtemp(prefix="waymark-alert-bench-"))
    recipients = demo.fanout_nodes(args.nodes)
    net = Network(
        base,
        [(demo.node(SENDER), free_port())] + [(spec, free_port()) for spec in recipients],
        env={"DEBUG": "false", "WAYMARK_AUDIT_CHECKPOINT_SECONDS": "0"},
        web_workers=args.web_workers,
    )
    load_idle = os.getloadavg()
    started = time.perf_counter()
    net.prepare(template=migrated(base), scrypt_n=MIN_SCRYPT_N)
    prepared = time.perf_counter()
    net.start()
    up = time.perf_counter()
    to_orgs = [spec.orgs[0].slug for spec in recipients]
    times: dict[int, list[tuple[float, float]]] = {n: [] for n in sizes}
    try:
        it = net.nodes[SENDER]
        token = net.manage(it, "create_api_token", "giulia", "--name", "alert bench (fictional)").strip()
        one_run(net, it, token, to_orgs, -1)  # warm-up: every peer's dispatcher threads, every worker
        load_start = os.getloadavg()
        i = 0
        for _round in range(args.runs):
            for n in sizes:
                times[n].append(one_run(net, it, token, to_orgs[:n], i))
                i += 1
        load_end = os.getloadavg()
        memory = {node.node_id: node_memory(node) for node in net.nodes.values()}
    finally:
        net.stop()
    print(
        f"{args.nodes} recipient nodes + {SENDER} (gunicorn with {args.web_workers} worker(s) and a dispatcher"
        f" each, SQLite, 127.0.0.1); prepared in {prepared - started:.0f} s, started in {up - prepared:.0f} s"
        " (not timed)\n"
    )
    print(
        "| recipients | runs | median from request (ms) | p95 (ms) | median from outbox row (ms) | p95 (ms) |"
    )
    print("|---|---|---|---|---|---|")
    for n, values in times.items():
        asked = [a for a, _ in values]
        rows = [r for _, r in values]
        print(
            f"| {n} | {len(values)} | {statistics.median(asked) * 1000:.0f} | {p95(asked) * 1000:.0f}"
            f" | {statistics.median(rows) * 1000:.0f} | {p95(rows) * 1000:.0f} |"
        )
    medians = [(float(n), statistics.median(a for a, _ in v) * 1000) for n, v in times.items()]
    if len(medians) > 1:
        print(
            f"\ncost per added recipient node (slope of the medians from the request): {slope(medians):.0f} ms"
        )
    rss = [memory[n.node_id] for n in recipients]
    print(
        f"memory (resident): {SENDER} {memory[SENDER]:.0f} MiB; a recipient node {statistics.median(rss):.0f} MiB"
        f" (median; {min(rss):.0f}–{max(rss):.0f}); all {len(memory)} nodes {sum(memory.values()):.0f} MiB"
    )
    fmt = " ".join(f"{v:.2f}" for v in load_end)
    print(
        f"load average (1, 5, 15 min): before start-up {load_idle[0]:.2f}, before the runs {load_start[0]:.2f},"
        f" at the end {fmt}; {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
