"""``manage.py create_api_token USERNAME --name NAME [--read-only] [--purpose P ...] [--days N]``.

Prints a new API token once. Defaults: read and write, the purposes the user's role can ever use
under the policies (``waymark.policy.reach.purposes_for_role``), ``WAYMARK_API_TOKEN_DAYS`` (90)
days. It lives in the policy app because "the role's purposes" is a question for the policies.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.accounts.models import User
from waymark.accounts.tokens import issue_api_token
from waymark.policy.reach import purposes_for_role
from waymark.vocab import Purpose, TokenScope


class Command(BaseCommand):
    help = "Issue an API token for a user. The secret is printed once and never stored in clear."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'case import'")
        parser.add_argument(
            "--read-only",
            action="store_true",
            help="refuse every write with this token (default: read and write)",
        )
        parser.add_argument(
            "--purpose",
            action="append",
            choices=[p.value for p in Purpose if p != Purpose.IMMIGRATION_ENFORCEMENT],
            help="a purpose the token may declare; repeat for several (default: every purpose of the user's role)",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"lifetime in days (default {settings.WAYMARK_API_TOKEN_DAYS}, "
            f"at most {settings.WAYMARK_API_TOKEN_MAX_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {options['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"{user.username} is not active; an inactive user's token would be refused")
        if not user.role:
            raise CommandError(f"{user.username} has no role; the policies open nothing to them")
        purposes = options["purpose"] or sorted(purposes_for_role(user.role))
        if not purposes:
            raise CommandError(
                f"the role {user.role} can use no purpose under the policies (it never sees child data); "
                "a token would be refused everything"
            )
        scope = TokenScope.READ if options["read_only"] else TokenScope.READ_WRITE
        try:
            token, secret = issue_api_token(
                user, options["name"], purposes=purposes, scope=scope, days=options["days"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        assert token.expires_at is not None
        # The secret goes to stdout alone so scripts can capture it; the rest goes to stderr.
        self.stderr.write(
            f"Token {token.prefix}… for {user.username} ({token.name}): {TokenScope(token.scope).label.lower()}, "
            f"purposes {', '.join(token.purposes)}; expires {token.expires_at.isoformat()}"
        )
        self.stderr.write("Copy it now: it cannot be shown again.")
        self.stdout.write(secret)
