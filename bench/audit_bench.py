"""Audit log cost: appends per second (median/p95 per append) and full verification time.

    .venv/bin/python bench/audit_bench.py [--sizes 10000,100000] [--database-url URL]

Without ``--database-url`` (or DATABASE_URL) it uses a fresh SQLite file in a temporary
directory, as the embedded node does; give a PostgreSQL URL to measure that (the database is
created if missing and FLUSHED: use a bench database). Each append is one ``service.record`` in
its own transaction (lock the head, insert the entry, advance the frontier, commit), the way an
access decision outside a business transaction is recorded. Then ``service.verify()`` reads and
re-hashes the whole log, and a checkpoint, an inclusion proof, a consistency proof and one
child's access report are timed once each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _prepare_postgres(url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    cfg = dj_database_url.parse(url)
    admin = make_conninfo(
        host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))


def _setup(database_url: str | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="waymark-audit-bench-"))
    os.environ["WAYMARK_DATA_DIR"] = str(tmp)
    os.environ["WAYMARK_AUDIT_KEY_FILE"] = str(tmp / "keys" / "audit-signing.pem")
    os.environ["WAYMARK_PSEUDONYM_KEY_FILE"] = str(tmp / "keys" / "pseudonym.key")
    os.environ.setdefault("WAYMARK_ENV", "test")
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory: not what a node runs
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        if database_url.startswith(("postgres://", "postgresql://")):
            _prepare_postgres(database_url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "waymark.settings"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(op: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = op()
    return time.perf_counter() - t0, result


def run(size: int) -> None:
    from django.core.management import call_command

    from waymark.audit import report, service
    from waymark.vocab import AuditDecision, AuditKind, DataCategory, Purpose

    call_command("flush", interactive=False, verbosity=0)  # waymark.audit's flush lifts the triggers
    # 1,000 fictional children: pseudonyms are computed per append, as a real access computes them.
    children = [uuid.uuid4() for _ in range(1000)]
    samples: list[float] = []
    clock = time.perf_counter_ns
    started = clock()
    for i in range(size):
        t0 = clock()
        service.record(
            AuditKind.ACCESS_DECISION,
            actor_name=f"user{i % 50}",
            actor_org="it-cps-milano",
            role="caseworker",
            purpose=Purpose.CHILD_PROTECTION,
            decision=AuditDecision.ALLOW if i % 20 else AuditDecision.DENY,
            reasons=["permit-own-org"],
            subject=service.Subject(child_public_id=children[i % len(children)]),
            categories=[DataCategory.IDENTITY, DataCategory.PHOTO],
            details={"case": i % 997},
        )
        samples.append((clock() - t0) / 1000)
    total = (clock() - started) / 1e9
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"{size:>8,} appends   {size / total:>8,.0f} appends/s   "
        f"median {statistics.median(samples):7.0f} µs   p95 {p95:7.0f} µs"
    )

    first_cp = service.checkpoint()
    seconds, result = _timed(service.verify)
    assert result.ok, result.message
    print(f"{size:>8,} verify    {seconds:8.2f} s   ({size / seconds:,.0f} entries/s)")
    seconds, _ = _timed(service.checkpoint)
    print(f"{'':>8} checkpoint {seconds * 1000:7.1f} ms")
    seconds, proof = _timed(lambda: service.inclusion_proof(size // 2))
    assert proof.verify(first_cp.root_hash)
    print(f"{'':>8} inclusion proof   {seconds * 1000:7.1f} ms ({len(proof.path)} hashes)")
    seconds, cproof = _timed(lambda: service.consistency_proof(size // 3))
    assert cproof.verify()
    print(f"{'':>8} consistency proof {seconds * 1000:7.1f} ms ({len(cproof.path)} hashes)")
    pseudonym = service.pseudonym(children[0])
    seconds, rows = _timed(lambda: report.access_report_for_pseudonym(pseudonym))
    print(f"{'':>8} access report     {seconds * 1000:7.1f} ms ({len(rows)} rows for one child)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated log sizes")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    _setup(args.database_url)
    from django.db import connection

    print(f"audit log on {connection.vendor} ({connection.settings_dict['NAME']})")
    for size in (int(s) for s in args.sizes.split(",")):
        run(size)


if __name__ == "__main__":
    main()
