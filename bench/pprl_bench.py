"""Privacy-preserving matching (core/pprl.py): encode throughput, Dice comparisons per second, and
PPRL F1 against clear text on the synthetic cross-border set.

    .venv/bin/python -m bench.pprl_bench [--children 1000] [--seed 12] [--compare-right 200000]

The clear-text reference is Waymark's ranked name similarity (core/namematch: skeleton agreement
of every name form, dates as ranges, sex, nationality) on pairs sharing a name key, one-to-one,
at its best-F1 threshold in hindsight (the Splink model is measured by bench/linkage_bench.py on
the same generator: 0.853 at 2,000 children, seed 7). PPRL is all pairs
(no blocking), one-to-one, at its best-F1 threshold in hindsight. Timings: median and p95 of
repeated runs, the ratio of the numba kernel against numpy's ``bitwise_count`` measured in the
same run, and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Callable, Iterable

import numpy as np

from waymark.core import namematch, pprl
from waymark.core import names as name_prep
from waymark.core.synthetic import Record, generate


def identity_of(r: Record) -> pprl.Identity:
    """A synthetic record as the CSV contract would give it (an age assessment as an estimated year)."""
    year = month = day = None
    estimated = r.birth_date_estimated
    if r.assessed_age is not None and r.assessed_on:
        on = dt.date.fromisoformat(r.assessed_on)
        year = on.year - (r.assessed_age[0] + r.assessed_age[1] + 1) // 2
        estimated = True
    elif r.birth_date:
        parts = [int(p) for p in r.birth_date.split("-")]
        year = parts[0]
        month = parts[1] if len(parts) > 1 else None
        day = parts[2] if len(parts) > 2 else None
    return pprl.Identity(
        names=(r.given_names, r.family_names, r.name_original_script),
        birth_year=year,
        birth_month=month,
        birth_day=day,
        birth_estimated=estimated,
        sex=r.sex,
        nationality=r.nationality,
    )


def _birth(r: Record) -> namematch.Birth | None:
    if r.assessed_age is not None and r.assessed_on:
        return namematch.birth_of(
            None, assessed=r.assessed_age, assessed_on=dt.date.fromisoformat(r.assessed_on)
        )
    if r.birth_date and len(r.birth_date) == 10:
        return namematch.birth_of(dt.date.fromisoformat(r.birth_date), estimated=r.birth_date_estimated)
    return None


def _forms(r: Record) -> list[str]:
    forms: list[str] = []
    for text in (r.full_name, r.name_original_script):
        forms += [f for f in name_prep.name_forms(text) if f not in forms]
    return forms


def clear_text_pairs(left: Iterable[Record], right: Iterable[Record]) -> list[tuple[str, str, float]]:
    """Scored pairs sharing a name key (the ranked search's retrieval), clear text."""
    index: dict[str, list[Record]] = {}
    right_forms: dict[str, list[str]] = {}
    for r in right:
        right_forms[r.record_id] = _forms(r)
        for key in name_prep.match_keys(right_forms[r.record_id]):
            index.setdefault(key, []).append(r)
    out: list[tuple[str, str, float]] = []
    for a in left:
        units = name_prep.query_units(a.full_name) or name_prep.query_units(a.name_original_script)
        seen: dict[str, Record] = {}
        for unit in units:
            for key in name_prep.query_keys(unit[0]):
                for r in index.get(key, ()):
                    seen[r.record_id] = r
        for b in seen.values():
            name = namematch.score_name(units, right_forms[b.record_id])
            ev = namematch.evidence(
                name,
                birth=namematch.compare_birth(_birth(a), _birth(b)),
                sex=(a.sex, b.sex),
                nationality=(a.nationality, b.nationality),
            )
            out.append((a.record_id, b.record_id, ev.score))
    return out


def best_f1(
    pairs: list[tuple[str, str, float]], truth: set[tuple[str, str]], thresholds: Iterable[float]
) -> tuple[float, float, float, float]:
    """(F1, precision, recall, threshold) at the best threshold, one-to-one at each."""
    best = (0.0, 0.0, 0.0, 0.0)
    for t in thresholds:
        linked = {(a, b) for a, b, _s in pprl.one_to_one(p for p in pairs if p[2] >= t)}
        tp = len(linked & truth)
        if not linked or not tp:
            continue
        precision, recall = tp / len(linked), tp / len(truth)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best[0]:
            best = (f1, precision, recall, t)
    return best


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--compare-right", type=int, default=200_000, help="filters compared per query row")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")

    data = generate(args.children, seed=args.seed)
    truth = data.true_pairs()
    key = pprl.PprlKey("bench", os.urandom(32))

    # Encoding.
    records = list(data.left) + list(data.right)
    identities = [identity_of(r) for r in records]
    enc_times = timed(lambda: [pprl.encode(i, key) for i in identities], 3)
    rate = [len(identities) / t for t in enc_times]
    print(
        f"encode: {len(identities)} records, median {statistics.median(rate):,.0f} records/s "
        f"(p95 time {p95(enc_times) * 1000:.0f} ms per batch)"
    )

    # Comparison throughput on random filters of realistic fill.
    filters = pprl.pack([pprl.encode(i, key) for i in identities])
    rng = np.random.default_rng(1)
    big = filters[rng.integers(0, len(filters), size=args.compare_right)]
    queries = filters[:200]
    pprl.top_candidates(queries[:1], big[:10], 0.8)  # compile (cached on disk after the first run)
    kernel = timed(lambda: pprl.top_candidates(queries, big, 0.8), args.repeat)
    per_s = [len(queries) * len(big) / t for t in kernel]
    baseline = timed(lambda: pprl.dice_matrix_numpy(queries[:20], big), max(2, args.repeat // 2))
    base_per_s = [20 * len(big) / t for t in baseline]
    one = timed(lambda: pprl.top_candidates(queries[:1], big[:100_000], 0.7), args.repeat * 4)
    print(
        f"compare (numba, top-k, all cores): median {statistics.median(per_s) / 1e6:.0f} M Dice/s, "
        f"p95 run {p95(kernel) * 1000:.0f} ms for {len(queries)} × {len(big)}"
    )
    print(
        f"compare (numpy bitwise_count, one core): median {statistics.median(base_per_s) / 1e6:.1f} M Dice/s; "
        f"ratio numba / numpy {statistics.median(per_s) / statistics.median(base_per_s):.1f}×"
    )
    print(
        f"one query against 100,000 encodings: median {statistics.median(one) * 1000:.1f} ms, "
        f"p95 {p95(one) * 1000:.1f} ms"
    )

    # Quality.
    start = time.perf_counter()
    left = pprl.pack([pprl.encode(identity_of(r), key) for r in data.left])
    right = pprl.pack([pprl.encode(identity_of(r), key) for r in data.right])
    matrix = pprl.dice_matrix(left, right)
    pprl_pairs = [
        (data.left[i].record_id, data.right[j].record_id, float(matrix[i, j]))
        for i, j in zip(*np.nonzero(matrix >= 0.5), strict=True)
    ]
    pprl_time = time.perf_counter() - start
    start = time.perf_counter()
    clear_pairs = clear_text_pairs(data.left, data.right)
    clear_time = time.perf_counter() - start
    thresholds = [t / 100 for t in range(50, 100)]
    clear = best_f1(clear_pairs, truth, [t / 20 for t in range(0, 40)])
    encoded = best_f1(pprl_pairs, truth, thresholds)
    print(
        f"\nquality on the synthetic set: {len(data.left)} × {len(data.right)} records, {len(truth)} true pairs"
    )
    print(f"{'method':<44} {'precision':>9} {'recall':>7} {'F1':>6} {'thresh':>7} {'time':>7}")
    print(
        f"{'clear text (ranked skeleton similarity)':<44} {clear[1]:>9.3f} {clear[2]:>7.3f} {clear[0]:>6.3f} "
        f"{clear[3]:>7.2f} {clear_time:>6.1f}s"
    )
    print(
        f"{'PPRL (keyed Bloom filters, Dice)':<44} {encoded[1]:>9.3f} {encoded[2]:>7.3f} {encoded[0]:>6.3f} "
        f"{encoded[3]:>7.2f} {pprl_time:>6.1f}s"
    )
    print(f"PPRL F1 − clear-text F1: {encoded[0] - clear[0]:+.3f} (target ≥ −0.02)")
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
