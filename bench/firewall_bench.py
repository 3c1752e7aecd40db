"""What the firewall costs a request: the case-detail API with authorisation and audit, against
the same endpoint with both bypassed, measured in the same run. Not a test: it prints figures.

    .venv/bin/python bench/firewall_bench.py [--rounds N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark_bench .venv/bin/python bench/firewall_bench.py

A fresh test database (a temporary file for SQLite, as a node would run it; ``test_<name>`` on
PostgreSQL) with the personas, a missing child's case with a timeline, an agreement, and a
need-to-know context (Milan alerted Calais about the child). Requests go in process through the whole Django stack
(middleware, token auth, Waymark-Purpose, ninja) with django.test.Client, alternating the two
variants so machine noise hits both alike. "Bypassed" replaces ``access_case`` with a plain
fetch that allows every category and writes no audit entry. Target: firewall p50 <= 1.3x bypassed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
os.environ.setdefault("WAYMARK_ENV", "test")

import django

django.setup()

from django.conf import settings  # noqa: E402

settings.ALLOWED_HOSTS.append("testserver")  # django.test.Client's host

from django.db import connection  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="waymark-bench-")
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = os.path.join(folder, "bench.sqlite3")
    connection.creation.create_test_db(verbosity=0)

    from waymark.cases import access, actions
    from waymark.cases.schemas import EventIn
    from waymark.cases.tests.api_client import api_as
    from waymark.policy import service
    from waymark.policy.tests.factories import create_agreement
    from waymark.test import create_case, create_personas, share
    from waymark.vocab import AuditDecision, AuditKind, ContextSource, DataCategory, Purpose, Role

    people = create_personas()
    case = create_case(people.giulia, given_names="Saba", family_name="Tesfay", case={"guardian": "marco"})
    for n in range(10):
        actions.do_add_event(
            people.giulia, case, EventIn(type="note", summary=f"Visit {n}", category=DataCategory.CASE_NOTES)
        )
    create_agreement(
        "bench-it-fr",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, Purpose.LOCATE_MISSING_CHILD)],
    )
    share(case, people.fr_ngo, Purpose.LOCATE_MISSING_CHILD, source=ContextSource.MISSING_ALERT, missing=True)
    url = f"/api/cases/{case.public_id}"
    clients = {
        "own organisation (giulia)": api_as(people.giulia),
        "under an agreement (claire)": api_as(people.claire, purpose=Purpose.LOCATE_MISSING_CHILD),
    }
    real_access = access.access_case

    def bypassed(user: object, public_id: str, purpose: str, **kwargs: object) -> access.CaseAccess:
        fetched = access._fetch(public_id)
        every = {
            c: service.Decision(True, c, str(purpose), "read", ["bypassed"]) for c in DataCategory.values
        }
        return access.CaseAccess(fetched, str(purpose), every, _can_update=frozenset(DataCategory.values))

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cores; {connection.vendor}; {args.rounds} requests each")
    print(f"{'case detail API':<34} {'variant':<10} {'median':>9} {'p95':>9} {'ratio p50':>10}")
    for label, client in clients.items():
        assert client.get(url).status_code == 200, label
        timings: dict[str, list[float]] = {"firewall": [], "bypassed": []}
        for i in range(args.rounds + 20):
            for variant in ("firewall", "bypassed") if i % 2 else ("bypassed", "firewall"):
                patcher = mock.patch.object(
                    access, "access_case", bypassed if variant == "bypassed" else real_access
                )
                with patcher:
                    t0 = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - t0
                assert response.status_code == 200
                if i >= 20:  # warm-up
                    timings[variant].append(elapsed * 1000)
        base = statistics.median(timings["bypassed"])
        for variant, values in timings.items():
            median = statistics.median(values)
            print(
                f"{label:<34} {variant:<10} {median:8.2f}ms {pct(values, 0.95):8.2f}ms {median / base:9.2f}x"
            )

    # Where the firewall's time goes: each part alone, the same calls access_case makes.
    from waymark.audit import service as audit
    from waymark.policy.breakglass import live_break_glass

    def part(fn: Callable[[], object], n: int = 200) -> float:
        values = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            values.append((time.perf_counter() - t0) * 1000)
        return statistics.median(values)

    locate, cp = Purpose.LOCATE_MISSING_CHILD, Purpose.CHILD_PROTECTION
    every = DataCategory.values
    parts = {
        "fetch the case (both variants)": lambda: access._fetch(case.public_id),
        "Cedar, own organisation (13 categories)": lambda: service.authorize(
            people.giulia, case, purpose=cp, categories=every
        ),
        "Cedar, under the agreement, with its contexts query": lambda: service.authorize(
            people.claire, case, purpose=locate, categories=every
        ),
        "need-to-know contexts query alone": lambda: service.shared_contexts([case], "fr-ngo-calais"),
        "break-glass lookup (partner reads)": lambda: live_break_glass(people.claire, case, locate),
        "audit append (allow + deny rows)": lambda: audit.record_many(
            AuditKind.ACCESS_DECISION,
            [
                {"actor": people.claire, "purpose": locate, "decision": d, "subject": case.audit_subject}
                for d in (AuditDecision.ALLOW, AuditDecision.DENY)
            ],
        ),
    }
    for name, fn in parts.items():
        print(f"  part: {name:<54} {part(fn):7.2f}ms")

    # Decisions per second for a case page's batch (13 categories, read), on one core.
    rounds = 300
    t0 = time.perf_counter()
    for _ in range(rounds):
        service.authorize(
            people.giulia, case, purpose=Purpose.CHILD_PROTECTION, categories=DataCategory.values
        )
    rate = rounds * len(DataCategory.values) / (time.perf_counter() - t0)
    print(f"Cedar decisions per second (batch of {len(DataCategory.values)}, one core): {rate:,.0f}")


if __name__ == "__main__":
    main()
