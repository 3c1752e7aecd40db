"""The saved linkage model applied without Splink: one record against a node's records in memory.

``Model`` reads a trained Splink model (its JSON settings: levels, m and u probabilities, term
frequency adjustment, prior) and gives each level's SQL condition a Python twin from ``LEVELS``;
a model holding a condition this module does not know is refused (``UnknownLevel``), so the
caller falls back to Splink rather than score with a different model. ``Index`` holds prepared
rows (``linkprep.prepare``) as a few integer arrays, blocks a new record on the model's equi-join
rules with dictionary look-ups, and scores the candidates per *distinct* left value of each
comparison (names repeat, so a block of 10,000 records holds a few hundred distinct names). The
match weights and probabilities are Splink's own formulas; ``test_linkscore_equals_splink.py``
checks them against Splink's ``predict_between`` pair by pair. Pure: numpy, no Django, no Splink.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Row = Mapping[str, Any]
Predicate = Callable[[Row, Row], bool]

# Splink clamps m and u at this before taking log2 (comparison_level.M_U_CLAMP_MIN).
_CLAMP = 1e-300
_COLUMN = re.compile(r"\b([a-z_]+)_[lr]\b")


def _eq(a: Any, b: Any) -> bool:
    """SQL ``a = b``: NULL on either side is not true."""
    return a is not None and b is not None and a == b


def _contains(items: Sequence[str] | None, value: Any) -> bool:
    """DuckDB ``list_contains(items, value)``."""
    return items is not None and value is not None and value in items


def _common(a: Sequence[str] | None, b: Sequence[str] | None) -> int:
    """DuckDB ``array_length(array_intersect(a, b))`` (distinct common elements; NULL -> 0)."""
    if a is None or b is None:
        return 0
    return len(set(a) & set(b))


def within_one_edit(a: str | None, b: str | None) -> bool:
    """``damerau_levenshtein(a, b) <= 1``: equal, or one insertion, deletion, substitution or
    swap of two adjacent letters."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _given_in_other(a: Row, b: Row) -> bool:
    """``list_contains(unit_phons_r, given_unit_l) OR list_contains(unit_phons_l, given_unit_r)``."""
    return _contains(b["unit_phons"], a["given_unit"]) or _contains(a["unit_phons"], b["given_unit"])


def _others_agreeing(a: Row, b: Row) -> int:
    """How many name units agree beyond the given name (linkage's ``_OTHERS_AGREEING``; only
    reached when both ``unit_phons`` are given, the null level before it says so)."""
    return _common(a["unit_phons"], b["unit_phons"]) - (1 if _given_in_other(a, b) else 0)


def _too_few_units(units: Sequence[str] | None) -> bool:
    """``units IS NULL OR array_length(units) < 2``."""
    return units is None or len(units) < 2


def _overlap(a: Row, b: Row, slack: int) -> bool:
    lo_l, hi_l, lo_r, hi_r = a["birth_low"], a["birth_high"], b["birth_low"], b["birth_high"]
    if None in (lo_l, hi_l, lo_r, hi_r):
        return False
    return bool(lo_l - slack <= hi_r and lo_r - slack <= hi_l)


