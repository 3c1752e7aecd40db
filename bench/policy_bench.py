"""Benchmark of the authorisation service (waymark/policy/service.py). Not a test: it prints figures.

    WAYMARK_ENV=test .venv/bin/python bench/policy_bench.py [--rounds N]

Runs against a fresh in-memory SQLite database with the test personas, fictional cases and one
cooperation agreement. For each scenario it prints the median and 95th percentile time per
DECISION (one category of one case) and the decisions per second on this one core.
Target: >= 2,000 decisions/s for single calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
os.environ.setdefault("WAYMARK_ENV", "test")

import django

django.setup()

from django.db import connection  # noqa: E402

from waymark.accounts.models import User  # noqa: E402
from waymark.policy import engine, service  # noqa: E402
from waymark.vocab import DataCategory, Purpose, Role  # noqa: E402

LOCATE = [
    DataCategory.IDENTITY,
    DataCategory.PHYSICAL_DESCRIPTION,
    DataCategory.PHOTO,
    DataCategory.CONTACT_LOCATION,
]


def measure(label: str, rounds: int, decisions_per_call: int, call: Callable[[int], object]) -> None:
    for i in range(min(50, rounds)):  # warm up: engine parsed, registry cached
        call(i)
    times = []
    start = time.perf_counter()
    for i in range(rounds):
        t0 = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - t0) / decisions_per_call)
    total = time.perf_counter() - start
    times.sort()
    median = statistics.median(times) * 1e6
    p95 = times[int(len(times) * 0.95) - 1] * 1e6
    rate = rounds * decisions_per_call / total
    print(f"{label:<58} {median:8.1f} µs {p95:8.1f} µs {rate:10,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    rounds = args.rounds

    connection.creation.create_test_db(verbosity=0)  # in memory for SQLite
    from waymark.cases.models import Case
    from waymark.policy.tests.factories import create_agreement
    from waymark.test import create_case, create_personas

    people = create_personas()
    for n in range(50):
        create_case(people.giulia, given_names=f"Child {n}", family_name="Fictional")
    create_agreement(
        "bench-it-fr",
        [people.it_cps, people.fr_ngo],
        grants=[(people.fr_ngo, Role.CASEWORKER, c, Purpose.LOCATE_MISSING_CHILD) for c in LOCATE],
    )
    cases = list(Case.objects.select_related("organisation").order_by("pk"))
    giulia, claire = people.giulia, people.claire
    giulia.organisation  # noqa: B018  (load the relation once, as a request's user would have it)
    claire.organisation  # noqa: B018
    all_categories = DataCategory.values
    page = cases[:25]

    def one(user: User, purpose: str, category: str) -> Callable[[int], object]:
        return lambda i: service.authorize(
            user, cases[i % len(cases)], purpose=purpose, categories=[category]
        )

    def one_uncached(i: int) -> object:
        engine.entities.cache_clear()  # a case and user seen for the first time
        return service.authorize(
            claire,
            cases[i % len(cases)],
            purpose=Purpose.LOCATE_MISSING_CHILD,
            categories=[DataCategory.PHOTO],
        )

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"load average {load} on {os.cpu_count()} cores (figures are for one core; a busy machine lowers them)"
    )
    print(f"{'scenario (per decision)':<58} {'median':>11} {'p95':>11} {'decisions':>12}")
    measure(
        "single: own organisation (giulia, identity)",
        rounds,
        1,
        one(giulia, Purpose.CHILD_PROTECTION, DataCategory.IDENTITY),
    )
    measure(
        "single: across organisations, agreement (claire, photo)",
        rounds,
        1,
        one(claire, Purpose.LOCATE_MISSING_CHILD, DataCategory.PHOTO),
    )
    measure(
        "single: refused, no grant (claire, health)",
        rounds,
        1,
        one(claire, Purpose.LOCATE_MISSING_CHILD, DataCategory.HEALTH),
    )
    measure("single: across organisations, entity cache cleared each call", rounds, 1, one_uncached)
    measure(
        "batch: one case, all 13 categories (claire)",
        rounds,
        len(all_categories),
        lambda i: service.authorize(
            claire, cases[i % len(cases)], purpose=Purpose.LOCATE_MISSING_CHILD, categories=all_categories
        ),
    )
    measure(
        "list: 25 cases x 4 categories (claire, authorize_cases)",
        max(rounds // 10, 50),
        len(page) * len(LOCATE),
        lambda i: service.authorize_cases(
            claire, page, purpose=Purpose.LOCATE_MISSING_CHILD, categories=LOCATE
        ),
    )
    measure(
        "list: 25 cases x 13 categories (giulia, own organisation)",
        max(rounds // 10, 50),
        len(page) * len(all_categories),
        lambda i: service.authorize_cases(
            giulia, page, purpose=Purpose.CHILD_PROTECTION, categories=all_categories
        ),
    )


if __name__ == "__main__":
    main()
