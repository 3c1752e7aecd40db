"""Sign a checkpoint of the audit log. Run it from cron or a worker loop, e.g. every 10 minutes."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from waymark.audit import service
from waymark.audit.models import Checkpoint


class Command(BaseCommand):
    help = "Sign the audit log's current tree head (Ed25519) and store it as a checkpoint."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-changed",
            action="store_true",
            help="do nothing when the latest checkpoint already covers every entry",
        )
        parser.add_argument("--note", action="store_true", help="print the signed note (to publish)")

    def handle(self, *args: Any, **options: Any) -> None:
        size, _ = service.current_root()
        latest = Checkpoint.objects.order_by("-tree_size", "-id").first()
        if options["if_changed"] and latest is not None and latest.tree_size == size:
            self.stdout.write(f"unchanged: checkpoint {latest.pk} covers {size} entries")
            return
        try:
            cp = service.checkpoint()
        except service.AuditUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"checkpoint {cp.pk}: {cp.tree_size} entries, root {cp.root_hash}")
        if options["note"]:
            self.stdout.write(service.checkpoint_note(cp).note(), ending="")
