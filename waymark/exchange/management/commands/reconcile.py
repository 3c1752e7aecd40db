"""``manage.py reconcile [LEDGER.json ...] [--no-self]``: compare this node's ledger with its
peers' (from their ``exchange_ledger``); exits 1 on any discrepancy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.exchange.reconcile import ledger, reconcile
from waymark.exchange.registry import ExchangeUnavailable, current_registry


class Command(BaseCommand):
    help = "Check outbox = inbox = business effects, every receipt, and both audit logs, across nodes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledgers", nargs="*", type=Path)
        parser.add_argument("--no-self", action="store_true", help="do not include this node's own ledger")
        parser.add_argument(
            "--allow-in-flight", action="store_true", help="messages still queued are not discrepancies"
        )

    def handle(self, *args: Any, ledgers: list[Path], **opts: Any) -> None:
        try:
            registry = current_registry()
        except ExchangeUnavailable as exc:
            raise CommandError(exc.reason) from exc
        entries = [json.loads(p.read_text(encoding="utf-8")) for p in ledgers]
        if not opts["no_self"]:
            entries.append(ledger(settings.WAYMARK_NODE_ID))
        report = reconcile(entries, registry, allow_in_flight=opts["allow_in_flight"])
        for problem in report.problems:
            self.stdout.write(f"  - {problem}")
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError("the exchange does not reconcile")
