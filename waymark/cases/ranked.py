"""Ranked name search: the children of a queryset (already narrowed by the policy) ordered by how
well their names agree with a query in any spelling, script or order, with the reasons.

Retrieval is indexed: the query's keys (``core.names.query_keys``: skeleton, one-deletion and
phonetic keys of each unit) are looked up in ``MatchKey``; the children sharing keys with the most
query units (``CANDIDATES`` at most) are scored in Python (``core.namematch``). A four-digit year
in the query is evidence on the date of birth. Nothing is filtered out for a missing token: a
child matching some of the query ranks below one matching all of it, but is still listed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Max, QuerySet, Value, When
from django.utils import timezone

from waymark.core import namematch
from waymark.core import names as name_prep
from waymark.vocab import DatePrecision, Sex

from .models import Case, ChildName, MatchKey, NameKind

CANDIDATES = 200  # children scored per search
MAX_UNITS = 6
# Below this a candidate is not shown: the query's units barely agree with the child's names.
MIN_SCORE = 0.4
# A result this good on the name is an exact match; otherwise the page says "closest".
EXACT = 0.85
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class Ranked:
    case: Case
    evidence: namematch.Evidence

    @property
    def reasons(self) -> list[str]:
        """Which name forms agreed, and how the other fields compare; for people to read."""
        out = [f"{a.query} ~ {a.form} ({a.how})" for a in self.evidence.name.agreements]
        if self.evidence.birth != "unknown":
            out.append(f"birth: {self.evidence.birth}")
        return out

    @property
    def exact(self) -> bool:
        return self.evidence.name.score >= EXACT


# Candidates are first taken from the whole node (no join on visibility, which costs a scan of the
# caller's cases), this many at most, then narrowed to what the caller may see; only when that
# leaves too few of a longer list does the search run again restricted to the visible cases.
_WIDE = 1200


def _candidates(
    qs: QuerySet[Case],
    units: list[list[str]],
    unit_of: dict[str, int],
    strong_of: dict[str, int],
    unit_case: Callable[[dict[str, int]], models.Case],
) -> list[int]:
    """The children (ids) sharing keys with the most query units, that ``qs`` holds."""
    if len(units) == 1:
        # One unit: no counting — the strong keys (same skeleton, same sound) first, then the rest.
        out: list[int] = []
        for keys in (list(strong_of), list(unit_of)):
            found = (
                MatchKey.objects.filter(key__in=keys, child_id__in=qs.values("child_id"))
                .exclude(child_id__in=out)
                .values_list("child_id", flat=True)
                .distinct()[: CANDIDATES - len(out)]
            )
            out += list(found)
            if len(out) >= CANDIDATES:
                break
        return out

    def units_hit(mapping: dict[str, int]) -> Any:
        # Σ over units of "some key of this unit matched" (MAX of 0/1): a hash aggregate, where
        # COUNT(DISTINCT unit) would sort.
        by_unit: dict[int, list[str]] = {}
        for key, i in mapping.items():
            by_unit.setdefault(i, []).append(key)
        parts = [
            Max(
                models.Case(
                    When(key__in=keys, then=Value(1)), default=Value(0), output_field=models.IntegerField()
                )
            )
            for keys in by_unit.values()
        ]
        total: Any = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    def ranked_children(base: QuerySet[MatchKey], n: int) -> list[int]:
        rows = (
            base.values("child_id")
            .annotate(n=units_hit(unit_of), ns=units_hit(strong_of))
            .order_by("-n", "-ns", "child_id")[:n]
        )
        return [row["child_id"] for row in rows]

    wide = ranked_children(MatchKey.objects.filter(key__in=list(unit_of)), _WIDE)
    seen = set(qs.filter(child_id__in=wide).values_list("child_id", flat=True))
    narrowed = [c for c in wide if c in seen][:CANDIDATES]
    if len(narrowed) < CANDIDATES and len(wide) == _WIDE:
        base = MatchKey.objects.filter(key__in=list(unit_of), child_id__in=qs.values("child_id"))
        narrowed = ranked_children(base, CANDIDATES)
    return narrowed


def parse_query(q: str) -> tuple[list[list[str]], int | None]:
    """(name units, a birth year given in the query or None)."""
    year = None
    found = _YEAR.search(q)
    if found:
        year = int(found.group(0))
        q = _YEAR.sub(" ", q)
    return name_prep.query_units(q)[:MAX_UNITS], year


def rank(
    qs: QuerySet[Case],
    q: str,
    *,
    birth: namematch.Birth | None = None,
    sex: str = "",
    nationality: str = "",
    limit: int = 100,
) -> list[Ranked]:
    """The cases of ``qs`` whose child's names agree with ``q``, best first (at most ``limit``).
    ``birth``/``sex``/``nationality``: what the searcher knows of the child, used as evidence."""
    units, year = parse_query(q)
    if not units:
        return []
    if birth is None and year is not None:
        birth = namematch.Birth(year, year)
    unit_of: dict[str, int] = {}
    strong_of: dict[str, int] = {}
    for i, unit in enumerate(units):
        for alt in unit:
            for key in name_prep.query_keys(alt):
                unit_of.setdefault(key, i)
            strong_of.setdefault(f"s:{alt}", i)
            strong_of.setdefault(f"p:{name_prep.phonetic(alt)}", i)

    def unit_case(mapping: dict[str, int]) -> models.Case:  # the query unit a key belongs to
        by_unit: dict[int, list[str]] = {}
        for key, i in mapping.items():
            by_unit.setdefault(i, []).append(key)
        return models.Case(
            *(When(key__in=keys, then=Value(i)) for i, keys in by_unit.items()),
            output_field=models.IntegerField(),
        )

    child_ids = _candidates(qs, units, unit_of, strong_of, unit_case)
    if not child_ids:
        return []
    forms: dict[int, list[str]] = {}
    for child_id, key in (
        MatchKey.objects.filter(child_id__in=child_ids, key__startswith="s:")
        .values_list("child_id", "key")
        .distinct()
    ):
        forms.setdefault(child_id, []).append(key[2:])
    sizes: dict[int, int] = {}
    for child_id, full_name in ChildName.objects.filter(
        child_id__in=child_ids, kind=NameKind.PRIMARY
    ).values_list("child_id", "full_name"):
        sizes[child_id] = max(sizes.get(child_id, 0), len(name_prep.query_units(full_name)))
    out: list[Ranked] = []
    for case in qs.filter(child_id__in=child_ids).select_related("child", "organisation"):
        name = namematch.score_name(units, forms.get(case.child_id, []), sizes.get(case.child_id, 0))
        if name.score < MIN_SCORE:
            continue
        child = case.child
        ev = namematch.evidence(
            name,
            birth=namematch.compare_birth(
                birth,
                birth_from(
                    child.birth_date,
                    child.birth_date_precision,
                    child.assessed_age_min,
                    child.assessed_age_max,
                    child.assessed_on,
                ),
            ),
            # Only a known sex on both sides is evidence ("unknown" or "other" says nothing here).
            sex=(sex, child.sex if sex and child.sex in (Sex.FEMALE, Sex.MALE) else ""),
            nationality=(nationality, child.nationality if nationality else ""),
        )
        out.append(Ranked(case, ev))
    out.sort(key=lambda r: (-r.evidence.score, -r.case.updated_at.timestamp(), -r.case.pk))
    return out[:limit]


def birth_from(
    date: dt.date | None,
    precision: str,
    age_min: int | None,
    age_max: int | None,
    assessed_on: dt.date | None,
) -> namematch.Birth | None:
    """A child's date of birth (as ``Child`` or ``ChildIn`` hold it) as the scorer compares it."""
    assessed = (age_min, age_max) if age_min is not None and age_max is not None else None
    return namematch.birth_of(
        date,
        estimated=precision == DatePrecision.ESTIMATED,
        assessed=assessed,
        assessed_on=assessed_on or timezone.localdate(),
    )
