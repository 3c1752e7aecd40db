"""How far the cross-script synthetic set lets any linkage go: a ceiling measured with the labels.

Waymark's model is trained without labels (issue 12). To know whether a target F1 is within reach
of *any* model on this set, this script trains classifiers **with** the labels of the training
seed and measures them on held-out seeds, over the very pairs Waymark's batch blocking yields:

1. Waymark as shipped: the saved model, threshold 0.2, one-to-one;
2. a gradient-boosted classifier (scikit-learn) on the same evidence: each comparison's match
   weight from the saved model;
3. the same with richer pair features: how many name units each side has and how many agree,
   the days between two exact dates, the gap between birth ranges and their widths, the margin to
   the next-best candidate of each record;
4. the same with the ranked name similarity both ways (``namematch.score_name``: order-free,
   compound-aware, one-edit tolerant);
5. a perfect classifier on the blocked pairs: the blocking's own ceiling.

Each supervised row is given at probability 0.5 and at the best threshold in hindsight on the
test seed (an optimistic figure). A diagnostic, not the product: the labels are read here only.

    .venv/bin/python bench/linkage_ceiling.py [--size 2000] [--train 12] [--seeds 7,99]
        [--variation typo=0,order_swapped=0]

``--variation`` changes how often the generator makes a kind of variation
(``core.synthetic.Variation``), on every seed: to ask which one makes the set hard. The shipped
model is not retrained for it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from waymark.core import linkprep, namematch, names, synthetic
from waymark.matching import linkage

Pairs = set[tuple[str, str]]
# Scored at a tiny probability so that the classifiers see (nearly) every blocked pair.
SCORE_FLOOR = 1e-6


def prf(found: Pairs, truth: Pairs) -> tuple[float, float, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@functools.cache
def _names(given: str, family: str, original: str) -> tuple[list[list[str]], list[str], frozenset[str]]:
    full = " ".join(p for p in (given, family) if p)
    units = names.query_units(full) or names.query_units(original)
    forms = names.name_forms(full) + (names.name_forms(original) if original else [])
    given_forms = names.given_forms(given) | (names.given_forms(original) if original else frozenset())
    return units, forms, given_forms


class Seed:
    """One generated set, its blocked pairs scored by the saved model, and their features."""

    def __init__(self, size: int, seed: int, variation: synthetic.Variation) -> None:
        data = synthetic.generate(size, seed=seed, variation=variation)
        self.truth = data.true_pairs()
        self.records = {r.record_id: r for r in (*data.left, *data.right)}
        left = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.left]
        right = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.right]
        self.prepared = {r["unique_id"]: r for r in (*left, *right)}
        self.scored = linkage.comparison_weights(left, right, threshold=SCORE_FLOOR)
        self.weight_columns = sorted(k for k in self.scored[0] if k.startswith("mw_"))
        self.labels = np.array([(s["unique_id_l"], s["unique_id_r"]) in self.truth for s in self.scored])

    def features(self, level: int) -> np.ndarray:
        """1: the comparison weights; 2: and the pair features; 3: and the name similarity."""
        rows: list[list[float]] = [[float(s[c]) for c in self.weight_columns] for s in self.scored]
        if level >= 2:
            by_l: dict[str, list[float]] = {}
            by_r: dict[str, list[float]] = {}
            for s in self.scored:
                by_l.setdefault(s["unique_id_l"], []).append(s["match_weight"])
                by_r.setdefault(s["unique_id_r"], []).append(s["match_weight"])
            for row, s in zip(rows, self.scored, strict=True):
                row += self._pair(s, by_l[s["unique_id_l"]], by_r[s["unique_id_r"]])
        if level >= 3:
            for row, s in zip(rows, self.scored, strict=True):
                a, b = self.records[s["unique_id_l"]], self.records[s["unique_id_r"]]
                na = _names(a.given_names, a.family_names, a.name_original_script)
                nb = _names(b.given_names, b.family_names, b.name_original_script)
                there = namematch.score_name(na[0], nb[1], len(nb[0]), nb[2]).score
                back = namematch.score_name(nb[0], na[1], len(na[0]), na[2]).score
                row += [there, back, min(there, back)]
        return np.array(rows, dtype=float)

    def _pair(self, s: dict[str, Any], rivals_l: list[float], rivals_r: list[float]) -> list[float]:
        a, b = self.prepared[s["unique_id_l"]], self.prepared[s["unique_id_r"]]
        ua, ub = set(a["unit_phons"] or ()), set(b["unit_phons"] or ())
        common = len(ua & ub)
        days = -1.0
        if a["birth_exact"] and b["birth_exact"]:
            days = abs(
                (dt.date.fromisoformat(a["birth_exact"]) - dt.date.fromisoformat(b["birth_exact"])).days
            )
        low = max(a["birth_low"] or 0, b["birth_low"] or 0)
        high = min(a["birth_high"] or 0, b["birth_high"] or 0)
        w = s["match_weight"]
        next_l = max((x for x in rivals_l if x != w), default=w - 50)
        next_r = max((x for x in rivals_r if x != w), default=w - 50)
        return [
            len(ua), len(ub), common, len(ua) - common, len(ub) - common, days, low - high,
            (a["birth_high"] or 0) - (a["birth_low"] or 0), (b["birth_high"] or 0) - (b["birth_low"] or 0),
            w - next_l, w - next_r, len(rivals_l), len(rivals_r),
            float(a["given_orig"] is not None), float(b["given_orig"] is not None),
        ]  # fmt: skip

    def linked(self, scores: Sequence[float] | np.ndarray, threshold: float) -> Pairs:
        pairs = [
            (s["unique_id_l"], s["unique_id_r"], float(p))
            for s, p in zip(self.scored, scores, strict=True)
            if p >= threshold
        ]
        return {(a, b) for a, b, _p in linkage.one_to_one(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--train", type=int, default=12, help="the seed whose labels train the classifiers")
    parser.add_argument("--seeds", default="7,99", help="held-out seeds, comma-separated")
    parser.add_argument("--variation", default="", help="name=rate,... (core.synthetic.Variation)")
    args = parser.parse_args()
    changed = {k: float(v) for k, v in (item.split("=") for item in args.variation.split(",") if item)}
    known = {f.name for f in dataclasses.fields(synthetic.Variation)}
    if set(changed) - known:
        parser.error(f"--variation: unknown {sorted(set(changed) - known)}; known: {sorted(known)}")
    variation = synthetic.Variation(**changed)
    started = time.perf_counter()
    train = Seed(args.size, args.train, variation)
    tests = {int(s): Seed(args.size, int(s), variation) for s in args.seeds.split(",")}
    print(
        f"{args.size} children a side; classifiers trained on seed {args.train}'s labels; "
        f"variation {changed or 'as the benchmark'}; load {os.getloadavg()[0]:.1f}"
    )
    print("| row | seed | P | R | F1 | F1 best threshold in hindsight |")
    print("|---|---|---|---|---|---|")
    for seed, data in tests.items():
        p, r, f = prf(
            data.linked([s["match_probability"] for s in data.scored], linkage.THRESHOLD), data.truth
        )
        print(f"| Waymark, no labels (the saved model, 0.2) | {seed} | {p:.3f} | {r:.3f} | **{f:.3f}** | |")
    titles = {
        1: "labels: the comparison weights",
        2: "labels: + pair features",
        3: "labels: + ranked name similarity",
    }
    for level, title in titles.items():
        model = HistGradientBoostingClassifier(max_iter=300, random_state=0)
        model.fit(train.features(level), train.labels)
        for seed, data in tests.items():
            scores = model.predict_proba(data.features(level))[:, 1]
            p, r, f = prf(data.linked(scores, 0.5), data.truth)
            best = max(
                prf(data.linked(scores, t), data.truth)[2] for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
            )
            print(f"| {title} | {seed} | {p:.3f} | {r:.3f} | **{f:.3f}** | {best:.3f} |")
    for seed, data in tests.items():
        p, r, f = prf(data.linked(data.labels.astype(float), 0.5), data.truth)
        print(f"| a perfect classifier on the blocked pairs | {seed} | {p:.3f} | {r:.3f} | **{f:.3f}** | |")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
