"""Scoring one child's record against a search or another record: pure, explainable.

``score_name`` aligns the units of a query (``names.query_units``) with a record's name forms
(``names.name_forms``) in any order and says, per unit, which form agreed and how (same skeleton,
same sound, one edit, prefix). ``compare_birth`` compares dates of birth as year ranges — an
estimated date or an assigned 1 January is never taken as an exact date. ``same_nationality``
knows the confusions files commonly make (Eritrean written as Ethiopian…). ``evidence`` combines
them into one ranking score with the reasons a person reads. No decision is made here: the score
only orders candidates for a person to review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import names

MATCH_VERSION = 1


@dataclass(frozen=True)
class Agreement:
    query: str  # the query's skeleton
    form: str  # the record's form it met
    how: str  # "same", "sound", "one edit", "prefix"
    weight: float


@dataclass(frozen=True)
class NameScore:
    score: float  # in [0, 1]: how much of the query the record's names account for
    agreements: tuple[Agreement, ...]


def _unit_weight(unit: list[str]) -> float:
    # Longer skeletons carry more evidence than 'l' (Ali) or 'mr' (Omar).
    return min(max(len(unit[0]), 1), 5) / 5


def score_name(
    units: list[list[str]], forms: list[str], size: int = 0, given: frozenset[str] = frozenset()
) -> NameScore:
    """How well ``forms`` (a record's name forms) account for ``units`` (a query's). Each record
    form serves one unit at most, in any order. ``size``: how many name units the record has; when
    given, a tenth of the score is the share of them the query accounts for (a tie-breaker).
    ``given``: the record's given-name forms (``names.given_forms``); when given, a query whose
    first name agrees with the record's first name scores a little higher than one where it meets
    a father's or family name (a sibling shares those, not the given name)."""
    if not units or not forms:
        return NameScore(0.0, ())
    candidates: list[tuple[float, int, int, str, str]] = []
    for ui, unit in enumerate(units):
        for fi, form in enumerate(forms):
            best, how, alt_best = 0.0, "", ""
            for alt in unit:
                sim, why = names.skeleton_similarity(alt, form)
                if sim > best:
                    best, how, alt_best = sim, why, alt
            if best > 0:
                candidates.append((best, ui, fi, how, alt_best))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_u: set[int] = set()
    used_f: set[int] = set()
    agreements: list[tuple[int, Agreement]] = []
    total = sum(_unit_weight(u) for u in units)
    got = 0.0
    for sim, ui, fi, how, alt in candidates:
        if ui in used_u or fi in used_f:
            continue
        used_u.add(ui)
        used_f.add(fi)
        got += sim * _unit_weight(units[ui])
        agreements.append((ui, Agreement(alt, forms[fi], how, sim)))
    agreements.sort(key=lambda pair: pair[0])
    score = got / total
    if size:
        score = 0.9 * score + 0.1 * min(len(agreements) / size, 1.0)
    if given:
        first = next((a for ui, a in agreements if ui == 0), None)
        score = 0.9 * score + (0.1 if first is not None and first.form in given else 0.0)
    return NameScore(score, tuple(a for _ui, a in agreements))


@dataclass(frozen=True)
class Birth:
    """A date of birth as a range of possible years, and the exact date when it is one."""

    low: int
    high: int
    exact: dt.date | None = None


def birth_of(
    date: dt.date | None,
    *,
    estimated: bool = False,
    assessed: tuple[int, int] | None = None,
    assessed_on: dt.date | None = None,
) -> Birth | None:
    """A date of birth as Waymark compares it. An age assessment (``assessed`` years on
    ``assessed_on``) is a range of years; a 1 January date is an assigned default — a year, give or
    take one; an ``estimated`` date is a year, give or take one."""
    if assessed is not None and assessed_on is not None:
        return Birth(assessed_on.year - assessed[1] - 1, assessed_on.year - assessed[0])
    if date is None:
        return None
    if estimated or (date.month, date.day) == (1, 1):
        return Birth(date.year - 1, date.year + 1)
    return Birth(date.year, date.year, date)


def compare_birth(a: Birth | None, b: Birth | None) -> tuple[str, float]:
    """(verdict, weight): 'same date' 1.0, 'ranges overlap' 0.6, 'one year apart' 0.2,
    'unknown' 0.0, 'differ' -1.0."""
    if a is None or b is None:
        return "unknown", 0.0
    if a.exact is not None and b.exact is not None:
        if a.exact == b.exact:
            return "same date", 1.0
        # Day and month swapped (03/04 read as 4 March) or the same year: still plausible.
        if a.exact.year == b.exact.year:
            return "same year", 0.6
    if a.low <= b.high and b.low <= a.high:
        return "ranges overlap", 0.6
    if a.low - 1 <= b.high and b.low - 1 <= a.high:
        return "one year apart", 0.2
    return "differ", -1.0


# Nationalities files commonly write for one another (by country code, ISO 3166 alpha-2).
_CONFUSED = (
    frozenset({"ER", "ET"}),
    frozenset({"SD", "SS", "TD"}),
    frozenset({"AF", "PK", "IR"}),
    frozenset({"SY", "IQ", "LB", "PS", "JO"}),
    frozenset({"SO", "ET", "KE", "DJ"}),
    frozenset({"MA", "DZ", "TN", "LY"}),
    frozenset({"GN", "SN", "ML", "CI"}),
)
# The same groups, for encodings that must place a nationality in its group (core/pprl.py).
CONFUSED_NATIONALITIES = _CONFUSED


def confused_with(code: str) -> frozenset[str]:
    """The nationalities files commonly write for ``code`` (alpha-2), ``code`` itself excluded."""
    code = code.upper()
    return frozenset(c for group in _CONFUSED if code in group for c in group) - {code}


def same_nationality(a: str, b: str) -> tuple[str, float]:
    """(verdict, weight): 'same' 0.3, 'often confused' 0.1, 'unknown' 0, 'differ' -0.3."""
    a, b = a.upper(), b.upper()
    if not a or not b:
        return "unknown", 0.0
    if a == b:
        return "same", 0.3
    if any(a in group and b in group for group in _CONFUSED):
        return "often confused", 0.1
    return "differ", -0.3


@dataclass(frozen=True)
class Evidence:
    score: float
    name: NameScore
    birth: str
    sex: str
    nationality: str


def evidence(
    name: NameScore,
    *,
    birth: tuple[str, float] = ("unknown", 0.0),
    sex: tuple[str, str] = ("", ""),
    nationality: tuple[str, str] = ("", ""),
) -> Evidence:
    """One ranking score: the name counts most; dates, sex and nationality move it a little."""
    sex_verdict, sex_weight = "unknown", 0.0
    if sex[0] and sex[1]:
        sex_verdict, sex_weight = ("same", 0.1) if sex[0] == sex[1] else ("differ", -0.4)
    nat_verdict, nat_weight = same_nationality(*nationality)
    score = name.score + 0.25 * birth[1] + sex_weight + 0.3 * nat_weight
    return Evidence(round(score, 4), name, birth[0], sex_verdict, nat_verdict)