# The Python twin of every level condition of ``matching/linkage.py``'s COMPARISONS, keyed by its
# SQL (``a`` the held row, ``b`` the new one, SQL's NULL logic kept: a comparison with None is
# never true). A change to a level's SQL must be made here too; the equality test says so.
LEVELS: dict[str, Predicate] = {
    # given name
    "given_skel_l IS NULL OR given_skel_r IS NULL": lambda a, b: (
        a["given_skel"] is None or b["given_skel"] is None
    ),
    "given_skel_l = given_skel_r": lambda a, b: _eq(a["given_skel"], b["given_skel"]),
    "given_phon_l = given_phon_r OR given_orig_l = given_orig_r "
    "OR given_orig_l = given_skel_r OR given_skel_l = given_orig_r": lambda a, b: (
        _eq(a["given_phon"], b["given_phon"])
        or _eq(a["given_orig"], b["given_orig"])
        or _eq(a["given_orig"], b["given_skel"])
        or _eq(a["given_skel"], b["given_orig"])
    ),
    # (v3) both original-script given names given, and different
    "given_orig_l <> given_orig_r": lambda a, b: (
        a["given_orig"] is not None and b["given_orig"] is not None and a["given_orig"] != b["given_orig"]
    ),
    # (v2) the given name among the other's name units, both ways: the names in the other order
    "list_contains(unit_phons_r, given_unit_l) AND list_contains(unit_phons_l, given_unit_r)": lambda a, b: (
        _contains(b["unit_phons"], a["given_unit"]) and _contains(a["unit_phons"], b["given_unit"])
    ),
    "damerau_levenshtein(given_skel_l, given_skel_r) <= 1": lambda a, b: within_one_edit(
        a["given_skel"], b["given_skel"]
    ),
    # (v2) the given name among the other's name units one way, or among its forms
    "(list_contains(unit_phons_r, given_unit_l) OR list_contains(unit_phons_l, given_unit_r)) "
    "OR list_contains(forms_r, given_skel_l) OR list_contains(forms_l, given_skel_r)": lambda a, b: (
        _given_in_other(a, b)
        or _contains(b["forms"], a["given_skel"])
        or _contains(a["forms"], b["given_skel"])
    ),
    "list_contains(forms_r, given_skel_l) OR list_contains(forms_l, given_skel_r)": lambda a, b: (
        _contains(b["forms"], a["given_skel"]) or _contains(a["forms"], b["given_skel"])
    ),
    # other names
    "other_skels_l IS NULL OR other_skels_r IS NULL": lambda a, b: (
        a["other_skels"] is None or b["other_skels"] is None
    ),
    "array_length(array_intersect(other_skels_l, other_skels_r)) >= 2": lambda a, b: (
        _common(a["other_skels"], b["other_skels"]) >= 2
    ),
    "array_length(array_intersect(other_skels_l, other_skels_r)) = 1": lambda a, b: (
        _common(a["other_skels"], b["other_skels"]) == 1
    ),
    "array_length(array_intersect(other_phons_l, other_phons_r)) >= 1": lambda a, b: (
        _common(a["other_phons"], b["other_phons"]) >= 1
    ),
    # (v2) other names order-free: the name units agreeing beyond the given name
    "unit_phons_l IS NULL OR unit_phons_r IS NULL "
    "OR array_length(unit_phons_l) < 2 OR array_length(unit_phons_r) < 2": lambda a, b: (
        _too_few_units(a["unit_phons"]) or _too_few_units(b["unit_phons"])
    ),
    "(array_length(array_intersect(unit_phons_l, unit_phons_r)) - CASE WHEN (list_contains(unit_phons_r, "
    "given_unit_l) OR list_contains(unit_phons_l, given_unit_r)) THEN 1 ELSE 0 END) >= 2": lambda a, b: (
        _others_agreeing(a, b) >= 2
    ),
    "(array_length(array_intersect(unit_phons_l, unit_phons_r)) - CASE WHEN (list_contains(unit_phons_r, "
    "given_unit_l) OR list_contains(unit_phons_l, given_unit_r)) THEN 1 ELSE 0 END) = 1": lambda a, b: (
        _others_agreeing(a, b) == 1
    ),
    "array_length(array_intersect(other_skels_l, other_skels_r)) >= 1": lambda a, b: (
        _common(a["other_skels"], b["other_skels"]) >= 1
    ),
    # birth
    "birth_low_l IS NULL OR birth_low_r IS NULL": lambda a, b: (
        a["birth_low"] is None or b["birth_low"] is None
    ),
    "birth_exact_l = birth_exact_r": lambda a, b: _eq(a["birth_exact"], b["birth_exact"]),
    "birth_exact_l IS NOT NULL AND birth_exact_r IS NOT NULL AND birth_low_l = birth_low_r": lambda a, b: (
        a["birth_exact"] is not None and b["birth_exact"] is not None and _eq(a["birth_low"], b["birth_low"])
    ),
    # (v2) two exact dates years apart
    "birth_exact_l IS NOT NULL AND birth_exact_r IS NOT NULL": lambda a, b: (
        a["birth_exact"] is not None and b["birth_exact"] is not None
    ),
    "birth_low_l <= birth_high_r AND birth_low_r <= birth_high_l": lambda a, b: _overlap(a, b, 0),
    "birth_low_l - 1 <= birth_high_r AND birth_low_r - 1 <= birth_high_l": lambda a, b: _overlap(a, b, 1),
    # sex
    "sex_l IS NULL OR sex_r IS NULL": lambda a, b: a["sex"] is None or b["sex"] is None,
    "sex_l = sex_r": lambda a, b: _eq(a["sex"], b["sex"]),
    # nationality
    "nationality_l IS NULL OR nationality_r IS NULL": lambda a, b: (
        a["nationality"] is None or b["nationality"] is None
    ),
    "nationality_l = nationality_r": lambda a, b: _eq(a["nationality"], b["nationality"]),
    "list_contains(nationality_near_l, nationality_r)": lambda a, b: _contains(
        a["nationality_near"], b["nationality"]
    ),
}

