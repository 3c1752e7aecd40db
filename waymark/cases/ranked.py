"""Ranked name search: the children of a queryset (already narrowed by the policy) ordered by how
well their names agree with a query in any spelling, script or order, with the reasons.

Retrieval is indexed and bounded: the query's keys (``core.names``: pair keys of two names' sounds,
each name's sound, one-deletion keys) are looked up in ``MatchKey`` in tiers, each lookup reading
at most ``ROWS_PER_LOOKUP`` rows, then narrowed to the children the caller may see; the
``CANDIDATES`` children found for the most query units are scored in Python (``core.namematch``).
A four-digit year in the query is evidence on the date of birth. Nothing is filtered out for a
missing token: a child matching some of the query ranks below one matching all of it, but is
still listed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from waymark.core import namematch
from waymark.core import names as name_prep
from waymark.vocab import DatePrecision, Sex

from .lookups import AnyOf
from .models import Case, ChildName, MatchKey, NameKind

CANDIDATES = 200  # children scored per search
MAX_UNITS = 6
# Below this a candidate is not shown: the query's units barely agree with the child's names.
MIN_SCORE = 0.4
# A result this good on the name is an exact match; otherwise the page says "closest".
EXACT = 0.85
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class Hit:
    """A case that ranked, by id, before it is loaded: ranking keeps up to ``limit`` of them, and
    a page loads only the cases it shows (``load``)."""

    case_id: int
    evidence: namematch.Evidence

    @property
    def exact(self) -> bool:
        return self.evidence.name.score >= EXACT


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


# Retrieval reads at most this many key rows per lookup, so a search costs the same whether a
# name is held by a hundred children or by a third of the node (and at 1,000,000 cases as at
# 100,000): a very common key adds little beyond "some of these children", and the scorer orders
# what is fetched. Lookups are made in order of the evidence they carry — both names at once
# (pair keys), then each name's own skeleton and sound, then names one edit away — and stop once
# enough children the caller may see agree on every unit.
ROWS_PER_LOOKUP = 1000
# Visibility is asked of candidates this many at a time (a long IN list costs more than it saves).
_VISIBLE_CHUNK = 400
_VISIBLE_CHUNK_MAX = 4000


@dataclass
class _Pool:
    """Children found so far, with the query units each was found for (strongly or at all)."""

    units: dict[int, set[int]]
    strong: dict[int, set[int]]
    truncated: bool = False
    # Children found by a lookup that was not cut short, and the keys of those that were: such a
    # child may hold a cut key too, unseen (see ``_verify``).
    selective: set[int] = field(default_factory=set)
    cut: dict[str, tuple[tuple[int, ...], bool]] = field(default_factory=dict)

    def add(self, child_id: int, units: Iterable[int], *, strong: bool) -> None:
        self.units.setdefault(child_id, set()).update(units)
        if strong:
            self.strong.setdefault(child_id, set()).update(units)

    def ordered(self) -> list[int]:
        return sorted(self.units, key=lambda c: (-len(self.units[c]), -len(self.strong.get(c, ())), c))

    def complete(self, n_units: int) -> list[int]:
        """The children found strongly for every unit, best first."""
        return [c for c in self.ordered() if len(self.strong.get(c, ())) == n_units]


def _lookup(
    base: QuerySet[MatchKey], unit_of: dict[str, tuple[int, ...]], pool: _Pool, *, strong: bool
) -> None:
    if not unit_of:
        return
    rows = list(base.filter(AnyOf(F("key"), list(unit_of))).values_list("child_id", "key")[:ROWS_PER_LOOKUP])
    cut = len(rows) == ROWS_PER_LOOKUP
    pool.truncated |= cut
    for child_id, key in rows:
        pool.add(child_id, unit_of[key], strong=strong)
    if cut:
        pool.cut.update((key, (units, strong)) for key, units in unit_of.items())
    else:
        pool.selective.update(child_id for child_id, _key in rows)


def _verify(base: QuerySet[MatchKey], pool: _Pool) -> None:
    """Look up, for the children found by a selective key, the keys whose lookups were cut short:
    a child found by a rare name and also holding a common one must count both (Tekle Yonas, met
    as 'Tekoe' by one edit, is also a Yonas, though the lookup of every Yonas stopped early)."""
    if not pool.cut or not pool.selective:
        return
    children = [c for c in pool.ordered() if c in pool.selective][:ROWS_PER_LOOKUP]
    found = base.filter(AnyOf(F("child_id"), children), AnyOf(F("key"), list(pool.cut)))
    for child_id, key in found.values_list("child_id", "key")[:ROWS_PER_LOOKUP]:
        units, strong = pool.cut[key]
        pool.add(child_id, units, strong=strong)


def _gather(
    base: QuerySet[MatchKey], units: list[list[str]], visible: Callable[[list[int], int], list[int]]
) -> _Pool:
    pool = _Pool({}, {})
    n = len(units)
    pairs: dict[str, tuple[int, ...]] = {}
    for i in range(n):
        for j in range(i + 1, n):
            for a in units[i]:
                for b in units[j]:
                    pairs.setdefault(name_prep.pair_key(name_prep.phonetic(a), name_prep.phonetic(b)), (i, j))
    _lookup(base, pairs, pool, strong=True)
    for tier_strong in (True, False):
        if len(visible(pool.complete(n), CANDIDATES)) >= CANDIDATES:
            break
        for i, unit in enumerate(units):
            keys: dict[str, tuple[int, ...]] = {}
            for alt in unit:
                # Every child with the skeleton has its sound too: the 'p:' key alone finds both.
                strong_key = f"p:{name_prep.phonetic(alt)}"
                edits = [k for k in name_prep.query_keys(alt) if k not in (f"s:{alt}", strong_key)]
                for key in [strong_key] if tier_strong else edits:
                    keys.setdefault(key, (i,))
            _lookup(base, keys, pool, strong=tier_strong)
    _verify(base, pool)
    return pool


def _first(ids: list[int], enough: int) -> list[int]:
    return ids[:enough]


# What the scorer reads of a visible case and its child (one row per case).
_COLUMNS = (
    "pk", "child_id", "updated_at", "child__birth_date", "child__birth_date_precision",
    "child__assessed_age_min", "child__assessed_age_max", "child__assessed_on", "child__sex",
    "child__nationality",
)  # fmt: skip
_Row = tuple[Any, ...]


def _candidates(qs: QuerySet[Case], units: list[list[str]]) -> tuple[list[int], dict[int, list[_Row]]]:
    """Up to ``CANDIDATES`` children (ids) that ``qs`` holds, best evidence first, and the
    ``_COLUMNS`` of their cases in ``qs``.

    Keys are looked up in the whole node first (no join on visibility, which would cost a scan of
    the caller's cases), then narrowed to the children ``qs`` holds — the same query reads what the
    scorer needs; only when that leaves too few and a lookup was cut short are the keys looked up
    again among the visible children alone."""
    rows: dict[int, list[_Row]] = {}
    asked: set[int] = set()

    def fetch(ids: list[int]) -> None:
        unknown = [c for c in ids if c not in asked]
        if unknown:
            asked.update(unknown)
            for row in qs.filter(AnyOf(F("child_id"), unknown)).values_list(*_COLUMNS):
                rows.setdefault(row[1], []).append(row)

    def visible(ids: list[int], enough: int = CANDIDATES) -> list[int]:
        """The first ``enough`` of ``ids`` that ``qs`` holds, asked a few hundred at a time: after
        the first chunk, as many as the share held so far says are still needed (a status filter
        leaves one child in eight: two reads rather than five)."""
        out: list[int] = []
        start, size = 0, _VISIBLE_CHUNK
        while start < len(ids) and len(out) < enough:
            chunk = ids[start : start + size]
            fetch(chunk)
            out += [c for c in chunk if c in rows]
            start += len(chunk)
            share = max(len(out), 1) / start
            size = min(_VISIBLE_CHUNK_MAX, max(_VISIBLE_CHUNK, int((enough - len(out)) / share * 1.25)))
        return out[:enough]

    pool = _gather(MatchKey.objects.all(), units, visible)
    narrowed = visible(pool.ordered(), CANDIDATES)
    if len(narrowed) < CANDIDATES and pool.truncated:
        restricted = MatchKey.objects.filter(child_id__in=qs.values("child_id"))
        narrowed = _gather(restricted, units, _first).ordered()[:CANDIDATES]
        fetch(narrowed)
    return narrowed, rows


@dataclass(frozen=True)
class _Name:
    forms: tuple[str, ...]
    given: frozenset[str]
    size: int


@functools.lru_cache(maxsize=65536)
def _prepared(full_name: str) -> _Name:
    """One name as the scorer reads it (names repeat across a caseload: computed once each)."""
    return _Name(
        tuple(name_prep.name_forms(full_name)),
        name_prep.given_forms(full_name),
        len(name_prep.query_units(full_name)),
    )


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
    return load(qs, score(qs, q, birth=birth, sex=sex, nationality=nationality, limit=limit))


def load(qs: QuerySet[Case], hits: Sequence[Hit]) -> list[Ranked]:
    """``hits`` as cases (with their child and organisation), in order, read through ``qs`` again:
    a case ``qs`` no longer holds is left out."""
    if not hits:
        return []
    cases = qs.filter(pk__in=[h.case_id for h in hits]).select_related("child", "organisation").in_bulk()
    return [Ranked(cases[h.case_id], h.evidence) for h in hits if h.case_id in cases]


def score(
    qs: QuerySet[Case],
    q: str,
    *,
    birth: namematch.Birth | None = None,
    sex: str = "",
    nationality: str = "",
    limit: int = 100,
) -> list[Hit]:
    """``rank`` without loading the cases: their ids and evidence, best first."""
    units, year = parse_query(q)
    if not units:
        return []
    if birth is None and year is not None:
        birth = namematch.Birth(year, year)
    child_ids, case_rows = _candidates(qs, units)
    if not child_ids:
        return []
    # The names themselves, not their stored keys: the scorer also wants to know which form is the
    # given name (``names.given_forms``), and one row per name is fewer than one per key.
    forms: dict[int, list[str]] = {}
    given: dict[int, frozenset[str]] = {}
    sizes: dict[int, int] = {}
    for child_id, kind, full_name in ChildName.objects.filter(AnyOf(F("child_id"), child_ids)).values_list(
        "child_id", "kind", "full_name"
    ):
        prepared = _prepared(full_name)
        have = forms.setdefault(child_id, [])
        have += [f for f in prepared.forms if f not in have]
        given[child_id] = given.get(child_id, frozenset()) | prepared.given
        if kind == NameKind.PRIMARY:
            sizes[child_id] = max(sizes.get(child_id, 0), prepared.size)
    # Scored from the few columns the scorer reads; only the cases kept become objects.
    scored: list[tuple[float, float, int, namematch.Evidence]] = []
    # Children with the very same names score the same: each distinct set of names is scored once.
    name_scores: dict[tuple[tuple[str, ...], int, frozenset[str]], namematch.NameScore] = {}
    unknown = ("unknown", 0.0)  # what ``compare_birth`` says when the query gives no birth
    for pk, child_id, updated, born, precision, age_min, age_max, assessed_on, child_sex, nat in (
        row for c in child_ids for row in case_rows.get(c, ())
    ):
        names_of = (tuple(forms.get(child_id, ())), sizes.get(child_id, 0), given.get(child_id, frozenset()))
        name = name_scores.get(names_of)
        if name is None:
            name = name_scores[names_of] = namematch.score_name(units, list(names_of[0]), *names_of[1:])
        if name.score < MIN_SCORE:
            continue
        ev = namematch.evidence(
            name,
            birth=unknown
            if birth is None
            else namematch.compare_birth(birth, birth_from(born, precision, age_min, age_max, assessed_on)),
            # Only a known sex on both sides is evidence ("unknown" or "other" says nothing here).
            sex=(sex, child_sex if sex and child_sex in (Sex.FEMALE, Sex.MALE) else ""),
            nationality=(nationality, nat if nationality else ""),
        )
        scored.append((-ev.score, -updated.timestamp(), -pk, ev))
    scored.sort(key=lambda t: t[:3])
    return [Hit(-t[2], t[3]) for t in scored[:limit]]


def birth_from(
    date: dt.date | None,
    precision: str,
    age_min: int | None,
    age_max: int | None,
    assessed_on: dt.date | None,
) -> namematch.Birth | None:
    """A child's date of birth (as ``Child`` or ``ChildIn`` hold it) as the scorer compares it."""
    assessed = (age_min, age_max) if age_min is not None and age_max is not None else None
    if assessed is not None and assessed_on is None:
        assessed_on = timezone.localdate()  # (only then: it costs more than the rest)
    return namematch.birth_of(
        date,
        estimated=precision == DatePrecision.ESTIMATED,
        assessed=assessed,
        assessed_on=assessed_on,
    )
