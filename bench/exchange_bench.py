"""The exchange end to end, between two real nodes on loopback (node-it → node-fr).

    .venv/bin/python bench/exchange_bench.py [--duration 60] [--rate 20] [--backlog 2000]
                                             [--sustain 50] [--generators 2] [--postgres URL] [--keep DIR]
                                             [--debug]

Each node is what ``make network`` runs: gunicorn (2 workers × 4 threads) and a dispatcher, its
own data folder and SQLite file (or its own PostgreSQL database with ``--postgres``), except that
DEBUG is off as in production (``--debug`` turns it on: Django then keeps every query's SQL). Messages
are fictional notices sent through ``actions.do_send_notice`` (one transaction each: notice,
timeline event, sealed envelope, outbox row, audit entry) by ``manage.py exchange_load``.

It measures, and prints as a Markdown table (docs/benchmarks-exchange.md):

1. envelope crypto alone, per message, in this process: seal (sign + encrypt), open (decrypt +
   verify + validate), receipt (sign + verify);
2. submit→receipt latency (outbox ``created_at`` → ``receipted_at``, one clock) at a fixed
   offered load of ``--rate`` messages/s for ``--duration`` seconds: median, p95, max;
3. throughput: (a) delivery of a backlog of ``--backlog`` queued messages (dispatcher stopped
   while they are queued, then started: outbox → receiver → signed receipt), and (b) end to end
   at a fixed offered load of ``--sustain`` messages/s (default 50) for ``--duration`` seconds,
   submitted by ``--generators`` processes while the dispatcher delivers;
4. resident memory (RSS) of each node's processes before and after the runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from waymark.devtools import demo  # noqa: E402
from waymark.devtools.network import Network, Node, free_port  # noqa: E402

TARGET_RATE = 50.0
TARGET_P95_MS = 500.0


def crypto_alone(n: int = 300) -> dict[str, float]:
    """Microseconds per message for the envelope and receipt crypto, nothing else."""
    from waymark.core.protocol import testing as proto
    from waymark.core.protocol.envelope import envelope_sha256, open_envelope, seal
    from waymark.core.protocol.keys import public_jwk
    from waymark.core.protocol.messages import MessageType, Notice, make_header
    from waymark.core.protocol.receipts import accepted, build_receipt, verify_receipt
    from waymark.core.protocol.vocab import DataCategory, Purpose

    it, fr = proto.node_keys("node-it"), proto.node_keys("node-fr")
    fr_public = public_jwk(fr.encryption)
    ring = proto.KeyRing()
    body = Notice(category=DataCategory.CASE_NOTES, subject="Seen at the station", text="Fictional. " * 20)
    now = dt.datetime.now(dt.UTC)
    headers = [
        make_header(
            type=MessageType.NOTICE,
            body=body,
            conversation_id="bench",
            from_node="node-it",
            from_org="it-cps-milano",
            to_node="node-fr",
            to_org="fr-ngo-calais",
            agreement_id=proto.AGREEMENT_ID,
            purpose=Purpose.CHILD_PROTECTION,
            now=now,
        )
        for _ in range(n)
    ]
    t0 = time.perf_counter()
    sealed = [seal(h, body, it, fr_public) for h in headers]
    t1 = time.perf_counter()
    opened = [open_envelope(raw, fr, ring, now) for raw in sealed]
    t2 = time.perf_counter()
    receipts = [
        build_receipt(
            accepted(
                message_id=o.header.message_id,
                envelope_sha256=o.envelope_sha256,
                received_at=now,
                from_node="node-fr",
                to_node="node-it",
            ),
            fr,
        )
        for o in opened
    ]
    for raw, receipt, header in zip(sealed, receipts, headers, strict=True):
        verify_receipt(
            receipt,
            resolve_signing_key=ring,
            receiver_node="node-fr",
            sender_node="node-it",
            message_id=header.message_id,
            sent_envelope_sha256=envelope_sha256(raw),
        )
    t3 = time.perf_counter()
    return {
        "seal_us": (t1 - t0) / n * 1e6,
        "open_us": (t2 - t1) / n * 1e6,
        "receipt_us": (t3 - t2) / n * 1e6,
        "envelope_bytes": statistics.mean(len(s) for s in sealed),
    }


def _pgid_members(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(network: Network) -> dict[str, float]:
    """RSS of each node's web server (master + workers) and dispatcher, MiB."""
    out: dict[str, float] = {}
    for node in network.nodes.values():
        for what, proc in (("web", node.web), ("dispatcher", node.dispatcher)):
            if proc is not None:
                out[f"{node.node_id} {what}"] = sum(_rss_kib(p) for p in _pgid_members(proc.pid)) / 1024
    return out


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_seconds(network: Network) -> dict[str, float]:
    """CPU time used so far by each node's web server (master + workers) and dispatcher."""
    hz = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for node in network.nodes.values():
        for what, proc in (("web", node.web), ("dispatcher", node.dispatcher)):
            if proc is not None:
                out[f"{node.node_id} {what}"] = sum(_cpu_ticks(p) for p in _pgid_members(proc.pid)) / hz
    return out


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (the submitting processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Phases run one after the other; each is the outbox rows written after it began and before the
# next one began (notice subjects are sealed, and the outbox summary carries no free text).
_PHASE_START: dict[str, int] = {}


def begin_phase(network: Network, node: Node, label: str) -> None:
    _PHASE_START[label] = int(
        network.query(node, "SELECT COALESCE(MAX(id), 0) FROM exchange_outboxmessage")[0][0]
    )


def window(label: str) -> tuple[int, int]:
    lo = _PHASE_START[label]
    later = [start for start in _PHASE_START.values() if start > lo]
    return lo, min(later, default=2**62)


def latencies_ms(network: Network, node: Node, label: str) -> list[float]:
    rows = network.query(
        node,
        "SELECT created_at, receipted_at FROM exchange_outboxmessage WHERE id > ? AND id <= ? AND status = 'receipted'",
        window(label),
    )
    out = []
    for created, receipted in rows:
        c = created if isinstance(created, dt.datetime) else dt.datetime.fromisoformat(str(created))
        r = receipted if isinstance(receipted, dt.datetime) else dt.datetime.fromisoformat(str(receipted))
        out.append((r - c).total_seconds() * 1000)
    return out


def count(network: Network, node: Node, label: str, status: str = "receipted") -> int:
    rows = network.query(
        node,
        "SELECT COUNT(*) FROM exchange_outboxmessage WHERE id > ? AND id <= ? AND status = ?",
        (*window(label), status),
    )
    return int(rows[0][0])


def wait_receipted(network: Network, node: Node, label: str, expected: int, timeout: float) -> float:
    """Seconds until ``expected`` messages of ``label`` are receipted (the time of the last one)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if count(network, node, label) >= expected:
            return time.monotonic() - start
        time.sleep(0.2)
    raise SystemExit(f"only {count(network, node, label)} of {expected} {label!r} receipted after {timeout}s")


def load(network: Network, node: Node, label: str, n: int, rate: float, conversations: int) -> None:
    begin_phase(network, node, label)
    network.manage(
        node,
        "exchange_load",
        "--to",
        "fr-ngo-calais",
        "--user",
        "giulia",
        "--count",
        str(n),
        "--conversations",
        str(conversations),
        "--rate",
        str(rate),
        "--label",
        label,
        timeout=3600,
    )


def span_seconds(network: Network, node: Node, label: str) -> float:
    """From the first submission to the last receipt of ``label`` (database timestamps)."""
    (first, last) = network.query(
        node,
        "SELECT MIN(created_at), MAX(receipted_at) FROM exchange_outboxmessage WHERE id > ? AND id <= ?",
        window(label),
    )[0]
    f = first if isinstance(first, dt.datetime) else dt.datetime.fromisoformat(str(first))
    la = last if isinstance(last, dt.datetime) else dt.datetime.fromisoformat(str(last))
    return (la - f).total_seconds()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--duration", type=float, default=60, help="seconds per timed phase (300 for the full target)"
    )
    parser.add_argument("--rate", type=float, default=20, help="offered load for the latency phase, msg/s")
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument(
        "--sustain", type=float, default=50, help="offered load of the end-to-end phase, msg/s"
    )
    parser.add_argument("--generators", type=int, default=2, help="submitting processes sharing that load")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL server URL: each node gets its own database"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the nodes' data in this folder")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="run the nodes with DEBUG on, exactly as make network does (default: off, as in production)",
    )
    args = parser.parse_args()

    print("envelope crypto alone ...", flush=True)
    crypto = crypto_alone()
    base = args.keep or Path(tempfile.mkdtemp(prefix="waymark-exchange-bench-"))
    network = Network(
        base,
        [(demo.node("node-it"), free_port()), (demo.node("node-fr"), free_port())],
        postgres_url=args.postgres,
        db_suffix=f"_bench{os.getpid()}" if args.postgres else "",
        # DEBUG only changes Django's bookkeeping (it keeps every query's SQL), not the code path.
        env={"DEBUG": "true" if args.debug else "false"},
    )
    print(f"preparing two nodes in {base} ({'PostgreSQL' if args.postgres else 'SQLite'}) ...", flush=True)
    network.prepare()
    it = network.nodes["node-it"]
    results: dict[str, object] = {"crypto": crypto}
    try:
        network.start()
        time.sleep(2)
        # Warm up: first requests load keys, policies and templates in every worker.
        load(network, it, "warmup", 40, 0, 4)
        wait_receipted(network, it, "warmup", 40, 120)
        rss_start = rss_mib(network)

        print(f"latency at {args.rate:g} msg/s for {args.duration:g}s ...", flush=True)
        n = int(args.rate * args.duration)
        load(network, it, "steady", n, args.rate, args.conversations)
        wait_receipted(network, it, "steady", n, 300)
        lat = sorted(latencies_ms(network, it, "steady"))
        results["latency"] = {
            "n": len(lat),
            "median_ms": statistics.median(lat),
            "p95_ms": lat[int(0.95 * (len(lat) - 1))],
            "max_ms": lat[-1],
        }

        print(f"delivery of a backlog of {args.backlog} ...", flush=True)
        network.stop_dispatcher(it)
        load(network, it, "backlog", args.backlog, 0, args.conversations)
        network.start_dispatcher(it)
        elapsed = wait_receipted(network, it, "backlog", args.backlog, 1800)
        results["backlog"] = {"n": args.backlog, "seconds": elapsed, "rate": args.backlog / elapsed}

        results["rss_mid"] = rss_mib(network)
        print(f"end to end at {args.sustain:g} msg/s offered for {args.duration:g}s ...", flush=True)
        # Offered by ``--generators`` submitting processes sharing the rate; delivered rate is
        # messages / (first submission → last receipt): it equals the offered rate only if the
        # exchange keeps up (a growing backlog shows as a lower rate and a rising p95).
        label = "sustain"
        # What starting one submitting process costs (Python, Django, keys): not per message.
        startup_before = children_cpu_seconds()
        load(network, it, "startup", 0, 0, args.conversations)
        startup = children_cpu_seconds() - startup_before
        cpu_before, children_before, load_before = (
            cpu_seconds(network),
            children_cpu_seconds(),
            os.getloadavg(),
        )
        per = int(args.sustain * args.duration / args.generators)
        begin_phase(network, it, label)
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "exchange_load",
                    "--to",
                    "fr-ngo-calais",
                    "--user",
                    "giulia",
                    "--count",
                    str(per),
                    "--conversations",
                    str(args.conversations),
                    "--rate",
                    str(args.sustain / args.generators),
                    "--label",
                    label,
                ],
                cwd=REPO,
                env=network.env(it),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.generators)
        ]
        for proc in procs:
            proc.wait(timeout=args.duration * 10 + 120)
        submitted = per * args.generators
        wait_receipted(network, it, label, submitted, 1800)
        span = span_seconds(network, it, label)
        cpu_after = cpu_seconds(network)
        cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        cpu["submitting processes (start-up excluded)"] = max(
            0.0, children_cpu_seconds() - children_before - startup * args.generators
        )
        results["startup_s"] = startup
        results["cpu_ms_per_msg"] = {k: v / (per * args.generators) * 1000 for k, v in cpu.items()}
        results["load"] = (load_before[0], os.getloadavg()[0])
        sustained = sorted(latencies_ms(network, it, label))
        results["end_to_end"] = {
            "n": submitted,
            "seconds": span,
            "rate": submitted / span,
            "p95_ms": sustained[int(0.95 * (len(sustained) - 1))],
            "median_ms": statistics.median(sustained),
        }
        results["rss_start"] = rss_start
        results["rss_end"] = rss_mib(network)
        report = network.query(it, "SELECT COUNT(*) FROM exchange_outboxmessage WHERE status <> 'receipted'")
        results["not_receipted"] = int(report[0][0])
    finally:
        network.stop()
        if args.postgres:
            network.drop_pg_databases()
    print_report(results, args)
    return 0


def print_report(r: dict[str, object], args: argparse.Namespace) -> None:
    crypto = r["crypto"]
    lat = r["latency"]
    backlog = r["backlog"]
    e2e = r["end_to_end"]
    assert (
        isinstance(crypto, dict)
        and isinstance(lat, dict)
        and isinstance(backlog, dict)
        and isinstance(e2e, dict)
    )
    rss_start, rss_end = r["rss_start"], r["rss_end"]
    assert isinstance(rss_start, dict) and isinstance(rss_end, dict)
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| envelope crypto alone: seal (sign + encrypt) | {crypto['seal_us']:.0f} µs | — |")
    print(f"| envelope crypto alone: open (decrypt + verify + validate) | {crypto['open_us']:.0f} µs | — |")
    print(f"| receipt crypto alone: sign + verify | {crypto['receipt_us']:.0f} µs | — |")
    print(f"| envelope size (notice) | {crypto['envelope_bytes']:.0f} B | — |")
    print(
        f"| submit→receipt at {args.rate:g} msg/s ({lat['n']} msgs) | median {lat['median_ms']:.0f} ms, "
        f"p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms | p95 ≤ {TARGET_P95_MS:.0f} ms |"
    )
    print(
        f"| delivery of a {backlog['n']}-message backlog | {backlog['rate']:.1f} msg/s "
        f"({backlog['seconds']:.1f} s) | ≥ {TARGET_RATE:.0f} msg/s |"
    )
    print(
        f"| end to end at {args.sustain:g} msg/s offered ({args.generators} submitters) | {e2e['rate']:.1f} msg/s "
        f"delivered ({e2e['n']} msgs in {e2e['seconds']:.1f} s), median {e2e['median_ms']:.0f} ms, "
        f"p95 {e2e['p95_ms']:.0f} ms | ≥ {TARGET_RATE:.0f} msg/s |"
    )
    cpu = r["cpu_ms_per_msg"]
    assert isinstance(cpu, dict)
    for key, value in cpu.items():
        print(f"| CPU per message, end-to-end phase: {key} | {value:.1f} ms | — |")
    print(f"| CPU per message, end-to-end phase: all | {sum(cpu.values()):.1f} ms | — |")
    print(f"| CPU to start one submitting process (excluded above) | {r['startup_s']:.2f} s | — |")
    load = r["load"]
    assert isinstance(load, tuple)
    print(
        f"| load average (1 min) at the start / end of the end-to-end phase | {load[0]:.2f} / {load[1]:.2f} | — |"
    )
    rss_mid = r["rss_mid"]
    assert isinstance(rss_mid, dict)
    for key in rss_start:
        print(
            f"| RSS {key}: after warm-up → before the end-to-end phase → end | {rss_start[key]:.0f} → "
            f"{rss_mid.get(key, 0):.0f} → {rss_end.get(key, 0):.0f} MiB | no growth |"
        )
    print(f"| messages not receipted at the end | {r['not_receipted']} | 0 |")
    print(f"\nDEBUG {'on' if args.debug else 'off'}; {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    sys.exit(main())
