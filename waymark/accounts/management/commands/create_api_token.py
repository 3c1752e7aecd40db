"""``manage.py create_api_token USERNAME --name NAME [--days N]``: print a new API token once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.accounts.models import User
from waymark.accounts.tokens import issue_api_token


class Command(BaseCommand):
    help = "Issue an API token for a user. The secret is printed once and never stored in clear."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'case import'")
        parser.add_argument(
            "--days", type=int, default=None, help="lifetime in days (default: until revoked)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {options['username']!r}") from exc
        if not user.is_active:
            raise CommandError(f"{user.username} is not active; an inactive user's token would be refused")
        try:
            token, secret = issue_api_token(user, options["name"], days=options["days"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        expiry = token.expires_at.isoformat() if token.expires_at else "never (until revoked)"
        # The secret goes to stdout alone so scripts can capture it; the rest goes to stderr.
        self.stderr.write(f"Token {token.prefix}… for {user.username} ({token.name}); expires: {expiry}")
        self.stderr.write("Copy it now: it cannot be shown again.")
        self.stdout.write(secret)
