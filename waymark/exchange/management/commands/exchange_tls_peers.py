"""``manage.py exchange_tls_peers [--out FILE]``: the client certificates this node's mTLS inbox
trusts — each registry node's certificate, fetched from its endpoint and kept only if its
fingerprint is the registry's pin. Run after every registry change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.exchange.keys import TLS_CERT_FILE
from waymark.exchange.registry import ExchangeUnavailable, current_registry
from waymark.exchange.tls import peer_bundle


class Command(BaseCommand):
    help = "Write the pinned peer certificate bundle for the mutual-TLS inbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=None, help="default: <key folder>/peers.pem")

    def handle(self, *args: Any, out: Path | None, **opts: Any) -> None:
        folder = Path(settings.WAYMARK_EXCHANGE_KEY_DIR)
        try:
            registry = current_registry()
        except ExchangeUnavailable as exc:
            raise CommandError(exc.reason) from exc
        own = folder / TLS_CERT_FILE
        result = peer_bundle(
            registry,
            out or folder / "peers.pem",
            own_node=settings.WAYMARK_NODE_ID,
            own_cert_pem=own.read_bytes() if own.exists() else None,
        )
        for problem in result.problems:
            self.stderr.write(f"  - {problem}")
        self.stdout.write(f"pinned certificates of {len(result.pinned)} nodes: {', '.join(result.pinned)}")
