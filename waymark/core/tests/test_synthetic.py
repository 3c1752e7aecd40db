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
