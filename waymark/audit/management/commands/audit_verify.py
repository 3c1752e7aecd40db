"""Verify the whole audit log; exit non-zero naming the first entry that fails."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from waymark.audit import service


class Command(BaseCommand):
    help = (
        "Recompute every leaf hash, check the sequence, rebuild the Merkle tree and check every "
        "signed checkpoint and the head. Prints OK, or FAIL naming the first entry that fails "
        "and exits with status 1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = service.verify()
        if result.ok:
            self.stdout.write(f"OK: {result.message}; root {result.root_hash}")
            return
        self.stderr.write(f"FAIL: {result.message}")
        # A non-zero exit status is what cron, CI and monitoring look at.
        sys.exit(1)
