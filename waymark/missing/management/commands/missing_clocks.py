"""``manage.py missing_clocks [--loop SECONDS]``: notify the people responsible for every
protocol step (and every registered clock, ``hooks.CLOCK_JOBS``) that became overdue (in the app and by e-mail), once each. Run it every minute
(cron, a systemd timer) or with ``--loop``; two runs at once never notify twice (each step is
claimed with a conditional update)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from waymark.missing.actions import notify_overdue
from waymark.missing.hooks import run_clock_jobs


class Command(BaseCommand):
    help = "Notify the people responsible for overdue steps of open disappearances."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, default=0, help="run again every this many seconds")

    def handle(self, *args: Any, loop: float = 0, **options: Any) -> None:
        while True:
            count = notify_overdue()
            others = run_clock_jobs(timezone.now())  # other apps' clocks (a police request's reply)
            if count or others or options.get("verbosity", 1) > 1:
                self.stdout.write(f"{count} overdue step(s) notified, {others} other overdue clock(s)")
            if not loop:
                return
            time.sleep(loop)
