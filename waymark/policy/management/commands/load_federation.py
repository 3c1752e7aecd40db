"""``manage.py load_federation FILE.yaml``: organisations, users and agreements from one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.policy.federation import FederationError, load_federation


class Command(BaseCommand):
    help = (
        "Create or update organisations, users and cooperation agreements from a YAML file (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise CommandError(f"{file} is not valid YAML: {exc}") from exc
        try:
            report = load_federation(data, dry_run=dry_run)
        except FederationError as exc:
            raise CommandError(
                f"{file} refused, nothing was changed:\n" + "\n".join(f"  - {p}" for p in exc.problems)
            ) from exc
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(("dry run: " if dry_run else "") + report.summary())
