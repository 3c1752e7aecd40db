"""Search and list latency at 100,000 cases on PostgreSQL, through the full Django stack.

    .venv/bin/python bench/search_bench.py [--count 100000] [--runs 200] [--warmup 20]
                                           [--reload] [--explain]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/waymark_bench) names the database;
it is created if missing, migrated, and filled once with a fictional population
(bench/population.py). Each request goes through django.test.Client in this process: URL
routing, middleware, sessions, authentication, the view or API handler, the queries,
templates or JSON. Results are in docs/benchmarks.md.

At 1,000,000 cases (``--count 1000000``; not measured: loading takes about two and a half hours
here): a ranked search reads the same bounded rows (at most 1,000 key rows per lookup, visibility
of at most a few thousand candidates, the names of 200 children, the page's 25 cases), so the
unfiltered searches (a, b, e) should cost about what they do at 100,000; a search with a filter
that leaves few of the found children (c) reads its keys again joined to the filtered cases,
which grows with the caseload. docs/benchmarks.md ("Ranked search speed") gives the reasoning.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dj_database_url
import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

if TYPE_CHECKING:
    from django.test import Client

    from waymark.accounts.models import User

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/waymark_bench"
TARGET_P95_MS = 150.0
PURPOSE = "child_protection"  # what a caseworker searching their caseload declares


@dataclass(frozen=True)
class Probe:
    label: str
    path: str
    api: bool  # authenticated with an API token rather than a session


PROBES = (
    Probe("a) API search, Latin, two tokens", "/api/cases?q=Mohamed%20Hossein", api=True),
    Probe("b) API search, Arabic script", "/api/cases?q=%D9%85%D8%AD%D9%85%D8%AF", api=True),  # محمد
    Probe("c) API search + status filter", "/api/cases?q=Ahmad&status=missing", api=True),
    Probe("d) UI list, page 1", "/cases/", api=False),
    Probe("e) UI list, search", "/cases/?q=Hussain", api=False),
)
BASELINE = Probe("baseline: /healthz", "/healthz", api=False)


@dataclass(frozen=True)
class Result:
    probe: Probe
    timings_ms: list[float]
    detail: str  # what the response said (hit count), to show the work was real

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.timings_ms, n=20, method="inclusive")[18]

    @property
    def min(self) -> float:
        return min(self.timings_ms)


# ---------------------------------------------------------------------------------------------
# Set-up


def ensure_database(url: str, *, recreate: bool) -> None:
    """Create the benchmark database if it does not exist (dropping it first with --reload)."""
    cfg = dj_database_url.parse(url)
    name = str(cfg["NAME"])
    parts = {"user": cfg.get("USER"), "password": cfg.get("PASSWORD"), "host": cfg.get("HOST")}
    parts["port"] = str(cfg.get("PORT") or "")
    # The maintenance database, to create ours; parameters are quoted by make_conninfo.
    conninfo = make_conninfo(dbname="postgres", **{k: str(v) for k, v in parts.items() if v})
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"database: created {name}")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
    # Measure what a deployed node runs: no DEBUG query log; the test client's host allowed.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    sys.path.insert(0, str(REPO))
    # WhiteNoise warns that collectstatic has not run; static files are not measured here.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------------------------
# Measuring


def _clients(user: User) -> tuple[Client, Client]:
    from django.test import Client
    from django.urls import reverse

    from waymark.accounts.tokens import issue_api_token

    ui = Client()
    ui.force_login(user)
    # Child data is opened for a declared purpose: the UI keeps it in the session, the API
    # takes it in a header on every request.
    declared = ui.post(reverse("purpose_choose"), {"purpose": PURPOSE})
    if declared.status_code != 302:
        raise SystemExit(f"declaring the purpose {PURPOSE!r} failed: HTTP {declared.status_code}")
    _token, secret = issue_api_token(user, "search benchmark", purposes=[PURPOSE], days=1)
    api = Client(headers={"authorization": f"Bearer {secret}", "waymark-purpose": PURPOSE})
    return ui, api


def _describe(probe: Probe, body: bytes) -> str:
    if probe.api:
        import json

        return f"{json.loads(body)['count']} hits"
    if probe is BASELINE:
        return ""
    return f"{len(body) // 1024} KiB html"


def run(user: User, runs: int, warmup: int) -> list[Result]:
    """Round-robin: each round sends every probe once, so the noise of a shared machine
    (other processes, PostgreSQL checkpoints) falls on all probes alike and the ratios to
    the baseline stay meaningful even when absolute figures drift."""
    ui, api = _clients(user)
    probes = (BASELINE, *PROBES)
    timings: dict[Probe, list[float]] = {p: [] for p in probes}
    last: dict[Probe, bytes] = {}
    for round_no in range(warmup + runs):
        for probe in probes:
            client = api if probe.api else ui
            started = time.perf_counter()
            response = client.get(probe.path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{probe.path}: HTTP {response.status_code}\n{response.content[:500]!r}")
            if round_no >= warmup:
                timings[probe].append(elapsed)
            last[probe] = response.content
    return [Result(p, timings[p], _describe(p, last[p])) for p in probes]


# ---------------------------------------------------------------------------------------------
# What-if: measure proposed changes without making them (see docs/benchmarks.md)

# Indexes proposed for NameKey: a prefix LIKE on the skeleton answered from the index alone,
# both when the search starts from the names and when it probes one child's names.
_WHAT_IF_CREATE = (
    "CREATE INDEX IF NOT EXISTS bench_whatif_namekey_skel_child"
    " ON cases_namekey (skeleton varchar_pattern_ops, child_id)",
    "CREATE INDEX IF NOT EXISTS bench_whatif_namekey_child_skel"
    " ON cases_namekey (child_id, skeleton varchar_pattern_ops)",
)
_WHAT_IF_DROP = (
    "DROP INDEX IF EXISTS bench_whatif_namekey_skel_child",
    "DROP INDEX IF EXISTS bench_whatif_namekey_child_skel",
)


def create_what_if_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in _WHAT_IF_CREATE:
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE cases_namekey")


def drop_what_if_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in _WHAT_IF_DROP:
            cursor.execute(statement)


def cap_case_counts(cap: int) -> None:
    """Make every ``Case`` queryset count stop at ``cap`` + 1 rows ("more than cap"), as the
    API and the list page would if they showed a capped count. Affects this process only."""
    from django.db.models.query import QuerySet

    from waymark.cases.models import Case

    exact = QuerySet.count

    def capped(self: QuerySet[Case]) -> int:
        if self.model is Case and not self.query.is_sliced:
            return exact(self.order_by()[: cap + 1])
        return exact(self)

    QuerySet.count = capped  # type: ignore[method-assign,assignment]


def report(results: list[Result]) -> bool:
    base = results[0].median
    print(f"\n{'request':<36} {'median':>8} {'p95':>8} {'min':>8} {'x base':>7}  verdict  response")
    ok = True
    for r in results:
        verdict = ""
        if r.probe is not BASELINE:
            passed = r.p95 <= TARGET_P95_MS
            ok &= passed
            verdict = "PASS" if passed else "FAIL"
        print(
            f"{r.probe.label:<36} {r.median:>8.1f} {r.p95:>8.1f} {r.min:>8.1f} {r.median / base:>7.1f}"
            f"  {verdict:<7}  {r.detail}"
        )
    print(f"(milliseconds; target p95 <= {TARGET_P95_MS:.0f} ms)")
    return ok


def profile_queries(user: User) -> None:
    """One request per probe, with the time of every SQL statement it ran (slowest first)."""
    from django.db import connection

    ui, api = _clients(user)
    for probe in (BASELINE, *PROBES):
        timed: list[tuple[float, str]] = []

        def wrapper(execute, sql_text, params, many, context, timed=timed):
            started = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                timed.append(((time.perf_counter() - started) * 1000, " ".join(str(sql_text).split())))

        client = api if probe.api else ui
        with connection.execute_wrapper(wrapper):
            started = time.perf_counter()
            client.get(probe.path)
            total = (time.perf_counter() - started) * 1000
        in_sql = sum(ms for ms, _ in timed)
        print(f"\n{probe.label}: {total:.1f} ms, {len(timed)} queries, {in_sql:.1f} ms in SQL")
        for ms, text in sorted(timed, reverse=True)[:4]:
            print(f"  {ms:7.1f} ms  {text[:150]}")


def profile_python(user: User, rounds: int, limit: int = 40) -> None:
    """Where a request's Python time goes: ``rounds`` requests of each probe under cProfile (after
    three unmeasured ones), the SQL time measured apart, then the functions with the most
    cumulative and own time. The profiler slows Python down about twofold: read the shares."""
    import cProfile
    import io
    import pstats

    from django.db import connection

    ui, api = _clients(user)
    for probe in PROBES:
        client = api if probe.api else ui
        for _ in range(3):
            client.get(probe.path)
        in_sql: list[float] = []

        def wrapper(execute, sql_text, params, many, context, in_sql=in_sql):
            started = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                in_sql.append((time.perf_counter() - started) * 1000)

        profiler = cProfile.Profile()
        with connection.execute_wrapper(wrapper):
            started = time.perf_counter()
            profiler.enable()
            for _ in range(rounds):
                client.get(probe.path)
            profiler.disable()
            total = (time.perf_counter() - started) * 1000 / rounds
        print(
            f"\n===== {probe.label}: {total:.1f} ms per request under the profiler, "
            f"{sum(in_sql) / rounds:.1f} ms in SQL ({len(in_sql) / rounds:.0f} statements) ====="
        )
        # Waymark's own functions by cumulative time (where a request spends it), then every
        # function by its own time (what is slow).
        for order, only in (("cumulative", r"waymark/"), ("tottime", "")):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(order).print_stats(only, limit)
            # Drop pstats' preamble: the table is what matters.
            text = out.getvalue()
            print(text[text.find("   ncalls") :])


def explain(user: User) -> None:
    """EXPLAIN ANALYZE of the queries behind each search: the page and its count."""
    from waymark.cases.access import cases_visible_to
    from waymark.cases.search import CaseFilters, search_cases

    searches = {
        "a) Mohamed Hossein": CaseFilters(q="Mohamed Hossein"),
        "b) محمد": CaseFilters(q="محمد"),
        "c) Ahmad, missing": CaseFilters(q="Ahmad", status="missing"),
        "d) list page 1": CaseFilters(),
        "e) Hussain": CaseFilters(q="Hussain"),
    }
    for label, filters in searches.items():
        found = search_cases(cases_visible_to(user, PURPOSE), filters)
        print(f"\n===== {label}: page of 25 =====")
        print(found.select_related("child", "organisation")[:25].explain(analyze=True, buffers=True))
        print(f"----- {label}: count -----")
        # The rows the COUNT(*) reads (QuerySet.count() itself cannot be explained).
        print(found.order_by().values("id").explain(analyze=True, buffers=True))


COMPARE_QUERIES = ("Mohamed Hossein", "محمد", "Mohamet Husein", "Hussain", "Abdul Rahman Al Ubaidi", "ተስፋይ")


def compare_old_and_ranked(user: User, runs: int) -> None:
    """The old token filter (every token must match, page of 25 + capped count) against the ranked
    search (``search_ranked``: top 100 ranked, the page of 25 loaded), same queries, round-robin,
    in this process."""
    from waymark.cases.search import CaseFilters, capped_count, search_ranked, search_visible

    timings: dict[tuple[str, str], list[float]] = {}
    hits: dict[tuple[str, str], int] = {}
    for _ in range(runs):
        for q in COMPARE_QUERIES:
            f = CaseFilters(q=q)
            started = time.perf_counter()
            found = search_visible(user, PURPOSE, f)
            page = list(found.select_related("child", "organisation")[:25])
            n, _capped = capped_count(found)
            timings.setdefault(("old", q), []).append((time.perf_counter() - started) * 1000)
            hits[("old", q)] = n if page or n else 0
            started = time.perf_counter()
            ranked = search_ranked(user, PURPOSE, f)
            # Like the API: the page of 25 loaded, every hit counted.
            _page = ranked.page(0, 25) if ranked is not None else []
            timings.setdefault(("ranked", q), []).append((time.perf_counter() - started) * 1000)
            hits[("ranked", q)] = len(ranked.hits) if ranked is not None else 0
    print(
        f"\n{'query':<26} {'old median':>10} {'old p95':>8} {'ranked median':>13} {'ranked p95':>10} {'ratio':>6}  hits old/ranked"
    )
    for q in COMPARE_QUERIES:
        old, new = timings[("old", q)], timings[("ranked", q)]
        p95 = lambda t: statistics.quantiles(t, n=20, method="inclusive")[18]  # noqa: E731
        print(
            f"{q:<26} {statistics.median(old):>10.1f} {p95(old):>8.1f} {statistics.median(new):>13.1f}"
            f" {p95(new):>10.1f} {statistics.median(new) / statistics.median(old):>6.1f}"
            f"  {hits[('old', q)]}/{hits[('ranked', q)]}"
        )


def ensure_match_keys() -> None:
    """Fill ``MatchKey`` for names that have none (a population loaded before ranked search), with
    the keys registration writes (``match_keys_of``), by COPY: ``reindex_names`` does the same
    through the ORM, far slower on a busy machine."""
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from waymark.cases.actions import match_keys_of
    from waymark.cases.models import ChildName, MatchKey

    # Read them all first: the connection cannot fetch while it is copying.
    missing = list(
        ChildName.objects.exclude(Exists(MatchKey.objects.filter(name_id=OuterRef("pk")))).values_list(
            "pk", "child_id", "full_name"
        )
    )
    started = time.perf_counter()
    rows = 0
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg 3
        with raw.cursor().copy("COPY cases_matchkey (child_id, name_id, key, version) FROM STDIN") as copy:
            for pk, child_id, full_name in missing:
                for k in match_keys_of(child_id, pk, full_name):
                    copy.write_row((k.child_id, k.name_id, k.key, k.version))
                    rows += 1
    if rows:
        # VACUUM as well as ANALYZE: until the visibility map is set (autovacuum, later), the
        # index-only key lookups read the heap for every row.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cases_matchkey")
        print(f"match keys: {rows} written in {time.perf_counter() - started:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000, help="cases in the population")
    parser.add_argument("--runs", type=int, default=200, help="measured requests per probe")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    parser.add_argument("--reload", action="store_true", help="drop the database and load again")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each search")
    parser.add_argument("--queries", action="store_true", help="print the SQL time of one request each")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile N requests of each probe (in process) and print where the time goes",
    )
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="N",
        help="N rounds of old filter vs ranked search, in process",
    )
    parser.add_argument(
        "--what-if-indexes",
        action="store_true",
        help="measure with the proposed NameKey indexes (created for the run, dropped after)",
    )
    parser.add_argument(
        "--what-if-capped-count",
        type=int,
        default=0,
        metavar="N",
        help="measure with case counts capped at N (the proposed 'more than N' display)",
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("this benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url, recreate=args.reload)
    setup_django(url)
    from bench.population import ensure_population

    population = ensure_population(args.count)
    ensure_match_keys()
    print(
        f"measuring as {population.caseworker.username} ({population.organisation.slug}), {population.cases} cases"
    )
    drop_what_if_indexes()  # a run that was interrupted may have left them
    if args.what_if_indexes:
        create_what_if_indexes()
        print("what-if: proposed NameKey indexes present")
    if args.what_if_capped_count:
        cap_case_counts(args.what_if_capped_count)
        print(f"what-if: case counts capped at {args.what_if_capped_count}")
    try:
        if args.explain:
            explain(population.caseworker)
        if args.queries:
            profile_queries(population.caseworker)
        if args.profile:
            profile_python(population.caseworker, args.profile)
            return 0
        if args.compare:
            compare_old_and_ranked(population.caseworker, args.compare)
        load_before = os.getloadavg()[0]
        results = run(population.caseworker, args.runs, args.warmup)
        # The figures mean little without how busy the machine was while they were taken.
        print(
            f"\nload average (1 min): {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} CPUs"
        )
    finally:
        drop_what_if_indexes()
    return 0 if report(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
