"""The in-memory scorer (``core.linkscore`` behind ``linkage.Index``) gives, pair by pair, the
blocked pairs, match weights, probabilities and reasons Splink's ``predict_between`` gives with the
same saved model — against a population (term frequencies from the held records) and against a
few retrieved candidates (term frequencies saved with the model) — and stays equal after records
are added, replaced and removed."""

from __future__ import annotations

import pytest

from waymark.core import linkprep, linkscore, synthetic
from waymark.matching import linkage


def _prepared(n: int, seed: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    data = synthetic.generate(n, seed=seed)
    left = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.left]
    right = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.right]
    return left, right


def _by_pair(scored: list[linkage.Scored]) -> dict[tuple[str, str], linkage.Scored]:
    return {(s.existing_id, s.new_id): s for s in scored}


def _assert_same(fast: list[linkage.Scored], splink: list[linkage.Scored]) -> None:
    mine, theirs = _by_pair(fast), _by_pair(splink)
    assert set(mine) == set(theirs)
    for pair, ref in theirs.items():
        got = mine[pair]
        assert got.match_weight == pytest.approx(ref.match_weight, abs=1e-9), pair
        assert got.probability == pytest.approx(ref.probability, abs=1e-12, rel=1e-9), pair
        assert got.reasons == ref.reasons, pair


@pytest.fixture(scope="module")
def population() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return _prepared(1200, seed=21)


def test_scores_against_a_population_equal_splinks_predict_between(population):
    held, new = population
    assert len(held) >= linkage.TF_MIN_RECORDS  # term frequencies come from the held records
    fast, ref = linkage.Index(held), linkage.SplinkIndex(held)
    try:
        compared = 0
        for rec in new[:80]:
            expected = ref.score([rec], threshold=0.0001)
            _assert_same(fast.score([rec], threshold=0.0001), expected)
            compared += len(expected)
    finally:
        ref.close()
    # common names: many blocked pairs per record, not a handful (about 8 a record on the
    # generator with hundreds of names per origin)
    assert compared > 500


def test_scores_against_a_few_candidates_use_the_saved_term_frequencies_as_splink_does(population):
    held, new = population
    few = held[:120]
    fast, ref = linkage.Index(few), linkage.SplinkIndex(few)
    try:
        for rec in new[:40]:
            _assert_same(fast.score([rec], threshold=0.0001), ref.score([rec], threshold=0.0001))
    finally:
        ref.close()


def test_the_threshold_keeps_the_same_pairs_as_splinks(population):
    held, new = population
    fast, ref = linkage.Index(held), linkage.SplinkIndex(held)
    try:
        for rec in new[:30]:
            expected = ref.score([rec], threshold=0.2)
            _assert_same(fast.score([rec], threshold=0.2), expected)
    finally:
        ref.close()


def test_an_index_refreshed_incrementally_scores_as_one_built_afresh(population):
    held, new = population
    index = linkage.Index(held[:1100])
    index.add(held[1100:])
    changed = {**held[5], "birth_low": 2001, "birth_high": 2001, "birth_exact": None}
    index.add([changed])  # the same unique_id: replaces the held row
    index.remove([str(held[7]["unique_id"])])
    now = [changed if r["unique_id"] == changed["unique_id"] else r for r in held if r is not held[7]]
    assert len(index) == len(now)
    ref = linkage.SplinkIndex(now)
    try:
        for rec in new[:25]:
            _assert_same(index.score([rec], threshold=0.0001), ref.score([rec], threshold=0.0001))
    finally:
        ref.close()


def test_the_hand_built_pairs_score_as_in_splink():
    from waymark.matching.tests.test_linkage_model import LEFT, RIGHT

    ref = linkage.SplinkIndex(LEFT)
    try:
        for rec in RIGHT:
            _assert_same(
                linkage.Index(LEFT).score([rec], threshold=0.0001), ref.score([rec], threshold=0.0001)
            )
    finally:
        ref.close()


def test_a_model_with_a_level_it_does_not_know_is_refused_and_splink_scores_it():
    model = linkage.load_model()
    model["comparisons"][3]["comparison_levels"][1]["sql_condition"] = "lower(sex_l) = lower(sex_r)"
    with pytest.raises(linkscore.UnknownLevel):
        linkscore.Model(model)
    from waymark.matching.tests.test_linkage_model import LEFT, RIGHT

    (best, *_rest) = linkage.score_against([RIGHT[0]], LEFT, model=model)
    assert (best.existing_id, best.new_id) == ("L1", "R1")


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("mhmd", "mhmd", True),
        ("mhmd", "mhmt", True),
        ("mhmd", "hmd", True),
        ("mhmd", "mhdm", True),  # two adjacent letters swapped
        ("mhmd", "hmmd", True),
        ("mhmd", "mdmh", False),
        ("mhmd", "mhmdd", True),
        ("mhmd", "mh", False),
        ("tkl", "tk", True),
        ("", "a", True),
        ("ab", "ba", True),
        ("abc", "cab", False),
    ],
)
def test_one_edit_is_duckdbs_damerau_levenshtein_within_one(a, b, near):
    con = linkage.connect()
    assert (con.execute("SELECT damerau_levenshtein(?, ?) <= 1", [a, b]).fetchone() or [None])[0] is near
    assert linkscore.within_one_edit(a, b) is near


def test_every_level_of_the_saved_model_and_of_the_comparisons_has_a_python_twin():
    # The v2 model (names in the other order, other names order-free, exact dates years apart)
    # is scored in memory, not by the Splink fallback.
    model = linkscore.Model(linkage.load_model())
    assert [c.name for c in model.comparisons] == [c["output_column_name"] for c in linkage.COMPARISONS]
    for comparison in linkage.COMPARISONS:
        for level in comparison["comparison_levels"]:
            sql = " ".join(level["sql_condition"].split())
            assert sql == "ELSE" or sql in linkscore.LEVELS, sql


def test_each_python_level_is_true_exactly_when_duckdb_finds_its_condition_true():
    left, right = _prepared(60, seed=5)
    # Names in the other order, a record with no names beyond the given one, no dates: NULLs.
    swapped = linkprep.prepare(
        linkprep.LinkRecord("S1", given_names="Mujaqqab", family_names="Al-Mubzisi", birth_date="2012-03-04")
    )
    back = linkprep.prepare(
        linkprep.LinkRecord("S2", given_names="Elmubzisi", family_names="Mujaqqab", birth_date="2014-05-06")
    )
    bare = linkprep.prepare(linkprep.LinkRecord("S3", given_names="Tekle"))
    left, right = [*left[:40], swapped, bare], [*right[:40], back, bare]
    con = linkage.connect(1)
    con.register("l_rows", linkage.table(left, "left"))
    con.register("r_rows", linkage.table(right, "right"))
    checked = 0
    for sql, predicate in linkscore.LEVELS.items():
        condition = linkage._sides(sql)
        found = con.sql(
            f"SELECT a.unique_id, b.unique_id, coalesce(({condition}), FALSE) FROM l_rows a, r_rows b"  # noqa: S608
        ).fetchall()
        by_id_l = {r["unique_id"]: r for r in left}
        by_id_r = {r["unique_id"]: r for r in right}
        for a, b, truth in found:
            assert predicate(by_id_l[a], by_id_r[b]) is truth, (sql, a, b)
        checked += sum(1 for *_ids, truth in found if truth)
    assert checked > 1000
