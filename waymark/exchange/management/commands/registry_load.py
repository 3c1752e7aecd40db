"""``manage.py registry_load FILE``: verify a signed registry and make it the one in force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.core.protocol.registry import RegistryRefused
from waymark.exchange.registry import ExchangeUnavailable, load_registry_file


class Command(BaseCommand):
    help = "Load a signed registry (refused if unsigned, tampered, expired or older than the one held)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **opts: Any) -> None:
        try:
            copy = load_registry_file(file)
        except RegistryRefused as exc:
            raise CommandError(f"registry refused ({exc.fault.value}): {exc.detail}") from exc
        except (ExchangeUnavailable, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"registry version {copy.serial} in force, valid until {copy.expires_at:%Y-%m-%d %H:%M} UTC"
        )
