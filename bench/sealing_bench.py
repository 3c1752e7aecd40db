"""Sealing cost: seal and open of 1 KB texts, and the key unwrap a cache miss pays.

    .venv/bin/python bench/sealing_bench.py [--runs 20000] [--size 1024]

Pure ``waymark.core.sealing`` (no database): AES-256-GCM with associated data, the text
encoding (base64url) included, as a sealed column is written and read. ``unwrap`` is what
``vault.service`` adds per child per request when the key is not cached yet (the row fetch
is not included). Prints operations per second with median and p95 in microseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def measure(label: str, op: Callable[[], object], runs: int) -> None:
    for _ in range(min(1000, runs // 10)):  # warm up
        op()
    samples: list[float] = []
    clock = time.perf_counter_ns
    started = clock()
    for _ in range(runs):
        t0 = clock()
        op()
        samples.append((clock() - t0) / 1000)
    total_s = (clock() - started) / 1e9
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(
        f"{label:<28} {runs / total_s:>10,.0f} ops/s   median {statistics.median(samples):7.1f} µs"
        f"   p95 {p95:7.1f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--size", type=int, default=1024, help="plaintext size in bytes")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from waymark.core import sealing

    child = str(uuid.uuid4())
    aad = sealing.field_aad(child, "cases.event.details")
    dek, kek = sealing.new_key(), sealing.new_key()
    # Mixed-script fictional note, cut to the requested UTF-8 size.
    text = ("Interview with the child; interpreter present. لا يريد العودة. " * 64).encode()[: args.size]
    plaintext = text.decode("utf-8", errors="ignore")
    sealed = sealing.seal_text(dek, plaintext, aad)
    wrapped = sealing.wrap_key(kek, dek, sealing.dek_aad(child, 1))
    dek_aad = sealing.dek_aad(child, 1)
    assert sealing.open_text(dek, sealed, aad) == plaintext

    print(
        f"{len(plaintext.encode())} byte plaintext -> {len(sealed)} character sealed column, {args.runs} runs each"
    )
    measure("seal_text", lambda: sealing.seal_text(dek, plaintext, aad), args.runs)
    measure("open_text", lambda: sealing.open_text(dek, sealed, aad), args.runs)
    measure("unwrap_key (cache miss)", lambda: sealing.unwrap_key(kek, wrapped, dek_aad), args.runs)


if __name__ == "__main__":
    main()
