"""Per-message cost of the exchange envelope, single core, pure Python (no Django, no network).

    .venv/bin/python bench/envelope_bench.py [--runs 2000] [--warmup 200] [--update-docs]

For a typical referral (a child summary, case summary, reasons and services: about 2 KB of body
JSON) it times, one operation at a time:

- seal: validate categories, sign (JWS EdDSA), encrypt (JWE ECDH-ES+A256KW / X25519, A256GCM);
- open: size/alg checks, decrypt, verify, validate header and body, check categories and clocks;
- receipt build (JWS EdDSA) and receipt verify;

and prints median / p95 in microseconds and the single-core rate. With ``--update-docs`` it
rewrites the figures block in docs/protocol.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from waymark.core.protocol import testing as fed  # noqa: E402
from waymark.core.protocol.envelope import envelope_sha256, open_envelope, seal  # noqa: E402
from waymark.core.protocol.jose import canonical_json  # noqa: E402
from waymark.core.protocol.keys import public_jwk  # noqa: E402
from waymark.core.protocol.messages import body_json  # noqa: E402
from waymark.core.protocol.receipts import accepted, build_receipt, verify_receipt  # noqa: E402

DOC = REPO / "docs" / "protocol.md"
START, END = "<!-- bench:envelope -->", "<!-- /bench:envelope -->"


def timings(fn: Callable[[], object], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t0) / 1000)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args()

    italy, france = fed.node_keys("node-it"), fed.node_keys("node-fr")
    france_public = public_jwk(france.encryption)
    resolver = fed.KeyRing()
    body = fed.referral_offer()
    header = fed.header_for(body)
    raw = seal(header, body, italy, france_public)
    digest = envelope_sha256(raw)
    receipt = build_receipt(
        accepted(
            message_id=header.message_id,
            envelope_sha256=digest,
            received_at=fed.NOW,
            from_node="node-fr",
            to_node="node-it",
        ),
        france,
    )
    body_bytes = len(canonical_json(body_json(body)))

    def do_open() -> object:
        return open_envelope(raw, france, resolver, fed.NOW, expected_to_node="node-fr")

    def do_receipt() -> object:
        return build_receipt(
            accepted(
                message_id=header.message_id,
                envelope_sha256=digest,
                received_at=fed.NOW,
                from_node="node-fr",
                to_node="node-it",
            ),
            france,
        )

    def do_verify() -> object:
        return verify_receipt(
            receipt,
            resolve_signing_key=resolver,
            receiver_node="node-fr",
            sender_node="node-it",
            message_id=header.message_id,
            sent_envelope_sha256=digest,
        )

    cases: list[tuple[str, Callable[[], object]]] = [
        ("seal (sign + encrypt)", lambda: seal(header, body, italy, france_public)),
        ("open (decrypt + verify + validate)", do_open),
        ("receipt build (sign)", do_receipt),
        ("receipt verify", do_verify),
    ]
    rows = []
    for label, fn in cases:
        values = timings(fn, args.runs, args.warmup)
        median = statistics.median(values)
        rows.append((label, median, p95(values), 1e6 / median))

    seal_median, open_median = rows[0][1], rows[1][1]
    round_trip = sum(r[1] for r in rows)
    lines = [
        f"Typical referral: body {body_bytes:,} bytes of JSON, envelope {len(raw):,} bytes, "
        f"receipt {len(receipt):,} bytes.",
        f"{platform.python_implementation()} {platform.python_version()}, jwcrypto + cryptography "
        f"(OpenSSL), one core of a {os.cpu_count()}-CPU {platform.machine()} machine; "
        f"{args.runs} runs after {args.warmup} warm-up.",
        "",
        "| operation | median µs | p95 µs | per second, one core |",
        "|---|---:|---:|---:|",
        *(f"| {label} | {median:,.0f} | {high:,.0f} | {rate:,.0f} |" for label, median, high, rate in rows),
        "",
        f"Sender + receiver work per message (seal + open): {seal_median + open_median:,.0f} µs, "
        f"i.e. about {1e6 / (seal_median + open_median):,.0f} messages/s on one core; with the receipt "
        f"built and verified: {round_trip:,.0f} µs ({1e6 / round_trip:,.0f} messages/s).",
    ]
    text = "\n".join(lines)
    print(text)
    if args.update_docs:
        doc = DOC.read_text(encoding="utf-8")
        if START not in doc or END not in doc:
            sys.exit(f"{DOC} has no {START} ... {END} block")
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
        print(f"\nwritten to {DOC.relative_to(REPO)}")


if __name__ == "__main__":
    main()