# Blocking rules of the model (``l`` the held record, ``r`` the new one) that ``Index`` evaluates
# with look-ups: a conjunction of equalities between columns.
_EQUALITY = re.compile(r"^\s*l\.([a-z_]+)\s*=\s*r\.([a-z_]+)\s*$")


class UnknownLevel(ValueError):
    """The model holds a level (or a blocking rule) this module has no twin for."""


@dataclass(frozen=True)
class Level:
    label: str
    predicate: Predicate | None  # None: ELSE
    weight: float  # log2(m / u); 0 for the null level
    is_null: bool
    tf_column: str | None
    tf_weight: float
    tf_u: float  # u of the exact-match level the tf adjustment is measured against


@dataclass(frozen=True)
class Comparison:
    name: str
    columns: tuple[str, ...]  # the prepared columns its levels read
    levels: tuple[Level, ...]

    def level_of(self, a: Row, b: Row) -> int:
        for i, level in enumerate(self.levels):
            if level.predicate is None or level.predicate(a, b):
                return i
        return len(self.levels) - 1  # pragma: no cover - every comparison ends with ELSE


def _mw(level: Mapping[str, Any]) -> float:
    return math.log2(max(float(level["m_probability"]), _CLAMP) / max(float(level["u_probability"]), _CLAMP))


class Model:
    """A trained Splink model (its JSON settings) as Python: levels, weights, prior, blocking."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.prior = float(settings["probability_two_random_records_match"])
        comparisons = []
        for comparison in settings["comparisons"]:
            levels = []
            raw_levels = comparison["comparison_levels"]
            for raw in raw_levels:
                sql = " ".join(str(raw["sql_condition"]).split())
                if sql == "ELSE":
                    predicate = None
                elif sql in LEVELS:
                    predicate = LEVELS[sql]
                else:
                    raise UnknownLevel(f"no Python twin for the level {sql!r}")
                is_null = bool(raw.get("is_null_level"))
                tf_column = raw.get("tf_adjustment_column")
                tf_u = 0.0
                if tf_column:
                    exact = f"{tf_column}_l = {tf_column}_r"
                    matches = [lv for lv in raw_levels if " ".join(lv["sql_condition"].split()) == exact]
                    if not matches:
                        raise UnknownLevel(f"no exact-match level for the tf column {tf_column}")
                    tf_u = float(matches[0]["u_probability"])
                    if raw.get("tf_minimum_u_value"):
                        raise UnknownLevel("tf_minimum_u_value is not supported")
                levels.append(
                    Level(
                        label=str(raw.get("label_for_charts", "")),
                        predicate=predicate,
                        weight=0.0 if is_null else _mw(raw),
                        is_null=is_null,
                        tf_column=str(tf_column) if tf_column else None,
                        tf_weight=float(raw.get("tf_adjustment_weight", 1.0)),
                        tf_u=tf_u,
                    )
                )
            columns = sorted({c for raw in raw_levels for c in _COLUMN.findall(str(raw["sql_condition"]))})
            comparisons.append(
                Comparison(str(comparison["output_column_name"]), tuple(columns), tuple(levels))
            )
        self.comparisons = tuple(comparisons)
        self.blocking: list[list[tuple[str, str]]] = []
        for rule in settings.get("blocking_rules_to_generate_predictions", []):
            text = rule if isinstance(rule, str) else rule["blocking_rule"]
            parts = []
            for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE):
                found = _EQUALITY.match(part)
                if not found:
                    raise UnknownLevel(f"blocking rule {text!r} is not a conjunction of equalities")
                parts.append((found.group(1), found.group(2)))
            self.blocking.append(parts)
        tf_columns = {lv.tf_column for c in self.comparisons for lv in c.levels if lv.tf_column}
        self.tf_columns = tuple(sorted(tf_columns))

    def score_pair(
        self, a: Row, b: Row, tf: Mapping[str, Mapping[Any, float]] | None = None, prior: float | None = None
    ) -> tuple[float, float, dict[str, str]]:
        """(match weight, probability, level label per comparison) of one pair, as Splink's predict."""
        total = 0.0
        reasons: dict[str, str] = {}
        for comparison in self.comparisons:
            i = comparison.level_of(a, b)
            level = comparison.levels[i]
            total += level.weight + _tf_adjustment(level, a, b, tf or {})
            reasons[comparison.name] = "unknown" if level.is_null else level.label
        mw = prior_weight(self.prior if prior is None else prior) + total
        return mw, probability(mw), reasons


