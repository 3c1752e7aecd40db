"""The saved linkage model: it loads without training, links a small labelled set as expected,
keeps links one-to-one (siblings sharing a patronymic are never chained), explains its scores, and
DuckDB never fetches an extension."""

from __future__ import annotations

import json
import math

import pytest

from waymark.core import linkprep, names, synthetic
from waymark.matching import linkage


def _prep(rid: str, **fields: object) -> dict[str, object]:
    return linkprep.prepare(linkprep.LinkRecord(rid, **fields))  # type: ignore[arg-type]


LEFT = [
    _prep(
        "L1",
        name_original_script="محمد حسين",
        sex="M",
        birth_date="2009",
        birth_date_estimated=True,
        nationality="SY",
    ),
    _prep(
        "L2", given_names="Yonas", family_names="Tesfay", sex="M", birth_date="2011-03-14", nationality="ER"
    ),
    _prep(
        "L3",
        given_names="Khalid",
        family_names="Al-Khatib",
        sex="M",
        birth_date="2012-06-02",
        nationality="SY",
    ),
]
RIGHT = [
    _prep(
        "R1",
        given_names="Mohamed",
        family_names="Hossein",
        sex="M",
        birth_date="2008-01-01",
        nationality="SY",
    ),
    # Yonas's sister: the same patronymic, a near date of birth — never his match.
    _prep(
        "R2", given_names="Senait", family_names="Tesfay", sex="F", birth_date="2012-09-01", nationality="ER"
    ),
    _prep(
        "R3", given_names="Yonas", family_names="Tesfai", sex="M", birth_date="2011-03-14", nationality="ET"
    ),
    _prep(
        "R4", given_names="Halid", family_names="Alkhatib", sex="M", birth_date="2012-06-02", nationality="SY"
    ),
    _prep(
        "R5", given_names="Tekle", family_names="Berhane", sex="M", birth_date="2005-02-02", nationality="ER"
    ),
]


def test_the_saved_model_loads_and_is_trained():
    model = linkage.load_model()
    levels = [
        lv for c in model["comparisons"] for lv in c["comparison_levels"] if not lv.get("is_null_level")
    ]
    assert all("m_probability" in lv and "u_probability" in lv for lv in levels)
    tf = [lv for lv in levels if lv.get("tf_adjustment_column")]
    # The given name's frequency adjusts its agreement and (v3) the names written in the other order.
    assert [(lv["label_for_charts"], lv["tf_adjustment_column"]) for lv in tf] == [
        ("same skeleton", "given_skel"),
        ("names in the other order", "given_skel"),
    ]


def test_the_model_links_a_small_labelled_set_as_expected():
    pairs = linkage.link(LEFT, RIGHT)
    assert {(a, b) for a, b, _p in pairs} == {("L1", "R1"), ("L2", "R3"), ("L3", "R4")}
    assert [p for _a, _b, p in pairs] == sorted((p for _a, _b, p in pairs), reverse=True)


def test_a_sister_is_never_linked_in_her_brothers_place():
    scored = linkage.predict(LEFT, RIGHT, threshold=0.0)
    brother = next(p for a, b, p in scored if (a, b) == ("L2", "R3"))
    sister = [p for a, b, p in scored if (a, b) == ("L2", "R2")]
    assert not sister or sister[0] < 0.05 < brother


def test_one_to_one_keeps_each_record_in_one_pair_best_first():
    pairs = [("A", "X", 0.9), ("A", "Y", 0.8), ("B", "X", 0.85), ("B", "Y", 0.7), ("C", "Y", 0.95)]
    assert linkage.one_to_one(pairs) == [("C", "Y", 0.95), ("A", "X", 0.9)]


def test_one_to_one_on_the_synthetic_set_never_links_siblings_nor_a_record_twice():
    data = synthetic.generate(150, seed=3)
    left = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.left]
    right = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.right]
    pairs = linkage.link(left, right)
    assert len({a for a, _b, _p in pairs}) == len({b for _a, b, _p in pairs}) == len(pairs)
    # Since the generator has twins (the same date of birth, every name but their own) and cousins,
    # the model links a few of them (1 of 67 family pairs here, 2 of 901 at 2,000 children, seed 7):
    # a known limit, documented in docs/matching.md; brothers and sisters are not chained.
    linked_siblings = {(a, b) for a, b, _p in pairs} & data.sibling_pairs()
    assert len(linked_siblings) <= 0.02 * len(data.sibling_pairs())
    found = {(a, b) for a, b, _p in pairs} & data.true_pairs()
    assert len(found) >= 0.4 * len(data.true_pairs())


