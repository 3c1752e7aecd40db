"""Link two CSV files of children's records: ``left_id,right_id,score``, one-to-one, best first.

The contract (docs/matching.md): input columns ``record_id`` (required, unique), ``given_names``,
``family_names``, ``full_name``, ``name_original_script``, ``sex``, ``birth_date``,
``birth_date_estimated``, ``nationality``, ``languages``; other columns are ignored with a notice.
Malformed input exits non-zero naming the file, line and column, and writes nothing: the pairs
file is written beside its final name and moved into place only when complete. Nothing here links
a record in Waymark: the pairs are proposals for people to review.

``--pprl --key-file KEY`` links the two files by their keyed Bloom-filter encodings only
(``core/pprl.py``; the score is the Dice similarity): the batch run two parties agree to, each
encoding with the secret they share for it (``KEY`` holds it, base64 on one line; it is never
written anywhere by this command).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.core.management.base import BaseCommand, CommandError

from waymark.core import linkprep, pprl
from waymark.matching import linkage


def _contract_rows(data: bytes) -> list[dict[str, str]]:
    """The rows of a file ``linkprep.read_csv`` accepted, as text, the contract's columns only."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [
        {k: (v or "") for k, v in row.items() if k in linkprep.COLUMNS}
        for row in reader
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]


def _key(path: str | None) -> bytes:
    if not path:
        raise CommandError("--pprl needs --key-file: the secret the two parties share for this run")
    try:
        secret = base64.b64decode(Path(path).read_text(encoding="ascii").strip(), validate=True)
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror})") from exc
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"{path}: the key is one line of base64") from exc
    if len(secret) < 16:
        raise CommandError(f"{path}: a key of at least 16 bytes (128 bits)")
    return secret


def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Link two CSV files of children's records (one-to-one) into left_id,right_id,score."
    # Reads two files and writes one; the project's system checks (URL resolvers, templates…)
    # add seconds and say nothing about them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("left", help="LEFT.csv")
        parser.add_argument("right", help="RIGHT.csv")
        parser.add_argument("--out", required=True, help="PAIRS.csv to write")
        parser.add_argument(
            "--threshold",
            type=_threshold,
            default=None,
            help="keep pairs scoring at or above this, in [0, 1] (default: a match probability of "
            f"{linkage.THRESHOLD}; with --pprl a Dice similarity of {pprl.DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--pprl",
            action="store_true",
            help="link by keyed Bloom-filter encodings only (privacy-preserving)",
        )
        parser.add_argument("--key-file", help="with --pprl: the shared secret, base64 on one line")
        parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")

    def _say(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()

    def _checked(self, path: str) -> tuple[bytes, linkprep.CsvRecords]:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror})") from exc
        try:
            parsed = linkprep.read_csv(data, path)
        except linkprep.CsvError as exc:
            raise CommandError(str(exc)) from exc
        if parsed.ignored_columns:
            self.stderr.write(f"notice: {path}: columns ignored: {', '.join(parsed.ignored_columns)}")
        return data, parsed

    def _prepare(self, path: str, parsed: linkprep.CsvRecords, source: str, processes: int) -> pa.Table:
        bar = linkage.progress_bar(len(parsed.records), self._say, f"preparing {Path(path).name}")
        prepared = linkage.prepared_table(parsed.records, source, processes=processes, progress=bar)
        bar(len(parsed.records))
        self._say("\n")
        return prepared

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        threshold = options["threshold"]
        # Both files are read and checked before anything is scored or written.
        if options["pprl"]:
            secret = _key(options["key_file"])
            left_rows = _contract_rows(self._checked(options["left"])[0])
            right_rows = _contract_rows(self._checked(options["right"])[0])
            self._say(f"encoding and comparing {len(left_rows)} x {len(right_rows)} records (PPRL)…\n")
            try:
                pairs = pprl.link_csv_rows(
                    left_rows, right_rows, secret, pprl.DEFAULT_THRESHOLD if threshold is None else threshold
                )
            except pprl.RowError as exc:
                raise CommandError(str(exc)) from exc
        else:
            # Both files are checked before either is prepared: a malformed right file is
            # reported before any time is spent on the left one.
            left_parsed = self._checked(options["left"])[1]
            right_parsed = self._checked(options["right"])[1]
            processes = max(1, min(options["threads"] or os.cpu_count() or 1, os.cpu_count() or 1))
            left = self._prepare(options["left"], left_parsed, "left", processes)
            right = self._prepare(options["right"], right_parsed, "right", processes)
            self._say(f"scoring {len(left)} x {len(right)} records (blocked pairs only)…\n")
            pairs = linkage.link(
                left,
                right,
                threshold=linkage.THRESHOLD if threshold is None else threshold,
                threads=options["threads"],
            )
        out = Path(options["out"])
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["left_id", "right_id", "score"])
                bar = linkage.progress_bar(len(pairs), self._say, "writing pairs")
                for i, (a, b, p) in enumerate(pairs, start=1):
                    writer.writerow([a, b, f"{p:.6f}"])
                    if i % 1000 == 0 or i == len(pairs):
                        bar(i)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._say(f"\n{len(pairs)} pairs written to {out} in {time.monotonic() - started:.1f} s\n")
        sys.stderr.flush()
