"""Clear-text linkage inside a node: a Splink 5 model on DuckDB over ``core.linkprep`` rows.

The model is trained once without labels (``train``: u by random sampling, m by EM with
``max_pairs``) on the fictional synthetic set and saved as ``MODEL_PATH`` (``python manage.py
train_linkage_model``); nothing is trained at request time. It compares the given name (the
child's own: same skeleton with term-frequency adjustment, same sound, one edit, found among the
other's names), the other names (the patronymic or family name, which siblings share), the date of
birth as ranges of years, sex and nationality (with the confusions files make). ``link`` scores two
datasets and keeps one-to-one links, best first, so that siblings sharing a patronymic are never
chained; ``score_against`` scores a few new records against a node's (``predict_between``). Nothing
here decides: the pairs are proposals for a person.

DuckDB runs in memory with extension auto-install and auto-load off: nothing is downloaded.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import math
import multiprocessing
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waymark.core import linkprep, linkscore, names

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

# DuckDB and pyarrow (about 47 MiB) are imported by the functions that use them: the web and
# dispatcher processes import this module for ``score_against`` (the in-memory ``Index``, which
# needs neither) and should not carry them. A test checks what start-up loads.

MODEL_PATH = Path(__file__).parent / "data" / "linkage_model.json"
# Default probability above which a pair is kept (the batch command's --threshold).
THRESHOLD = 0.2
# The trained prior is for the training set's size; ``link`` rescales it to the datasets at hand
# (about one true pair per record of the smaller side among all cross pairs).
EXPECTED_MATCH_SHARE = 0.8


@functools.cache
def _schema() -> pa.Schema:
    """The columns of a prepared table (``linkprep.prepare``) as Arrow types."""
    import pyarrow as pa

    return pa.schema(
        [
            ("unique_id", pa.string()),
            ("source_dataset", pa.string()),
            ("given_skel", pa.string()),
            ("given_phon", pa.string()),
            ("given_orig", pa.string()),
            ("last_phon", pa.string()),
            ("given_initial", pa.string()),
            ("other_skels", pa.list_(pa.string())),
            ("other_phons", pa.list_(pa.string())),
            ("first_other", pa.string()),
            ("forms", pa.list_(pa.string())),
            ("name_latin", pa.string()),
            ("original_script", pa.string()),
            ("birth_low", pa.int32()),
            ("birth_high", pa.int32()),
            ("birth_exact", pa.string()),
            ("sex", pa.string()),
            ("nationality", pa.string()),
            ("nationality_near", pa.list_(pa.string())),
            ("given_unit", pa.string()),
            ("unit_phons", pa.list_(pa.string())),
        ]
    )


# Blocking: the pairs worth scoring. Equi-joins only (DuckDB hashes them): the given name's sound,
# its original-script skeleton, a given name written as the last name and back (order swaps), and
# the last name's sound with the given name's initial (a typo inside the given name), and the same
# exact date of birth (a given name spelt from another language: Yonas / Jonas).
BLOCKING_RULES = [
    "l.given_phon = r.given_phon",
    "l.given_orig = r.given_orig",
    "l.given_phon = r.last_phon",
    "l.last_phon = r.given_phon",
    "l.last_phon = r.last_phon and l.given_initial = r.given_initial",
    "l.birth_exact = r.birth_exact",
]


# Blocking for batches: BLOCKING_RULES alone would score every pair of children with the same
# common given name (10 % of a caseload can be Mohammed: 10,000 x 10,000 pairs at 100,000 records).
# A batch scores only pairs agreeing on the given name and one more thing: another name (any of
# them: the arrays are unnested), the names in swapped order, a bound of the birth range, the
# original script, or the last name and initial with a birth bound; the same exact date; and (v2) any
# two name units in common, in any order (``unit_phons``: a swap with a typo in one name); and a rare
# given name alone with birth ranges a year apart or closer (a father's name dropped on one side,
# another added on the other): rare means at most 400 pairs for that name, so the cost is bounded
# by the number of distinct names, not by the size of the files. And (v3) another name in common
# with a given name one letter longer or shorter, or equal to the other's original-script given
# name (``near_given``: a record's own keys, its skeleton and original-script skeleton, against the
# other's one-deletion keys, and across scripts): cross-script batches missed one true pair in
# fifteen at 2,000 a side, one in ten at 100,000, without it (Woafazi / ዎራፋዚ / Wurafazi, Jonas /
# ዮናስ / Yonas). Deletion against deletion (a substituted letter) would find 0.8 % more true pairs
# but joins every pair of namesakes once per letter: twice the blocking time at 100,000.
# Each arm keeps only the pairs whose best possible score reaches the threshold (``{bound}``, see
# ``_reachable_sql``; the unit-pair and rare-name arms join their ids back to the tf tables to
# apply it): nothing that could be kept is dropped, and Splink scores a fraction of the pairs. An
# arm skips the pairs an arm above already yields (the same given-name sound, the same lower birth
# bound), so fewer raw pairs are bounded and deduplicated; the union is the same.
# The tables are the two registered inputs with their given-name term frequency
# (``predict``); the SQL is built from the saved model's conditions and numbers, never from data.
BATCH_BLOCKING_SQL = """
WITH le AS (
    SELECT *, unnest(coalesce(other_phons, [NULL::VARCHAR])) AS op FROM left_tf
), re AS (
    SELECT *, unnest(coalesce(other_phons, [NULL::VARCHAR])) AS op FROM right_tf
), lu AS (
    SELECT unique_id, unnest(unit_phons) AS u FROM left_tf
), ru AS (
    SELECT unique_id, unnest(unit_phons) AS u FROM right_tf
), lpair AS (
    SELECT a.unique_id, a.u || '|' || b.u AS k FROM lu a JOIN lu b ON a.unique_id = b.unique_id AND a.u < b.u
), rpair AS (
    SELECT a.unique_id, a.u || '|' || b.u AS k FROM ru a JOIN ru b ON a.unique_id = b.unique_id AND a.u < b.u
), unit_pairs AS (
    SELECT DISTINCT lpair.unique_id AS l, rpair.unique_id AS r FROM lpair JOIN rpair ON lpair.k = rpair.k
), ls AS (
    SELECT unique_id, given_phon, op, unnest({own_keys}) AS k FROM le WHERE op IS NOT NULL
), rs AS (
    SELECT unique_id, given_phon, op, unnest({own_keys}) AS k FROM re WHERE op IS NOT NULL
), ld AS (
    SELECT unique_id, given_phon, op, unnest({deletion_keys}) AS k FROM le WHERE op IS NOT NULL
), rd AS (
    SELECT unique_id, given_phon, op, unnest({deletion_keys}) AS k FROM re WHERE op IS NOT NULL
), near_given AS (
    SELECT DISTINCT l, r FROM (
        SELECT a.unique_id AS l, b.unique_id AS r, a.given_phon AS lp, b.given_phon AS rp
            FROM ls a JOIN rd b ON a.k = b.k AND a.op = b.op
        UNION ALL SELECT a.unique_id, b.unique_id, a.given_phon, b.given_phon
            FROM ld a JOIN rs b ON a.k = b.k AND a.op = b.op
        UNION ALL SELECT a.unique_id, b.unique_id, a.given_phon, b.given_phon
            FROM le a JOIN re b ON a.given_orig = b.given_skel AND a.op = b.op
            WHERE a.given_orig <> a.given_skel
        UNION ALL SELECT a.unique_id, b.unique_id, a.given_phon, b.given_phon
            FROM le a JOIN re b ON a.given_skel = b.given_orig AND a.op = b.op
            WHERE b.given_orig <> b.given_skel
    ) WHERE lp IS DISTINCT FROM rp
), gl AS (
    SELECT given_phon, count(*) AS n FROM left_tf WHERE given_phon IS NOT NULL GROUP BY given_phon
), gr AS (
    SELECT given_phon, count(*) AS n FROM right_tf WHERE given_phon IS NOT NULL GROUP BY given_phon
), rare AS (
    SELECT gl.given_phon FROM gl JOIN gr ON gl.given_phon = gr.given_phon WHERE gl.n * gr.n <= 400
), pairs AS (
    SELECT a.unique_id AS l, b.unique_id AS r FROM le a JOIN re b
        ON a.given_phon = b.given_phon AND a.op = b.op WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM le a JOIN re b
        ON a.given_phon = b.op AND a.op = b.given_phon WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM le a JOIN re b
        ON a.given_orig = b.given_orig AND a.op = b.op
        WHERE a.given_phon IS DISTINCT FROM b.given_phon AND {bound}
    UNION SELECT a.unique_id, b.unique_id FROM left_tf a JOIN right_tf b
        ON a.given_phon = b.given_phon AND a.birth_low = b.birth_low WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM left_tf a JOIN right_tf b
        ON a.given_phon = b.given_phon AND a.birth_high = b.birth_high
        WHERE a.birth_low <> b.birth_low AND {bound}
    UNION SELECT a.unique_id, b.unique_id FROM left_tf a JOIN right_tf b
        ON a.last_phon = b.last_phon AND a.given_initial = b.given_initial AND a.birth_low = b.birth_low
        WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM left_tf a JOIN right_tf b
        ON a.birth_exact = b.birth_exact WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM unit_pairs p
        JOIN left_tf a ON a.unique_id = p.l JOIN right_tf b ON b.unique_id = p.r WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM near_given p
        JOIN left_tf a ON a.unique_id = p.l JOIN right_tf b ON b.unique_id = p.r WHERE {bound}
    UNION SELECT a.unique_id, b.unique_id FROM left_tf a JOIN rare ON a.given_phon = rare.given_phon
        JOIN right_tf b ON b.given_phon = a.given_phon
        WHERE a.birth_low - 1 <= b.birth_high AND b.birth_low - 1 <= a.birth_high
        AND a.birth_low <> b.birth_low AND a.birth_high <> b.birth_high AND {bound}
)
SELECT 0 AS match_key, 'left-__-' || l AS join_key_l, 'right-__-' || r AS join_key_r FROM pairs
"""
# The given name's keys for the near-given-name arm (v3 of the batch blocking): its own (the
# skeleton, and the original-script skeleton when it differs) and each with one letter removed when
# it has three or more (the symmetric-deletion neighbourhood, one side only).
_DELETIONS = (
    "CASE WHEN length({c}) >= 3 THEN [{c}[1:i] || {c}[i + 2:] FOR i IN range(0, length({c}))] ELSE [] END"
)
OWN_KEYS_SQL = "list_distinct(list_filter([given_skel, given_orig], lambda k: k IS NOT NULL))"
DELETION_KEYS_SQL = (
    f"list_distinct(flatten([{_DELETIONS.format(c='given_skel')}, {_DELETIONS.format(c='given_orig')}]))"
)
# The inputs with the given name's term frequency, computed as Splink does (over both datasets).
_TF_SQL = (
    "CREATE TEMP TABLE tf_given AS SELECT given_skel, count(*)::DOUBLE / "
    "(SELECT count(given_skel) FROM (SELECT given_skel FROM left_records UNION ALL "
    "SELECT given_skel FROM right_records)) AS tf_given_skel FROM (SELECT given_skel FROM "
    "left_records UNION ALL SELECT given_skel FROM right_records) WHERE given_skel IS NOT NULL "
    "GROUP BY given_skel",
    "CREATE TEMP TABLE left_tf AS SELECT * FROM left_records LEFT JOIN tf_given USING (given_skel)",
    "CREATE TEMP TABLE right_tf AS SELECT * FROM right_records LEFT JOIN tf_given USING (given_skel)",
)


def batch_blocking_sql(bound: str = "TRUE") -> str:
    """The batch blocking (``BATCH_BLOCKING_SQL``) keeping the pairs that meet ``bound``."""
    return BATCH_BLOCKING_SQL.format(bound=bound, own_keys=OWN_KEYS_SQL, deletion_keys=DELETION_KEYS_SQL)


# Rounding slack (bits) of the bound against Splink's own arithmetic: keeps a pair a hair below.
_BOUND_SLACK = 0.01
_SIDE = re.compile(r"\b([a-z][a-z_]*)_([lr])\b")


def _sides(sql: str) -> str:
    """A level's condition (``given_skel_l = given_skel_r``) over the pair ``a`` / ``b``."""
    return _SIDE.sub(lambda m: f"{'a' if m.group(2) == 'l' else 'b'}.{m.group(1)}", sql)


