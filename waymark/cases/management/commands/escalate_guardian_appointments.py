"""Escalate overdue guardian appointments to the supervisors (run hourly or daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from waymark.cases.actions import do_escalate_guardian_appointments


class Command(BaseCommand):
    help = "Escalate, once each, unaccompanied children still without a guardian past the limit."

    def handle(self, *args: Any, **options: Any) -> None:
        done = do_escalate_guardian_appointments(timezone.now())
        for case in done:
            self.stdout.write(f"escalated {case.reference}")
        self.stdout.write(self.style.SUCCESS(f"{len(done)} overdue guardian appointment(s) escalated"))
