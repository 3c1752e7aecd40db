"""Train the linkage model without labels on the fictional synthetic set and save it as JSON.

Reproducible: the same seed and size give the same file. Nothing is trained at request time;
``link_records`` and the registration candidates read the saved model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from waymark.core import linkprep, names, synthetic
from waymark.matching import linkage


class Command(BaseCommand):
    help = "Train the Splink linkage model on the synthetic set and write it (default: the repo's model)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--size", type=int, default=2000, help="children on the left (default 2000)")
        parser.add_argument("--seed", type=int, default=12)
        parser.add_argument("--out", default=str(linkage.MODEL_PATH))

    def handle(self, *args: Any, **options: Any) -> None:
        data = synthetic.generate(options["size"], seed=options["seed"])
        left = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.left]
        right = [linkprep.prepare(linkprep.parse_row(synthetic.as_row(r))) for r in data.right]
        model = linkage.train(left, right, seed=options["seed"])
        model["waymark"] = {
            "trained_on": f"core.synthetic.generate({options['size']}, seed={options['seed']}) (fictional)",
            "linkprep_version": linkprep.LINKPREP_VERSION,
            "names_version": names.NAMES_VERSION,
            # Used when a new record is scored against a few retrieved candidates (all alike).
            "tf_given_skel": linkage.term_frequencies([*left, *right]),
        }
        Path(options["out"]).write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        self.stdout.write(f"model written to {options['out']}")