def _weight(level: dict[str, Any]) -> float:
    if level.get("is_null_level"):
        return 0.0
    return math.log2(max(float(level["m_probability"]), 1e-300) / max(float(level["u_probability"]), 1e-300))


# Functions too costly to run on every raw blocked pair: from the first level using one, a
# comparison counts at its best remaining level.
_COSTLY = ("array_intersect", "damerau_levenshtein", "levenshtein", "jaro")


def _reachable_sql(model: dict[str, Any], threshold: float) -> str:
    """A condition on a blocked pair ``a`` / ``b``: its match weight can reach ``threshold``.

    Each comparison's levels are tried in order as Splink does, with its weights (the given name's
    with its term-frequency adjustment), up to the first level that needs a costly function; from
    there the comparison counts at its best remaining level. So the bound is never below the
    pair's score, and it is cheap: equalities and a few integer comparisons. Sex or nationality
    that differ weigh about -40 bits in the saved model, a different date of birth or other names
    several: most raw blocked pairs cannot reach the threshold and are dropped before Splink."""
    if not 0 < threshold < 1:
        return "TRUE"
    prior = float(model["probability_two_random_records_match"])
    terms = [repr(math.log2(prior / (1 - prior)))]
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        if any(
            not lv.get("is_null_level")
            and (lv.get("m_probability") is None or lv.get("u_probability") is None)
            for lv in levels
        ):
            return "TRUE"  # a level training never saw (no m or u): no bound
        cases = []
        for i, lv in enumerate(levels):
            condition = str(lv["sql_condition"])
            if any(f in condition for f in _COSTLY):
                rest = levels[i:]
                if any(x.get("tf_adjustment_column") and not x.get("is_null_level") for x in rest):
                    return "TRUE"  # no bound for a frequency-adjusted level past a costly one
                cases.append(f"ELSE {max(_weight(x) for x in rest)!r}")
                break
            weight = repr(_weight(lv))
            column = lv.get("tf_adjustment_column")
            if column and not lv.get("is_null_level"):
                if column != "given_skel":
                    return "TRUE"  # only the given name's frequency is joined (``_TF_SQL``)
                exact = next(x for x in levels if x["sql_condition"] == f"{column}_l = {column}_r")
                tf_a, tf_b = f"a.tf_{column}", f"b.tf_{column}"
                greatest = f"greatest(coalesce({tf_a}, {tf_b}), coalesce({tf_b}, {tf_a}))"
                adjust = (
                    f"coalesce({float(lv.get('tf_adjustment_weight', 1.0))!r} * "
                    f"({math.log2(float(exact['u_probability']))!r} - log2({greatest})), 0)"
                )
                weight = f"{weight} + {adjust}"
            if condition == "ELSE":
                cases.append(f"ELSE {weight}")
            else:
                cases.append(f"WHEN {_sides(condition)} THEN {weight}")
        terms.append(f"(CASE {' '.join(cases)} END)")
    target = math.log2(threshold / (1 - threshold)) - _BOUND_SLACK
    return f"({' + '.join(terms)}) >= {target!r}"


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _null(sql: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": "unknown", "is_null_level": True}


def _else() -> dict[str, Any]:
    return {"sql_condition": "ELSE", "label_for_charts": "differ"}


# Agreement on the given name anywhere in the other record (names written in another order), and
# how many of the other names agree beyond it, order-free (v2 of the prepared columns).
_GIVEN_IN_OTHER = "(list_contains(unit_phons_r, given_unit_l) OR list_contains(unit_phons_l, given_unit_r))"
_OTHERS_AGREEING = (
    "(array_length(array_intersect(unit_phons_l, unit_phons_r)) - "
    f"CASE WHEN {_GIVEN_IN_OTHER} THEN 1 ELSE 0 END)"
)

COMPARISONS: list[dict[str, Any]] = [
    {
        "output_column_name": "given_name",
        "comparison_description": "the child's own given name, as consonant skeletons, in any order",
        "comparison_levels": [
            _null("given_skel_l IS NULL OR given_skel_r IS NULL"),
            _level(
                "given_skel_l = given_skel_r",
                "same skeleton",
                tf_adjustment_column="given_skel",
                tf_adjustment_weight=1.0,
            ),
            _level(
                "given_phon_l = given_phon_r OR given_orig_l = given_orig_r "
                "OR given_orig_l = given_skel_r OR given_skel_l = given_orig_r",
                "same sound",
            ),
            # Both records give the child's name in its original script and its first names differ:
            # the Latin fields may be in another order, the original script is written as the
            # child gives it, so the names are not the same child's (v3).
            _level("given_orig_l <> given_orig_r", "another original-script given name"),
            # Term-frequency adjusted (v3): two children called Mohammed son of Omar and Omar son of
            # Mohammed are common; Jelos and Sokhaaco written in either order are not.
            _level(
                "list_contains(unit_phons_r, given_unit_l) AND list_contains(unit_phons_l, given_unit_r)",
                "names in the other order",
                tf_adjustment_column="given_skel",
                tf_adjustment_weight=1.0,
            ),
            _level("damerau_levenshtein(given_skel_l, given_skel_r) <= 1", "one edit"),
            _level(
                f"{_GIVEN_IN_OTHER} OR list_contains(forms_r, given_skel_l) OR list_contains(forms_l, given_skel_r)",
                "among the other's names",
            ),
            _else(),
        ],
    },
    {
        "output_column_name": "other_names",
        "comparison_description": (
            "patronymic, grandfather's or family names (siblings share them), order-free: how many "
            "name units agree beyond the given name"
        ),
        "comparison_levels": [
            _null(
                "unit_phons_l IS NULL OR unit_phons_r IS NULL "
                "OR array_length(unit_phons_l) < 2 OR array_length(unit_phons_r) < 2"
            ),
            _level(f"{_OTHERS_AGREEING} >= 2", "two or more the same"),
            _level(f"{_OTHERS_AGREEING} = 1", "one the same"),
            _level("array_length(array_intersect(other_skels_l, other_skels_r)) >= 1", "one form the same"),
            _else(),
        ],
    },
    {
        "output_column_name": "birth",
        "comparison_description": "dates of birth as ranges of years (estimated dates never exact)",
        "comparison_levels": [
            _null("birth_low_l IS NULL OR birth_low_r IS NULL"),
            _level("birth_exact_l = birth_exact_r", "same date"),
            _level(
                "birth_exact_l IS NOT NULL AND birth_exact_r IS NOT NULL AND birth_low_l = birth_low_r",
                "same year, another day",
            ),
            # Two exact dates years apart: not an assigned or assessed date off by a year (v2).
            _level("birth_exact_l IS NOT NULL AND birth_exact_r IS NOT NULL", "exact dates years apart"),
            _level("birth_low_l <= birth_high_r AND birth_low_r <= birth_high_l", "ranges overlap"),
            _level("birth_low_l - 1 <= birth_high_r AND birth_low_r - 1 <= birth_high_l", "one year apart"),
            _else(),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_description": "sex, F or M",
        "comparison_levels": [
            _null("sex_l IS NULL OR sex_r IS NULL"),
            _level("sex_l = sex_r", "same"),
            _else(),
        ],
    },
    {
        "output_column_name": "nationality",
        "comparison_description": "nationality, with the confusions files commonly make",
        "comparison_levels": [
            _null("nationality_l IS NULL OR nationality_r IS NULL"),
            _level("nationality_l = nationality_r", "same"),
            _level("list_contains(nationality_near_l, nationality_r)", "often confused"),
            _else(),
        ],
    },
]


@dataclass(frozen=True)
class Scored:
    """A new record scored against an existing one, with each comparison's level as the reason."""

    existing_id: str
    new_id: str
    probability: float
    match_weight: float
    reasons: dict[str, str]


def settings(probability_two_random_records_match: float = 1e-4) -> dict[str, Any]:
    """The untrained model: comparisons, blocking, link type."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "source_dataset_column_name": "source_dataset",
        "probability_two_random_records_match": probability_two_random_records_match,
        "comparisons": COMPARISONS,
        "blocking_rules_to_generate_predictions": BLOCKING_RULES,
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
        "additional_columns_to_retain": [],
    }


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that never installs or loads an extension by itself."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def table(rows: Iterable[dict[str, Any]], source: str) -> pa.Table:
    """Prepared rows (``linkprep.prepare``) as an Arrow table of one source dataset."""
    import pyarrow as pa

    rows = rows if isinstance(rows, list) else list(rows)
    # Column by column: several times faster than ``Table.from_pylist`` on 100,000 rows.
    columns = [
        pa.array([source] * len(rows), type=f.type)
        if f.name == "source_dataset"
        else pa.array([r.get(f.name) for r in rows], type=f.type)
        for f in _schema()
    ]
    return pa.Table.from_arrays(columns, schema=_schema())


# Records per slice a forked worker prepares (below two slices, no worker is started).
PREPARE_SLICE = 5_000
_TO_PREPARE: Sequence[linkprep.LinkRecord] = ()


def _prepare_slice(bounds: tuple[int, int, str]) -> pa.Table:
    start, end, source = bounds
    return table([linkprep.prepare(rec) for rec in _TO_PREPARE[start:end]], source)


def prepared_table(
    records: Sequence[linkprep.LinkRecord],
    source: str,
    *,
    processes: int = 1,
    progress: Callable[[int], None] | None = None,
) -> pa.Table:
    """``records`` prepared (``linkprep.prepare``) as one Arrow table, in ``processes`` forked
    workers over slices when there are many (each worker caches its own names; Arrow tables travel
    back as buffers, not as 100,000 dictionaries). ``progress`` is told the records done."""
    import pyarrow as pa

    global _TO_PREPARE
    step = PREPARE_SLICE
    bounds = [(i, min(i + step, len(records)), source) for i in range(0, len(records), step)]
    if processes <= 1 or len(records) < 2 * step or "fork" not in multiprocessing.get_all_start_methods():
        tables = []
        for start, end, _source in bounds:
            tables.append(table([linkprep.prepare(rec) for rec in records[start:end]], source))
            if progress:
                progress(end)
    else:
        _TO_PREPARE = records  # read by the forked workers, never sent to them
        try:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                tables, done = [], 0
                for part in pool.imap(_prepare_slice, bounds):
                    tables.append(part)
                    done += part.num_rows
                    if progress:
                        progress(done)
        finally:
            _TO_PREPARE = ()
    return pa.concat_tables(tables) if tables else table([], source)


def _quiet() -> None:
    logging.getLogger("splink").setLevel(logging.WARNING)


def _linker(con: duckdb.DuckDBPyConnection, left: pa.Table, right: pa.Table, model: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    _quiet()
    db = DuckDBAPI(connection=con)
    sdf_l = db.register(left, table_name="left_records")
    sdf_r = db.register(right, table_name="right_records")
    return Linker([sdf_l, sdf_r], model, log_level=None)


def prior_for(n_left: int, n_right: int) -> float:
    """The probability that two random records (one from each side) are the same child."""
    if not n_left or not n_right:
        return 1e-6
    return min(0.5, EXPECTED_MATCH_SHARE * min(n_left, n_right) / (n_left * n_right))


# The date of birth is estimated on pairs whose given and last names sound alike (v2: the initial
# alone let namesakes of common family names in and pulled the date's m towards "differ").
SECOND_EM_BLOCK = "l.given_phon = r.given_phon and l.last_phon = r.last_phon"


def train(
    left: Sequence[dict[str, Any]], right: Sequence[dict[str, Any]], *, seed: int = 12
) -> dict[str, Any]:
    """Train the model without labels: u by random sampling, m by EM on two blockings (each
    leaves out the comparisons it blocks on). Returns the model as Splink's JSON settings."""
    con = connect()
    model = settings(prior_for(len(left), len(right)))
    linker = _linker(con, table(left, "left"), table(right, "right"), model)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    # m by EM in two steps. Frequent names make "the same names" a poor sign of the same child
    # (many children are Mohammed Ahmadi), so an EM over name blocks settles on the wrong classes.
    # First the names, sex and nationality, on pairs with the same exact date of birth (dense in
    # true pairs); then the date of birth with those fixed as anchors, on pairs whose names begin
    # and end alike.
    linker.training.estimate_parameters_using_expectation_maximisation(
        "l.birth_exact = r.birth_exact", max_pairs=2e6, record_sample_proportion=0.25
    )
    anchored = linker.misc.save_model_to_json()
    for comparison in anchored["comparisons"]:
        if comparison["output_column_name"] != "birth":
            for level in comparison["comparison_levels"]:
                if not level.get("is_null_level"):
                    level["fix_m_probability"] = True
    con.close()
    con = connect()
    linker = _linker(con, table(left, "left"), table(right, "right"), anchored)
    linker.training.estimate_parameters_using_expectation_maximisation(
        SECOND_EM_BLOCK,
        max_pairs=2e6,
        record_sample_proportion=0.25,
    )
    trained: dict[str, Any] = linker.misc.save_model_to_json()
    trained["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    trained.pop("linker_uid", None)
    con.close()
    return trained


TF_MIN_RECORDS = 1000


def saved_term_frequencies(path: Path = MODEL_PATH) -> dict[str, float]:
    """Given-name skeleton frequencies of the training set, saved with the model."""
    about = json.loads(path.read_text(encoding="utf-8")).get("waymark", {})
    return {str(k): float(v) for k, v in about.get("tf_given_skel", {}).items()}


def term_frequencies(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """How often each given-name skeleton occurs among ``rows`` (the share of rows that have one)."""
    counts: dict[str, int] = {}
    for row in rows:
        if row.get("given_skel"):
            counts[row["given_skel"]] = counts.get(row["given_skel"], 0) + 1
    total = sum(counts.values()) or 1
    return {k: round(v / total, 6) for k, v in sorted(counts.items())}


def load_model(path: Path = MODEL_PATH) -> dict[str, Any]:
    """The trained model (Splink settings), read from the repository; the ``waymark`` key (what it
    was trained on, the preparation versions) is checked and left out."""
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    about = model.pop("waymark", {})
    if about and about.get("linkprep_version") != linkprep.LINKPREP_VERSION:
        raise ValueError(
            f"{path} was trained on prepared records of version {about.get('linkprep_version')}, "
            f"this node prepares version {linkprep.LINKPREP_VERSION}: run train_linkage_model"
        )
    if about and about.get("names_version") != names.NAMES_VERSION:
        # Its term frequencies are of given-name skeletons, which another NAMES_VERSION spells
        # differently.
        raise ValueError(
            f"{path} was trained on names of version {about.get('names_version')}, "
            f"this node prepares version {names.NAMES_VERSION}: run train_linkage_model"
        )
    return model


def for_spark(model: dict[str, Any] | None = None) -> dict[str, Any]:
    """The saved model for Splink's Spark backend (a national hub): its levels and blocking rules
    are DuckDB SQL, marked so, and Splink translates them (sqlglot) when it builds the settings."""
    out = copy.deepcopy(model if model is not None else load_model())
    out.pop("sql_dialect", None)
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"] != "ELSE":
                level["base_dialect_str"] = "duckdb"
    out["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule if isinstance(rule, str) else rule["blocking_rule"], "sql_dialect": "duckdb"}
        for rule in out["blocking_rules_to_generate_predictions"]
    ]
    return out


def predict(
    left: Sequence[dict[str, Any]] | pa.Table,
    right: Sequence[dict[str, Any]] | pa.Table,
    *,
    model: dict[str, Any] | None = None,
    threshold: float = THRESHOLD,
    threads: int | None = None,
) -> list[tuple[str, str, float]]:
    """Every blocked pair scored at or above ``threshold``: (left id, right id, probability).
    ``left`` and ``right`` are prepared rows or their ``table``."""
    if not len(left) or not len(right):
        return []
    con = connect(threads)
    scored = _scored(con, left, right, model, threshold)
    # Sorted here, in DuckDB's threads, as ``one_to_one`` orders them (ids compare by code point
    # in both): its sort then runs over sorted input, in linear time.
    rel = (
        scored.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, match_probability")
        .order("match_probability DESC, unique_id_l, unique_id_r")
    )
    out = [(str(a), str(b), float(p)) for a, b, p in rel.fetchall()]
    con.close()
    return out


def _scored(
    con: duckdb.DuckDBPyConnection,
    left: Sequence[dict[str, Any]] | pa.Table,
    right: Sequence[dict[str, Any]] | pa.Table,
    model: dict[str, Any] | None,
    threshold: float,
    *,
    weights: bool = False,
) -> Any:
    """Splink's scored pairs (a Splink data frame on ``con``): the batch blocking, bounded by the
    threshold, then the model. ``weights``: keep each comparison's match weight (``mw_<name>``)."""
    import pyarrow as pa

    settings_ = dict(model if model is not None else load_model())
    settings_["probability_two_random_records_match"] = prior_for(len(left), len(right))
    settings_["retain_intermediate_calculation_columns"] = weights
    left_t = left if isinstance(left, pa.Table) else table(left, "left")
    right_t = right if isinstance(right, pa.Table) else table(right, "right")
    linker = _linker(con, left_t, right_t, settings_)
    # The given name's term frequency as Splink computes it (over both inputs), for the bound.
    for statement in _TF_SQL:
        con.execute(statement)
    blocked = con.sql(batch_blocking_sql(_reachable_sql(settings_, threshold)))
    blocked.to_table("waymark_blocked")
    linker.table_management.register_blocked_pairs_for_predict(linker._db_api.register("waymark_blocked"))
    return linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")


def comparison_weights(
    left: Sequence[dict[str, Any]],
    right: Sequence[dict[str, Any]],
    *,
    model: dict[str, Any] | None = None,
    threshold: float = THRESHOLD,
) -> list[dict[str, Any]]:
    """Every blocked pair scored at or above ``threshold`` with the match weight each comparison
    gave it (``mw_given_name``, ``mw_birth``…): what an evaluation or an explanation reads."""
    if not left or not right:
        return []
    con = connect()
    scored = _scored(con, left, right, model, threshold, weights=True)
    frame = scored.as_duckdbpyrelation().to_arrow_table()
    keep = ("unique_id_l", "unique_id_r", "match_weight", "match_probability")
    out: list[dict[str, Any]] = frame.select(
        [c for c in frame.column_names if c.startswith("mw_") or c in keep]
    ).to_pylist()
    con.close()
    return out


def one_to_one(pairs: Iterable[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Each record in at most one pair: the best-scored first (ties by ids, so the result does not
    depend on the order given). A child is one person; siblings are never chained through them."""
    used_l: set[str] = set()
    used_r: set[str] = set()
    out: list[tuple[str, str, float]] = []
    for a, b, p in sorted(pairs, key=lambda t: (-t[2], t[0], t[1])):
        if a in used_l or b in used_r:
            continue
        used_l.add(a)
        used_r.add(b)
        out.append((a, b, p))
    return out


def link(
    left: Sequence[dict[str, Any]] | pa.Table,
    right: Sequence[dict[str, Any]] | pa.Table,
    *,
    model: dict[str, Any] | None = None,
    threshold: float = THRESHOLD,
    threads: int | None = None,
) -> list[tuple[str, str, float]]:
    """One-to-one links between two prepared datasets, best first."""
    return one_to_one(predict(left, right, model=model, threshold=threshold, threads=threads))


class SplinkIndex:
    """A node's records held in DuckDB, scored by Splink's ``predict_between`` (the trained
    blocking, term frequencies from these records). The reference ``Index`` is checked against,
    and the fallback when the model holds a level ``core.linkscore`` has no twin for."""

    def __init__(self, existing: Sequence[dict[str, Any]], *, model: dict[str, Any] | None = None) -> None:
        import pyarrow as pa
        from splink import DuckDBAPI, Linker

        _quiet()
        self._settings = dict(model if model is not None else load_model())
        # One new record against the node: about one true pair among len(existing) cross pairs.
        self._settings["probability_two_random_records_match"] = prior_for(1, max(len(existing), 1000))
        self._settings["retain_intermediate_calculation_columns"] = True
        self._con = connect(1)
        self._db = DuckDBAPI(connection=self._con)
        self._existing = self._db.register(table(existing, "left"), table_name="existing_records")
        self._linker = Linker([self._existing], self._settings, log_level=None, validate_settings=False)
        # Term frequencies of given names: from the held records when they are a population, else
        # (a few retrieved candidates, all alike) from the training set saved with the model.
        if len(existing) >= TF_MIN_RECORDS:
            tf = self._con.sql(
                "SELECT given_skel, count(*)::double / sum(count(*)) OVER () AS tf_given_skel "
                "FROM existing_records WHERE given_skel IS NOT NULL GROUP BY given_skel"
            ).to_arrow_table()
        else:
            saved = saved_term_frequencies()
            tf = pa.Table.from_pylist(
                [{"given_skel": k, "tf_given_skel": v} for k, v in saved.items()],
                schema=pa.schema([("given_skel", pa.string()), ("tf_given_skel", pa.float64())]),
            )
        self._linker.table_management.register_term_frequency_lookup(
            self._db.register(tf, table_name="tf_given"), "given_skel"
        )
        self._calls = 0

    def score(self, new: Sequence[dict[str, Any]], *, threshold: float = 0.05) -> list[Scored]:
        """``new`` records scored against the held ones, best first, with the reasons."""
        if not new:
            return []
        self._calls += 1
        name = f"new_records_{self._calls}"
        nw = self._db.register(table(new, "right"), table_name=name)
        scored = self._linker.inference.predict_between(
            self._existing, nw, threshold_match_probability=threshold, warning_mode="never"
        )
        rows: list[dict[str, Any]] = scored.as_record_list()
        scored.drop_table_from_database_and_remove_from_cache()
        nw.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        out = [
            Scored(
                existing_id=str(row["unique_id_l"]),
                new_id=str(row["unique_id_r"]),
                probability=float(row["match_probability"]),
                match_weight=float(row["match_weight"]),
                reasons=reasons_of(row, self._settings),
            )
            for row in rows
        ]
        out.sort(key=lambda r: (-r.probability, r.existing_id, r.new_id))
        return out

    def close(self) -> None:
        self._con.close()


@functools.lru_cache(maxsize=4)
def _python_model(path: Path) -> linkscore.Model:
    return linkscore.Model(load_model(path))


class Index:
    """A node's records held in memory (``core.linkscore.Index``) to score new records against
    at once with the saved model's own weights: blocking by look-ups, no SQL job per record. Same
    scores as ``SplinkIndex`` (tested pair by pair). ``add`` / ``remove`` refresh it when cases
    change; term frequencies of given names come from the held records when they are a population
    (``TF_MIN_RECORDS``), else from the training set saved with the model."""

    def __init__(
        self, existing: Iterable[dict[str, Any]] = (), *, model: dict[str, Any] | None = None
    ) -> None:
        self._model = _python_model(MODEL_PATH) if model is None else linkscore.Model(model)
        self._index = linkscore.Index(
            self._model,
            fallback_tf={"given_skel": saved_term_frequencies()},
            tf_min_rows=TF_MIN_RECORDS,
        )
        self.add(existing)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """Hold these prepared rows (a row with a held ``unique_id`` replaces it)."""
        self._index.add(rows)
        self._index.prior = prior_for(1, max(len(self._index), 1000))

    def remove(self, ids: Iterable[str]) -> None:
        self._index.remove(ids)
        self._index.prior = prior_for(1, max(len(self._index), 1000))

    def score(self, new: Sequence[dict[str, Any]], *, threshold: float = 0.05) -> list[Scored]:
        """``new`` records scored against the held ones, best first, with the reasons."""
        out = [
            Scored(
                existing_id=hit.held_id,
                new_id=str(rec["unique_id"]),
                probability=hit.probability,
                match_weight=hit.match_weight,
                reasons=hit.reasons,
            )
            for rec in new
            for hit in self._index.score(rec, threshold=threshold)
        ]
        out.sort(key=lambda r: (-r.probability, r.existing_id, r.new_id))
        return out

    def close(self) -> None:
        """Nothing to release (kept so that either index is used the same way)."""


def score_against(
    new: Sequence[dict[str, Any]],
    existing: Sequence[dict[str, Any]],
    *,
    model: dict[str, Any] | None = None,
    threshold: float = 0.05,
) -> list[Scored]:
    """New records scored against ``existing`` (usually the candidates retrieval found), best
    first, each with the probability, the match weight and each comparison's level."""
    if not new or not existing:
        return []
    try:
        index: Index | SplinkIndex = Index(existing, model=model)
    except linkscore.UnknownLevel:
        index = SplinkIndex(existing, model=model)
    try:
        return index.score(new, threshold=threshold)
    finally:
        index.close()


def reasons_of(row: dict[str, Any], model: dict[str, Any]) -> dict[str, str]:
    """Each comparison's level as people read it ('given_name': 'same sound', …). Splink 5 keeps
    each comparison's match weight (``mw_<name>``); the level is the one with that weight."""
    out: dict[str, str] = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        weight = row.get(f"mw_{name}")
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if weight is None or not levels:
            out[name] = "unknown"
            continue
        best, label = math.inf, "unknown"
        for lv in levels:
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if not m or not u:
                continue
            gap = abs(math.log2(m / u) - float(weight))
            if gap < best:
                best, label = gap, str(lv.get("label_for_charts", ""))
        # A weight of 0 that no level has is the null level: one side has no value.
        out[name] = label if best < 1e-6 else "unknown"
    return out


def progress_bar(total: int, write: Callable[[str], Any], label: str = "") -> Callable[[int], None]:
    """A text progress bar: call it with the number done; it redraws on ``write`` (stderr)."""
    width = 30
    last = [-1]

    def update(done: int) -> None:
        pct = 100 if not total else int(100 * done / total)
        if pct == last[0]:
            return
        last[0] = pct
        filled = math.floor(width * pct / 100)
        write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {pct:3d}% ({done}/{total})")

    return update
