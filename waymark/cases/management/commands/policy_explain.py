"""``manage.py policy_explain``: would this user be allowed, and which policy decides?"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.policy import service
from waymark.vocab import DataCategory, PolicyAction, Purpose


def find_case(ref: str) -> Case | None:
    qs = Case.objects.select_related("organisation")
    try:
        return qs.filter(public_id=uuid.UUID(ref)).first()
    except ValueError:
        return qs.filter(reference=ref).first()


class Command(BaseCommand):
    help = "Print ALLOW or DENY for one user, case, purpose, category and action, with the deciding policies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--case", required=True, help="case reference (IT-2026-000001) or public id")
        parser.add_argument("--purpose", required=True, choices=Purpose.values)
        parser.add_argument("--category", required=True, choices=DataCategory.values)
        parser.add_argument("--action", default=PolicyAction.READ.value, choices=PolicyAction.values)

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.select_related("organisation").filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"no user {opts['user']!r}")
        case = find_case(opts["case"])
        if case is None:
            raise CommandError(f"no case {opts['case']!r}")
        decision = service.explain(user, case, opts["purpose"], opts["category"], opts["action"])
        self.stdout.write(decision.explanation)
        self.stdout.write(f"policies: {', '.join(decision.reasons)}")
        self.stdout.write(f"agreement: {decision.agreement_id or '-'}")
