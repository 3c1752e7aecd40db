"""Blocking recall of the batch (issue 12 finding): about one true cross-script pair in fifteen was
never compared, because the batch blocking wanted the same given-name sound (or the same date, or
two name units in common) and these pairs agree only on another name, with the given name one
letter off its original-script form or spelt from another language. The near-given-name arm
(another name in common, and a given-name key: the skeleton or original-script skeleton, each with
one letter removed) brings them in; the candidate count stays bounded."""

from __future__ import annotations

import pytest

from waymark.core import linkprep, synthetic
from waymark.matching import linkage


def _prep(rid: str, **fields: object) -> dict[str, object]:
    return linkprep.prepare(linkprep.LinkRecord(rid, **fields))  # type: ignore[arg-type]


# Each pair: a Latin-only record and the same child written with a Latin given name one letter off
# (or spelt from another language) and the name in original script. Fictional.
PAIRS = [
    (
        _prep("L1", given_names="Wurafazi", family_names="Tesfaye", sex="F", birth_date="2010",
              birth_date_estimated=True, nationality="ER"),
        _prep("R1", given_names="Woafazi", family_names="Tesfaye", name_original_script="ዎራፋዚ ተስፋይ",
              sex="F", birth_date="2011", birth_date_estimated=True, nationality="ER"),
    ),
    (
        _prep("L2", given_names="Yonass", family_names="Mikael Zere", sex="M", birth_date="2011",
              birth_date_estimated=True, nationality="ER"),
        _prep("R2", given_names="Jonas", family_names="Zeremikael", name_original_script="ዮናስ ዘረ ሚካኤል",
              sex="M", birth_date="2012", birth_date_estimated=True, nationality="ER"),
    ),
    (
        _prep("L3", given_names="Muassar", family_names="Karimi", sex="M", birth_date="2011",
              birth_date_estimated=True, nationality="AF"),
        _prep("R3", given_names="Muassasr", family_names="Kareemi", name_original_script="معسر کریمی",
              sex="M", birth_date="2011-10-01", nationality="AF"),
    ),
]  # fmt: skip


def _blocked(left: list[dict[str, object]], right: list[dict[str, object]], bound: str = "TRUE") -> set:
    con = linkage.connect(1)
    con.register("left_records", linkage.table(left, "left"))
    con.register("right_records", linkage.table(right, "right"))
    for statement in linkage._TF_SQL:
        con.execute(statement)
    rows = con.sql(linkage.batch_blocking_sql(bound)).fetchall()
    con.close()
    return {(a.removeprefix("left-__-"), b.removeprefix("right-__-")) for _k, a, b in rows}


@pytest.mark.parametrize(("left", "right"), PAIRS)
def test_finding_a_given_name_one_letter_off_its_original_script_form_is_compared_and_linked(left, right):
    assert left["given_phon"] != right["given_phon"]  # the old arms' key
    assert _blocked([left], [right]) == {(left["unique_id"], right["unique_id"])}
    assert [(a, b) for a, b, _p in linkage.link([left], [right])] == [(left["unique_id"], right["unique_id"])]


def test_finding_blocking_recall_on_the_cross_script_set_and_a_bounded_candidate_count():
    data = synthetic.generate(600, seed=19)
    left = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.left]
    right = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.right]
    truth = data.true_pairs()
    blocked = _blocked(left, right)
    # Was 0.93 at 2,000 children a side (0.97 with the arm); the rest are pairs no cheap key
    # meets and that would not reach the threshold anyway.
    assert len(blocked & truth) / len(truth) >= 0.95
    # Bounded: a few candidates per record, not a share of all pairs.
    assert len(blocked) <= 10 * (len(left) + len(right))
