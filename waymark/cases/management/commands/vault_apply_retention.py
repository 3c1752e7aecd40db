"""Erase the closed copies of transferred cases whose retention has ended (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from waymark.cases.erasure import do_apply_retention, expired_transferred_copies


class Command(BaseCommand):
    help = "Erase the closed copies of transferred cases kept past their retain_until date."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list what would be erased, erase nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["dry_run"]:
            due = expired_transferred_copies(today)
            self.stdout.write(f"{len(due)} child record(s) past retention (nothing erased: --dry-run)")
            return
        done = do_apply_retention(today)
        for erasure in done:
            self.stdout.write(f"erased {erasure.child_public_id} ({len(erasure.case_public_ids)} case(s))")
        self.stdout.write(self.style.SUCCESS(f"{len(done)} child record(s) erased after retention"))
