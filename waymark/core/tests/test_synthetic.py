"""The labelled cross-border generator: deterministic, labelled, with the traps it promises."""

from waymark.core import synthetic
from waymark.core.names import script_of


def test_it_is_deterministic_for_a_seed():
    assert synthetic.generate(200, seed=3) == synthetic.generate(200, seed=3)
    assert synthetic.generate(200, seed=3) != synthetic.generate(200, seed=4)


def test_it_has_true_pairs_siblings_and_the_variation_it_promises():
    ds = synthetic.generate(600, seed=5)
    pairs = ds.true_pairs()
    assert 0.7 * 600 < len(pairs) < 0.9 * 600
    assert ds.sibling_pairs()  # true non-matches sharing a patronymic
    right = {r.record_id: r for r in ds.right}
    left = {r.record_id: r for r in ds.left}
    scripts = {script_of(r.name_original_script) for r in ds.right}
    assert {"arabic", "ethiopic"} <= scripts
    assert any(r.birth_date_estimated and r.assessed_age for r in ds.right)
    assert any(r.birth_date.endswith("-01-01") for r in ds.right)
    differing = [(left[a], right[b]) for a, b in pairs if left[a].full_name != right[b].full_name]
    assert len(differing) > 0.7 * len(pairs)  # the other country spells most children differently
    assert any(a.nationality != b.nationality for a, b in ((left[x], right[y]) for x, y in pairs))


def test_names_are_many_and_skewed_like_a_caseload():
    from collections import Counter

    from waymark.core.names import skeleton

    ds = synthetic.generate(2000, seed=12)
    given = Counter(skeleton(r.given_names.replace(" ", "")) for r in ds.left)
    # Hundreds of distinct given names, a few of them common (Mohammed), most of them rare.
    assert len(given) > 500
    (_common, top), *_ = given.most_common(1)
    assert 0.02 < top / len(ds.left) < 0.15
    assert sum(1 for n in given.values() if n == 1) > 250


def test_families_have_twins_and_cousins_as_true_non_matches():
    ds = synthetic.generate(2000, seed=12)
    by_id = {r.record_id: r for r in (*ds.left, *ds.right)}
    pairs = [(by_id[a], by_id[b]) for a, b in ds.sibling_pairs()]
    twins = [
        (a, b) for a, b in pairs if a.birth_date and a.birth_date == b.birth_date and len(a.birth_date) == 10
    ]
    assert twins  # the same exact date of birth, another child
    assert all(a.entity != b.entity for a, b in pairs)


def test_the_invented_name_inventories_are_fixed_and_fictional_in_number():
    from waymark.core import synthnames

    assert synthnames.tail("arab", "male") == synthnames.tail("arab", "male")
    for origin, kind in (("arab", "male"), ("afghan", "family"), ("habesha", "male"), ("somali", "female")):
        names = synthnames.tail(origin, kind)
        assert len(names) >= 200
        assert all(len(spellings) >= 1 for _written, spellings in names)


def test_a_variation_set_to_zero_never_happens_and_the_defaults_are_the_benchmarks_set():
    assert synthetic.generate(300, seed=5) == synthetic.generate(300, seed=5, variation=synthetic.Variation())
    plain = synthetic.Variation(
        nationality_confused=0.0, sex_missing=0.0, exact_date=1.0, original_script=0.0
    )
    data = synthetic.generate(300, seed=5, variation=plain)
    records = [*data.left, *data.right]
    assert all(r.sex in ("F", "M") for r in records)
    assert all(r.nationality in {"SY", "SD", "AF", "ER", "SO"} for r in records)
    assert all(len(r.birth_date) == 10 and not r.birth_date_estimated for r in records)
    assert not any(r.name_original_script for r in records)
    # The default set does vary all of them.
    default = synthetic.generate(300, seed=5)
    assert any(r.sex == "" for r in [*default.left, *default.right])
    assert any(r.name_original_script for r in default.left)
