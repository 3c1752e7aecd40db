"""Where the CPU of one exchanged message goes, in process (no HTTP), phase by phase.

    .venv/bin/python bench/exchange_profile.py [--count 300] [--profile] [--top 30]

Prepares two nodes as ``bench/exchange_bench.py`` does (node-it → node-fr, SQLite, the same
settings as the benchmark nodes), then runs, each in its own process with that node's
environment:

1. ``send`` (node-it): ``--count`` notices through ``threads.notice.do_send_notice`` (as
   ``manage.py exchange_load`` does);
2. ``receive`` (node-fr): each queued envelope through ``inbound.receive`` (what
   ``POST /exchange/inbox`` calls), receipts kept;
3. ``deliver`` (node-it): the dispatcher's ``dispatch_pending`` with a transport that answers
   with those receipts (claim, registry, receipt verification, mark receipted, audit entry).

Prints milliseconds of CPU time (this process) per message per phase (median of ``--repeat`` runs), and with
``--profile`` the top functions of each phase by cumulative time (cProfile adds overhead: use
the plain timings for figures, the profile for where the time goes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _phase(phase: str, base: Path, count: int, profile: bool, top: int) -> float:
    """Run in a node's environment (a child process). Returns seconds of CPU time."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    django.setup()
    import cProfile
    import pstats

    from django.core.management import call_command

    from waymark.exchange.dispatcher import dispatch_batch
    from waymark.exchange.inbound import receive
    from waymark.exchange.node import local_node
    from waymark.exchange.transport import Peer

    node = local_node()
    receipts_file = base / "receipts.json"
    prof = cProfile.Profile() if profile else None

    if phase == "send":
        # Warm-up: creates the fictional cases, loads keys and policies.
        call_command(
            "exchange_load", to="fr-ngo-calais", user="giulia", count=5, conversations=20, label="warm"
        )
        t0 = time.process_time()
        if prof:
            prof.enable()
        call_command(
            "exchange_load", to="fr-ngo-calais", user="giulia", count=count, conversations=20, label="p"
        )
    elif phase == "receive":
        with sqlite3.connect(base / "node-it" / "waymark.sqlite3") as conn:
            envelopes = [
                r[0] for r in conn.execute("SELECT envelope FROM exchange_outboxmessage ORDER BY id")
            ]
        receipts: dict[str, str] = {}
        http = os.environ.get("PROFILE_HTTP") == "1"
        from django.test import Client

        client = Client()
        receive(node, envelopes[0].encode("ascii"))  # warm-up
        t0 = time.process_time()
        if prof:
            prof.enable()
        for env in envelopes:
            import hashlib

            raw = env.encode("ascii")
            if http:
                # Through Django's request handling and middleware, as gunicorn would call it.
                response = client.post(
                    "/exchange/inbox", data=raw, content_type="application/jose", HTTP_HOST="127.0.0.1"
                )
                receipts[hashlib.sha256(raw).hexdigest()] = response.content.decode("ascii")
            else:
                receipts[hashlib.sha256(raw).hexdigest()] = receive(node, raw).receipt.decode("ascii")
        if prof:
            prof.disable()
        elapsed = time.process_time() - t0
        receipts_file.write_text(json.dumps(receipts))
        count = len(envelopes) - 1
    else:
        import hashlib

        receipts = json.loads(receipts_file.read_text())

        class Answer:
            def send(self, peer: Peer, envelope: bytes) -> bytes:
                return receipts[hashlib.sha256(envelope).hexdigest()].encode("ascii")

        t0 = time.process_time()
        if prof:
            prof.enable()
        # As the dispatcher's worker threads do: batches of up to ten heads of conversations.
        n = 0
        while batch := dispatch_batch(node, Answer(), "node-fr", "profile", limit=10):
            n += len(batch)
        count = n
    if phase != "receive":
        if prof:
            prof.disable()
        elapsed = time.process_time() - t0
    print(json.dumps({"phase": phase, "count": count, "ms_per_msg": elapsed / max(count, 1) * 1000}))
    if prof:
        prof.dump_stats(str(base.parent / f"{phase}.prof"))
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--prepared", type=Path, default=None, help="reuse a prepared network folder (copied)"
    )
    parser.add_argument(
        "--http", action="store_true", help="receive through Django's handler and middleware (test client)"
    )
    parser.add_argument(
        "--debug", default="true", help="DEBUG for the node processes (true as in make network)"
    )
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    parser.add_argument("--base", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _phase(args.phase, args.base, args.count, args.profile, args.top)
        return 0

    from waymark.devtools import demo
    from waymark.devtools.network import Network, free_port

    template = args.prepared
    work = Path(tempfile.mkdtemp(prefix="waymark-exchange-profile-"))
    if template is None:
        template = work / "template"
        Network(
            template, [(demo.node("node-it"), free_port()), (demo.node("node-fr"), free_port())]
        ).prepare()
    timings: dict[str, list[float]] = {"send": [], "receive": [], "deliver": []}
    for run in range(args.repeat):
        base = work / f"run{run}"
        shutil.copytree(template, base)
        network = Network(base, [(demo.node("node-it"), free_port()), (demo.node("node-fr"), free_port())])
        for phase, node_id in (("send", "node-it"), ("receive", "node-fr"), ("deliver", "node-it")):
            node = network.nodes[node_id]
            out = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--base", str(base), "--count", str(args.count)]
                + (["--profile", "--top", str(args.top)] if args.profile else []),
                cwd=REPO,
                env=network.env(node, DEBUG=args.debug, PROFILE_HTTP="1" if args.http else "0"),
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                raise SystemExit(f"{phase} failed:\n{out.stdout}\n{out.stderr}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            timings[phase].append(result["ms_per_msg"])
            if args.profile:
                (work / f"{phase}-{run}.prof.txt").write_text(out.stderr)
        shutil.rmtree(base)
    print(f"load average {os.getloadavg()[0]:.2f}; profiles in {work}" if args.profile else "")
    print("| phase | ms per message (median) | runs |")
    print("|---|---|---|")
    for phase, values in timings.items():
        print(f"| {phase} | {statistics.median(values):.2f} | {', '.join(f'{v:.2f}' for v in values)} |")
    print(f"| total | {sum(statistics.median(v) for v in timings.values()):.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
