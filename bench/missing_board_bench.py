"""The Missing-now board's first page (50 rows) at 1,000 open disappearances among 100,000 cases
on PostgreSQL, through the full Django stack (page and API), median and p95.

    .venv/bin/python bench/missing_board_bench.py [--count 100000] [--open 1000] [--runs 100]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/waymark_bench) names the database;
the population is bench/population.py's (shared with search_bench.py), and ``--open``
disappearances are reported on open cases of the caseworker's organisation through the action
itself (sealed fields, protocol steps, timeline). Target: p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_bench import DEFAULT_URL, ensure_database, setup_django

TARGET_P95_MS = 150.0
PURPOSE = "locate_missing_child"


def ensure_disappearances(wanted: int) -> int:
    from django.utils import timezone

    from waymark.accounts.models import User
    from waymark.cases.models import Case
    from waymark.missing.actions import do_report_disappearance
    from waymark.missing.models import Disappearance
    from waymark.missing.schemas import DisappearanceIn
    from waymark.vocab import CaseStatus

    have = Disappearance.objects.filter(closed_at__isnull=True).count()
    if have >= wanted:
        return have
    user = User.objects.get(username="bench-caseworker")
    now = timezone.now()
    cases = list(
        Case.objects.filter(
            organisation=user.organisation, status=CaseStatus.OPEN, disappearances__isnull=True
        )
        .select_related("child", "organisation")
        .order_by("id")[: wanted - have]
    )
    started = time.perf_counter()
    for i, case in enumerate(cases):
        # Spread over the last ten days: some steps overdue, some running.
        at = now - dt.timedelta(minutes=(i * 14) % (10 * 24 * 60))
        data = DisappearanceIn(
            last_seen_at=at - dt.timedelta(hours=2),
            missing_category="unaccompanied_migrant",
            last_seen_place="Reception centre (fictional)",
            route_countries=["FR", "BE"],
            triggers=["new_friend"],
        )
        do_report_disappearance(user, case, data, now=at)
    print(f"disappearances: {len(cases)} reported ({time.perf_counter() - started:.0f} s)")
    return Disappearance.objects.filter(closed_at__isnull=True).count()


def measure(runs: int, warmup: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall-clock and CPU (this process: Django, the policy, the template, the database client;
    not PostgreSQL's own) milliseconds per request. The CPU figure barely moves with the load of
    a shared machine, so it is the one to compare two versions by."""
    from django.test import Client
    from django.urls import reverse

    from waymark.accounts.models import User
    from waymark.accounts.tokens import issue_api_token

    user = User.objects.get(username="bench-caseworker")
    ui = Client()
    ui.force_login(user)
    ui.post(reverse("purpose_choose"), {"purpose": PURPOSE})
    _token, secret = issue_api_token(user, "missing board benchmark", purposes=[PURPOSE], days=1)
    api = Client(headers={"authorization": f"Bearer {secret}", "waymark-purpose": PURPOSE})
    probes = {"UI /missing/ page 1": (ui, "/missing/"), "API GET /api/missing": (api, "/api/missing")}
    timings: dict[str, list[float]] = {k: [] for k in probes}
    cpu: dict[str, list[float]] = {k: [] for k in probes}
    for round_no in range(warmup + runs):
        for label, (client, path) in probes.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_used = (time.process_time() - cpu_started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            if round_no >= warmup:
                timings[label].append(elapsed)
                cpu[label].append(cpu_used)
    return timings, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url, recreate=False)
    setup_django(url)
    from django.db import connection

    from bench.population import ensure_population

    population = ensure_population(args.count)
    open_now = ensure_disappearances(args.open)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{population.cases} cases, {open_now} open disappearances")
    load_before = os.getloadavg()[0]
    timings, cpu = measure(args.runs, args.warmup)
    print(
        f"load average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} CPUs"
    )
    ok = True
    print(f"\n{'request':<24} {'median':>8} {'p95':>8} {'CPU med':>8}  verdict")
    for label, values in timings.items():
        p95 = statistics.quantiles(values, n=20, method="inclusive")[18]
        passed = p95 <= TARGET_P95_MS
        ok &= passed
        print(
            f"{label:<24} {statistics.median(values):>8.1f} {p95:>8.1f} {statistics.median(cpu[label]):>8.1f}"
            f"  {'PASS' if passed else 'FAIL'}"
        )
    print(f"(milliseconds; target p95 <= {TARGET_P95_MS:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
