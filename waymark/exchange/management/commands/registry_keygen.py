"""``manage.py registry_keygen PRIVATE PUBLIC``: a registry authority key (demos and tests).

The public file is every node's trust anchor (``WAYMARK_EXCHANGE_REGISTRY_KEY_FILE``). In a real
federation the private key stays with the authority, offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.exchange.authority import generate_registry_key


class Command(BaseCommand):
    help = "Create a registry signing key (private JWK, mode 0600) and its public trust anchor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("private", type=Path)
        parser.add_argument("public", type=Path)

    def handle(self, *args: Any, private: Path, public: Path, **opts: Any) -> None:
        try:
            key = generate_registry_key(private, public)
        except FileExistsError as exc:
            raise CommandError(f"{private} exists; not replaced") from exc
        self.stdout.write(f"registry key {key['kid']}: private {private}, public (trust anchor) {public}")
