"""``manage.py exchange_load --to ORG --count N``: send fictional notices, for tests and benchmarks.

Registers ``--conversations`` fictional children (once) and sends ``--count`` notices round-robin
across them, each through ``threads.notice.do_send_notice`` (so each is one transaction with its outbox
row), optionally at a fixed ``--rate`` per second. Refused in production.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.accounts.models import User
from waymark.cases import actions as case_actions
from waymark.cases.models import Case
from waymark.cases.schemas import ChildIn, RegisterChildIn
from waymark.errors import ActionError
from waymark.exchange.threads.notice import NoticeIn, do_send_notice
from waymark.vault import service as vault

PREFIX = "Loadtest"


class Command(BaseCommand):
    help = "Send N fictional notices to an organisation on another node (tests, benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, help="recipient organisation slug")
        parser.add_argument("--user", required=True, help="sending user (a caseworker)")
        parser.add_argument("--count", type=int, default=10)
        parser.add_argument("--conversations", type=int, default=1)
        parser.add_argument(
            "--rate", type=float, default=0.0, help="messages per second (0: as fast as possible)"
        )
        parser.add_argument("--label", default="", help="prefix of the notice subjects")

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("load generation is never run in production")
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"no user {opts['user']!r}")
        cases = list(
            Case.objects.filter(
                organisation=user.organisation, child__given_names__startswith=PREFIX
            ).order_by("id")
        )
        while len(cases) < opts["conversations"]:
            cases.append(
                case_actions.do_register_child(
                    user,
                    RegisterChildIn(
                        child=ChildIn(given_names=f"{PREFIX}{len(cases)}", family_name="Fictional"),
                        confirm_not_duplicate=True,
                    ),
                    fictional=True,
                )
            )
        cases = cases[: opts["conversations"]]
        label = opts["label"] or "notice"
        interval = 1.0 / opts["rate"] if opts["rate"] > 0 else 0.0
        start = time.monotonic()
        for n in range(opts["count"]):
            if interval:
                delay = start + n * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            case = cases[n % len(cases)]
            try:
                # One key cache per notice, as the web middleware gives one per request.
                with vault.key_cache():
                    do_send_notice(
                        user, case, NoticeIn(to_org=opts["to"], subject=f"{label} {n}", text="Fictional.")
                    )
            except ActionError as exc:
                raise CommandError(f"notice {n} refused: {exc}") from exc
        elapsed = time.monotonic() - start
        self.stdout.write(
            f"queued {opts['count']} notices in {elapsed:.2f}s ({opts['count'] / max(elapsed, 1e-9):.1f}/s)"
        )
