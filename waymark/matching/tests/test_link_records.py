"""``link_records``: the CSV contract of issue 12 — one-to-one pairs sorted by score, a notice for
unknown columns, and malformed input refused naming file, line and column with nothing written."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from waymark.core import linkprep, synthetic
from waymark.matching import linkage

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
HEADER = "record_id,given_names,family_names,full_name,name_original_script,sex,birth_date,birth_date_estimated,nationality,languages\n"


def _run(left: Path, right: Path, out: Path, *extra: str) -> str:
    err = io.StringIO()
    call_command(
        "link_records", str(left), str(right), "--out", str(out), *extra, stderr=err, stdout=io.StringIO()
    )
    return err.getvalue()


def _pairs(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_documented_example_links_each_child_once_best_first(tmp_path):
    out = tmp_path / "pairs.csv"
    err = _run(EXAMPLES / "linkage-left.csv", EXAMPLES / "linkage-right.csv", out)
    rows = _pairs(out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == "left_id,right_id,score"
    assert {(r["left_id"], r["right_id"]) for r in rows} == {
        ("GR-0001", "BE-7001"),  # Muhammad Hussain / Mohamed Hossein, an estimated year
        ("GR-0002", "BE-7002"),  # Yonas / Jonas Tesfai, Eritrean written as Ethiopian
        ("GR-0004", "BE-7003"),  # Fatima Al-Ubaidi / Fatimah Alubaidi
        ("GR-0005", "BE-7004"),  # a full name only, an alpha-3 nationality
    }
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    # The sister (GR-0003, the same patronymic) is not chained to her brother's record.
    assert "GR-0003" not in {r["left_id"] for r in rows}
    assert "columns ignored: office" in err
    assert "100%" in err  # the progress bar


def test_a_higher_threshold_keeps_fewer_pairs(tmp_path):
    out = tmp_path / "pairs.csv"
    _run(EXAMPLES / "linkage-left.csv", EXAMPLES / "linkage-right.csv", out, "--threshold", "0.9999")
    assert len(_pairs(out)) < 4


def test_a_threshold_outside_zero_to_one_is_refused(tmp_path):
    with pytest.raises(CommandError, match="threshold"):
        _run(
            EXAMPLES / "linkage-left.csv",
            EXAMPLES / "linkage-right.csv",
            tmp_path / "p.csv",
            "--threshold",
            "1.5",
        )


GOOD = "R1,Mohamed,Hossein,,,M,2008,true,SY,ar"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (HEADER + ",Mohamed,Hossein,,,M,2008,true,SY,ar\n", "right.csv, line 2, column record_id"),
        (HEADER + GOOD + "\n" + GOOD + "\n", "right.csv, line 3, column record_id"),
        (HEADER + GOOD + "\nR2,Jonas,,,,M,14/03/2011,false,ER,ti\n", "right.csv, line 3, column birth_date"),
        ("given_names,family_names\nMohamed,Hossein\n", "right.csv, line 1, column record_id"),
    ],
)
def test_malformed_input_names_file_line_and_column_and_writes_nothing(tmp_path, body, expected):
    right = tmp_path / "right.csv"
    right.write_text(body, encoding="utf-8")
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError) as caught:
        _run(EXAMPLES / "linkage-left.csv", right, out)
    assert expected in str(caught.value)
    assert list(tmp_path.iterdir()) == [right]  # no pairs file, not even a partial one


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    right = tmp_path / "right.csv"
    right.write_bytes((HEADER + GOOD + "\n").encode() + "R2,Jos\xe9,,,,M,2008,,,\n".encode("latin-1"))
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError, match=r"right.csv, line 3, column given_names: unreadable encoding"):
        _run(EXAMPLES / "linkage-left.csv", right, out)
    assert not out.exists()


def test_an_existing_pairs_file_is_not_touched_when_the_input_is_malformed(tmp_path):
    right = tmp_path / "right.csv"
    right.write_text(HEADER + GOOD + "\n" + GOOD + "\n", encoding="utf-8")
    out = tmp_path / "pairs.csv"
    out.write_text("left_id,right_id,score\nL,R,0.9\n", encoding="utf-8")
    with pytest.raises(CommandError):
        _run(EXAMPLES / "linkage-left.csv", right, out)
    assert out.read_text(encoding="utf-8") == "left_id,right_id,score\nL,R,0.9\n"


def test_from_the_shell_malformed_input_exits_non_zero(tmp_path):
    right = tmp_path / "right.csv"
    right.write_text(HEADER + GOOD + "\n" + GOOD + "\n", encoding="utf-8")
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    done = subprocess.run(
        [
            sys.executable,
            str(manage),
            "link_records",
            str(EXAMPLES / "linkage-left.csv"),
            str(right),
            "--out",
            str(tmp_path / "p.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "right.csv, line 3, column record_id" in done.stderr
    assert not (tmp_path / "p.csv").exists()


def _key_file(tmp_path: Path) -> Path:
    import base64

    key = tmp_path / "batch.key"
    key.write_text(base64.b64encode(b"fictional shared batch secret 32").decode() + "\n", encoding="ascii")
    return key


def test_pprl_links_the_documented_example_by_encodings_only(tmp_path):
    out = tmp_path / "pairs.csv"
    _run(
        EXAMPLES / "linkage-left.csv",
        EXAMPLES / "linkage-right.csv",
        out,
        "--pprl",
        "--key-file",
        str(_key_file(tmp_path)),
    )
    rows = _pairs(out)
    assert rows, "the example's children are linked by their encodings too"
    assert ("GR-0001", "BE-7001") in {(r["left_id"], r["right_id"]) for r in rows}
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert len({r["left_id"] for r in rows}) == len(rows) == len({r["right_id"] for r in rows})


def test_pprl_without_a_key_or_with_a_bad_one_writes_nothing(tmp_path):
    out = tmp_path / "pairs.csv"
    with pytest.raises(CommandError, match="--key-file"):
        _run(EXAMPLES / "linkage-left.csv", EXAMPLES / "linkage-right.csv", out, "--pprl")
    bad = tmp_path / "bad.key"
    bad.write_text("not base64!", encoding="ascii")
    with pytest.raises(CommandError, match="base64"):
        _run(
            EXAMPLES / "linkage-left.csv",
            EXAMPLES / "linkage-right.csv",
            out,
            "--pprl",
            "--key-file",
            str(bad),
        )
    assert not out.exists()


def test_records_prepared_by_forked_workers_are_those_prepared_in_one_process(monkeypatch):
    data = synthetic.generate(120, seed=5)
    records = [linkprep.parse_row(synthetic.as_row(r)) for r in data.left + data.right]
    monkeypatch.setattr(linkage, "PREPARE_SLICE", 25)
    done: list[int] = []
    forked = linkage.prepared_table(records, "left", processes=2, progress=done.append)
    alone = linkage.table([linkprep.prepare(r) for r in records], "left")
    assert forked.equals(alone)
    assert done[-1] == len(records) and done == sorted(done)
