"""``manage.py exchange_ledger [--out FILE]``: this node's side of the exchange, for ``reconcile``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from waymark.exchange.reconcile import ledger


class Command(BaseCommand):
    help = "Export this node's outbox, inbox, applied messages and audit hashes as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None)

    def handle(self, *args: Any, out: Path | None, **opts: Any) -> None:
        text = json.dumps(ledger(settings.WAYMARK_NODE_ID), indent=1, sort_keys=True)
        if out is None:
            self.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"ledger of {settings.WAYMARK_NODE_ID} written to {out}")
