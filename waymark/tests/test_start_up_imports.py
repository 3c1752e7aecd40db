"""What a web or dispatcher process loads before its first request: not the libraries only some
work needs. numba (the PPRL kernel, ~65 MiB), DuckDB and pyarrow (batch linkage, ~47 MiB), Splink
and fpdf (the printed access report, ~60 MiB) are imported by the code that uses them, so a node's
processes stay small (docs/benchmarks-exchange.md, "Start-up memory")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("numba", "llvmlite", "duckdb", "pyarrow", "splink", "fpdf")

_PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waymark.settings")
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as a worker's first request does
import waymark.exchange.management.commands.run_dispatcher  # the dispatcher's own module
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def loaded_at_start_up() -> list[str]:
    env = {**os.environ, "WAYMARK_ENV": "test"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE % (HEAVY,)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_a_process_starts_without_the_heavy_libraries_only_some_work_needs():
    assert loaded_at_start_up() == []


def test_the_libraries_load_when_their_work_is_done():
    from waymark.core import pprl

    filters = pprl.pack([b"\x01" * pprl.FILTER_BYTES])
    assert pprl.top_candidates(filters, filters, 0.5) == [[(0, 1.0)]]
    assert "numba" in sys.modules