def _tf_adjustment(level: Level, a: Row, b: Row, tf: Mapping[str, Mapping[Any, float]]) -> float:
    if not level.tf_column or level.is_null or level.tf_weight == 0:
        return 0.0
    table = tf.get(level.tf_column, {})
    tl, tr = table.get(a[level.tf_column]), table.get(b[level.tf_column])
    if tl is None and tr is None:
        return 0.0
    # Splink: greatest(coalesce(tf_l, tf_r), coalesce(tf_r, tf_l), tf_minimum_u_value = 0).
    value = max(v for v in (tl, tr) if v is not None)
    return level.tf_weight * (math.log2(level.tf_u) - math.log2(value))


def prior_weight(prior: float) -> float:
    return math.log2(prior / (1 - prior))


def probability(mw: float) -> float:
    """Splink's match probability of a match weight (the stable form for either sign)."""
    if mw >= 0:
        return float(1.0 / (1.0 + 2.0 ** (-mw)))
    return float(2.0**mw / (1.0 + 2.0**mw))


@dataclass(frozen=True)
class Hit:
    """A new record scored against a held one: each comparison's level as the reason."""

    held_id: str
    probability: float
    match_weight: float
    reasons: dict[str, str]


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Index:
    """Prepared rows held in memory for scoring one new record at a time.

    Rows are added (or replaced, by ``unique_id``) and removed incrementally; each comparison's
    distinct left values are interned once, so a query scores each distinct value once. Term
    frequencies are those of the held rows when there are at least ``tf_min_rows`` of them (a
    population), else ``fallback_tf`` (a few retrieved candidates say nothing about frequency).
    """

    def __init__(
        self,
        model: Model,
        rows: Iterable[Row] = (),
        *,
        prior: float | None = None,
        fallback_tf: Mapping[str, Mapping[Any, float]] | None = None,
        tf_min_rows: int = 1000,
    ) -> None:
        self.model = model
        self.prior = prior
        self._fallback_tf = {k: dict(v) for k, v in (fallback_tf or {}).items()}
        self._tf_min_rows = tf_min_rows
        self._ids: list[str] = []
        self._rows: list[Row | None] = []
        self._pos: dict[str, int] = {}
        self._values: list[list[tuple[Any, ...]]] = [[] for _ in model.comparisons]
        self._intern: list[dict[tuple[Any, ...], int]] = [{} for _ in model.comparisons]
        # Per held row, each comparison's interned value and whether the row is still held:
        # arrays grown by doubling, so that adding a row never rebuilds them.
        self._sig = np.zeros((len(model.comparisons), 1024), dtype=np.int64)
        self._alive = np.zeros(1024, dtype=bool)
        self._tf_counts: dict[str, dict[Any, int]] = {c: {} for c in model.tf_columns}
        self._tf: dict[str, dict[Any, float]] | None = None
        # Blocking keys: for each rule, the held rows by the tuple of their left-hand columns.
        self._blocks: list[dict[tuple[Any, ...], list[int]]] = [{} for _ in model.blocking]
        self.add(rows)

    def __len__(self) -> int:
        return len(self._pos)

    def add(self, rows: Iterable[Row]) -> None:
        """Hold ``rows`` (replacing any held row with the same ``unique_id``)."""
        for row in rows:
            rid = str(row["unique_id"])
            if rid in self._pos:
                self.remove([rid])
            pos = len(self._ids)
            self._pos[rid] = pos
            self._ids.append(rid)
            self._rows.append(row)
            if pos >= len(self._alive):
                self._sig = np.concatenate([self._sig, np.zeros_like(self._sig)], axis=1)
                self._alive = np.concatenate([self._alive, np.zeros_like(self._alive)])
            self._alive[pos] = True
            for c, comparison in enumerate(self.model.comparisons):
                value = tuple(_frozen(row[col]) for col in comparison.columns)
                sig = self._intern[c].get(value)
                if sig is None:
                    sig = self._intern[c][value] = len(self._values[c])
                    self._values[c].append(value)
                self._sig[c, pos] = sig
            for column, counts in self._tf_counts.items():
                if row[column] is not None:
                    counts[row[column]] = counts.get(row[column], 0) + 1
            for b, rule in enumerate(self.model.blocking):
                key = tuple(row[left] for left, _right in rule)
                if None not in key:
                    self._blocks[b].setdefault(key, []).append(pos)
        self._changed()

    def remove(self, ids: Iterable[str]) -> None:
        """Stop holding the rows with these ids (unknown ids are ignored)."""
        for rid in ids:
            pos = self._pos.pop(str(rid), None)
            if pos is None:
                continue
            row = self._rows[pos]
            assert row is not None
            self._alive[pos] = False
            self._rows[pos] = None
            for column, counts in self._tf_counts.items():
                if row[column] is not None:
                    counts[row[column]] -= 1
        self._changed()

    def _changed(self) -> None:
        self._tf = None

    def term_frequencies(self) -> dict[str, dict[Any, float]]:
        """Each tf column's value -> its share of the held rows having a value (Splink's lookup)."""
        if len(self) < self._tf_min_rows:
            return self._fallback_tf
        if self._tf is None:
            self._tf = {}
            for column, counts in self._tf_counts.items():
                total = sum(counts.values()) or 1
                self._tf[column] = {k: v / total for k, v in counts.items() if v > 0}
        return self._tf

    def candidates(self, new: Row) -> npt.NDArray[np.int64]:
        """Positions of the held rows a blocking rule pairs with ``new``."""
        found: list[list[int]] = []
        for b, rule in enumerate(self.model.blocking):
            key = tuple(new[right] for _left, right in rule)
            if None not in key:
                hit = self._blocks[b].get(key)
                if hit:
                    found.append(hit)
        if not found:
            return np.zeros(0, dtype=np.int64)
        positions = np.unique(np.concatenate([np.asarray(f, dtype=np.int64) for f in found]))
        kept: npt.NDArray[np.int64] = positions[self._alive[positions]]
        return kept

    def score(self, new: Row, *, threshold: float = 0.0) -> list[Hit]:
        """``new`` against the held rows it is blocked with: the pairs whose probability is at or
        above ``threshold``, best first (ties by held id)."""
        positions = self.candidates(new)
        if not len(positions):
            return []
        sigs = self._sig
        tf = self.term_frequencies()
        prior = self.model.prior if self.prior is None else self.prior
        total = np.full(len(positions), prior_weight(prior), dtype=np.float64)
        levels: list[npt.NDArray[np.int64]] = []
        for c, comparison in enumerate(self.model.comparisons):
            uniq, inverse = np.unique(sigs[c][positions], return_inverse=True)
            level_idx = np.empty(len(uniq), dtype=np.int64)
            weight = np.empty(len(uniq), dtype=np.float64)
            for j, sig in enumerate(uniq.tolist()):
                held = dict(zip(comparison.columns, self._values[c][sig], strict=True))
                i = comparison.level_of(held, new)
                level = comparison.levels[i]
                level_idx[j] = i
                weight[j] = level.weight + _tf_adjustment(level, held, new, tf)
            levels.append(level_idx[inverse])
            total += weight[inverse]
        # The threshold on the weight, as Splink applies it.
        keep = np.nonzero(total >= (prior_weight(threshold) if 0 < threshold < 1 else -np.inf))[0]
        if threshold >= 1:
            keep = np.nonzero(total >= np.inf)[0]
        hits = []
        for k in keep.tolist():
            mw = float(total[k])
            reasons = {}
            for c, comparison in enumerate(self.model.comparisons):
                level = comparison.levels[int(levels[c][k])]
                reasons[comparison.name] = "unknown" if level.is_null else level.label
            hits.append(Hit(self._ids[int(positions[k])], probability(mw), mw, reasons))
        hits.sort(key=lambda h: (-h.probability, h.held_id))
        return hits