def test_new_records_are_scored_against_existing_ones_with_reasons():
    (best, *_rest) = linkage.score_against([RIGHT[0]], LEFT)
    assert (best.existing_id, best.new_id) == ("L1", "R1")
    assert best.reasons["given_name"] == "same skeleton"
    assert best.reasons["birth"] == "ranges overlap"


def test_duckdb_never_installs_or_loads_an_extension_by_itself():
    con = linkage.connect()
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions')"
        ).fetchall()
    )
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_the_same_model_translates_to_sparks_sql_for_a_national_hub():
    from splink import SettingsCreator

    settings = SettingsCreator.from_path_or_dict(linkage.for_spark()).get_settings("spark")
    sql = " ".join(lv.sql_condition for c in settings.comparisons for lv in c.comparison_levels)
    assert "ARRAY_CONTAINS(forms_r, given_skel_l)" in sql
    assert "SIZE(ARRAY_INTERSECT(unit_phons_l, unit_phons_r)) - CASE WHEN" in sql  # order-free (v2)
    assert "SIZE(ARRAY_INTERSECT(other_skels_l, other_skels_r)) >= 1" in sql
    assert "list_contains" not in sql and "array_length" not in sql
    trained = [lv for c in settings.comparisons for lv in c.comparison_levels if not lv.is_null_level]
    assert all(lv.m_probability and lv.u_probability for lv in trained)


def test_finding_a_model_of_another_names_version_is_refused(tmp_path):
    # The model's term frequencies are of given-name skeletons: after a NAMES_VERSION bump (v4:
    # Djamal is 'gml', no longer 'dgml') a model of the old skeletons must be retrained.
    saved = json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8"))
    assert saved["waymark"]["names_version"] == names.NAMES_VERSION
    saved["waymark"]["names_version"] = names.NAMES_VERSION - 1
    stale = tmp_path / "model.json"
    stale.write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(ValueError, match="train_linkage_model"):
        linkage.load_model(stale)


_ERITREAN = {"sex": "M", "birth_date": "2013", "birth_date_estimated": True, "nationality": "ER"}


def test_finding_two_children_with_their_names_swapped_are_told_apart_by_the_original_script():
    # Mehari son of Tesfay and Tesfay son of Mehari: the Latin fields of either could be a clerk's
    # swap, but each child wrote the name in its original script given name first (v3).
    mehari = _prep(
        "L", given_names="Mehari", family_names="Tesfay", name_original_script="መሓሪ ተስፋይ", **_ERITREAN
    )
    tesfay = _prep(
        "R", given_names="Tesfai", family_names="Mehary", name_original_script="ተስፋይ መሓሪ", **_ERITREAN
    )
    [scored] = linkage.score_against([tesfay], [mehari], threshold=0.0)
    assert scored.reasons["given_name"] == "another original-script given name"
    assert scored.probability < linkage.THRESHOLD
    # Without the original script a swap is still a swap.
    latin = [{**r, "given_orig": None, "original_script": None} for r in (mehari, tesfay)]
    [swapped] = linkage.score_against([latin[1]], [latin[0]], threshold=0.0)
    assert swapped.reasons["given_name"] == "names in the other order"
    assert swapped.probability >= linkage.THRESHOLD


def test_comparison_weights_are_the_pairs_predict_scores_each_with_what_each_comparison_gave():
    scored = {(a, b): p for a, b, p in linkage.predict(LEFT, RIGHT, threshold=0.0)}
    weighed = linkage.comparison_weights(LEFT, RIGHT, threshold=0.0)
    assert {(w["unique_id_l"], w["unique_id_r"]): w["match_probability"] for w in weighed} == pytest.approx(
        scored
    )
    model = linkage.load_model()
    names_ = sorted(f"mw_{c['output_column_name']}" for c in model["comparisons"])
    prior = linkage.prior_for(len(LEFT), len(RIGHT))
    for w in weighed:
        parts = sorted(k for k in w if k.startswith("mw_") and not k.startswith("mw_tf_adj_"))
        assert parts == names_
        # The match weight is the prior's log-odds plus every comparison's (and its frequency's) weight.
        total = sum(v for k, v in w.items() if k.startswith("mw_"))
        assert w["match_weight"] == pytest.approx(total + math.log2(prior / (1 - prior)), abs=1e-6)
