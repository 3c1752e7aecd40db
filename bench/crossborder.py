"""Recall of the ranked case search on the labelled cross-border set (waymark.core.synthetic).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/waymark_bench_matching \\
        .venv/bin/python bench/crossborder.py [--children 2000] [--seed 12]

The "left" file of the set is registered at one fictional organisation; each "right" record of a
child that is there is then searched for, as another country's file spells it — in Latin, and in
the original script when the file has it — through ``rank_visible`` (the policy's
``cases_visible_to`` included), and the script prints how often the right child is first and in
the first ten, and how often nothing at all came back. ``load_records`` and ``recall`` are also
used by the recall-floor test (waymark/cases/tests/test_ranked_search_recall.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent

if TYPE_CHECKING:
    from waymark.accounts.models import Organisation, User
    from waymark.core.synthetic import Record


@dataclass(frozen=True)
class Recall:
    searches: int
    first: int
    top10: int
    empty: int
    seconds: float

    def line(self, label: str) -> str:
        n = max(self.searches, 1)
        return (
            f"{label:<16} {self.searches:>6} searches  first {self.first / n:6.1%}  top 10 {self.top10 / n:6.1%}"
            f"  nothing {self.empty / n:6.1%}  {1000 * self.seconds / n:6.1f} ms/search"
        )


def load_records(org: Organisation, records: tuple[Record, ...], start: int = 0) -> dict[str, int]:
    """Register ``records`` at ``org`` in bulk (fictional; benchmark and test set-up, no actions):
    a child with its primary name and, when the file has one, the original-script name, their
    search keys, and an open case (references numbered from ``start``). Returns record_id -> case
    pk."""
    import datetime as dt

    from django.utils import timezone

    from waymark.cases.actions import match_keys_of
    from waymark.cases.models import Case, Child, ChildName, NameKey, NameKind
    from waymark.core import names as name_prep
    from waymark.vocab import DatePrecision, Sex

    children = []
    for r in records:
        birth = dt.date.fromisoformat(r.birth_date) if r.birth_date else None
        children.append(
            Child(
                organisation=org,
                given_names=r.given_names,
                family_name=r.family_names,
                name_latin=r.full_name,
                sex={"F": Sex.FEMALE, "M": Sex.MALE}.get(r.sex, Sex.UNKNOWN),
                birth_date=birth,
                birth_date_precision=DatePrecision.ESTIMATED
                if r.birth_date_estimated
                else DatePrecision.EXACT,
                assessed_age_min=r.assessed_age[0] if r.assessed_age else None,
                assessed_age_max=r.assessed_age[1] if r.assessed_age else None,
                assessed_on=dt.date.fromisoformat(r.assessed_on) if r.assessed_on else None,
                nationality=r.nationality,
                is_fictional=True,
            )
        )
    Child.objects.bulk_create(children)
    names = []
    for child, r in zip(children, records, strict=True):
        names.append(ChildName(child=child, kind=NameKind.PRIMARY, full_name=r.full_name))
        if r.name_original_script:
            names.append(ChildName(child=child, kind=NameKind.ALIAS, full_name=r.name_original_script))
    ChildName.objects.bulk_create(names)
    NameKey.objects.bulk_create(
        NameKey(child_id=n.child_id, name=n, latin=latin[:100], skeleton=skel[:100])
        for n in names
        for latin, skel in name_prep.name_keys(n.full_name)
    )
    from waymark.cases.models import MatchKey

    MatchKey.objects.bulk_create(key for n in names for key in match_keys_of(n.child_id, n.pk, n.full_name))
    now = timezone.now()
    cases = [
        Case(
            child=child,
            organisation=org,
            reference=f"XB-{org.pk}-{start + i:06d}",
            opened_at=now,
            updated_at=now,
            is_fictional=True,
        )
        for i, child in enumerate(children)
    ]
    Case.objects.bulk_create(cases)
    return {r.record_id: c.pk for r, c in zip(records, cases, strict=True)}


def recall(user: User, purpose: str, left_cases: dict[str, int], left: tuple[Record, ...],
           right: tuple[Record, ...], *, script: bool, year: bool = False) -> Recall:  # fmt: skip
    """Search each right record of a child on the left, as ``user``; count where it ranks.
    ``year``: add the other file's year of birth to the query (as a searcher who knows it would)."""
    from waymark.cases.search import CaseFilters, rank_visible

    case_of_entity = {r.entity: left_cases[r.record_id] for r in left}
    searches = first = top10 = empty = 0
    started = time.perf_counter()
    for r in right:
        if r.entity not in case_of_entity:
            continue
        q = r.name_original_script if script else r.full_name
        if not q:
            continue
        if year and r.birth_date:
            q = f"{q} {r.birth_date[:4]}"
        found = rank_visible(user, purpose, CaseFilters(q=q), limit=10) or []
        ids = [x.case.pk for x in found]
        searches += 1
        first += bool(ids) and ids[0] == case_of_entity[r.entity]
        top10 += case_of_entity[r.entity] in ids
        empty += not ids
    return Recall(searches, first, top10, empty, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--names-only", action="store_true", help="skip the searches with the year of birth")
    args = parser.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/waymark_bench_matching")
    sys.path.insert(0, str(REPO))
    from bench.search_bench import ensure_database, setup_django

    ensure_database(os.environ["DATABASE_URL"], recreate=False)
    setup_django(os.environ["DATABASE_URL"])
    from django.db import transaction

    from waymark.accounts.models import Organisation, User
    from waymark.core import synthetic
    from waymark.vocab import Role, Sector

    ds = synthetic.generate(args.children, seed=args.seed)
    slug = f"xb-{args.children}-{args.seed}"
    with transaction.atomic():
        org, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={"name": f"Cross-border recall {slug} (fictional)", "country": "GR",
                      "sector": Sector.CHILD_PROTECTION, "is_fictional": True},
        )  # fmt: skip
        user, _ = User.objects.get_or_create(
            username=f"{slug}-caseworker", defaults={"organisation": org, "role": Role.CASEWORKER}
        )
        if created:
            left_cases = load_records(org, ds.left)
        else:
            from waymark.cases.models import Case

            refs = dict(Case.objects.filter(organisation=org).values_list("reference", "pk"))
            left_cases = {r.record_id: refs[f"XB-{org.pk}-{i:06d}"] for i, r in enumerate(ds.left)}
    print(f"{len(ds.left)} children registered at {slug}; {len(ds.right)} records in the other file")
    for label, script, year in (
        ("Latin", False, False),
        ("original script", True, False),
        ("Latin + year", False, True),
        ("script + year", True, True),
    ):
        if year and args.names_only:
            continue
        found = recall(user, "child_protection", left_cases, ds.left, ds.right, script=script, year=year)
        print(found.line(label))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
