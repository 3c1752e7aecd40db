"""``manage.py mfa_totp_demo USERNAME``: give a demo user an authenticator app, print its secret.

For the fictional demo only (the user's organisation must be marked fictional; refused in
production): the demo DPO and node administrator must have a second factor before they can use
Waymark, and this saves scanning a QR code during a demonstration. Real people set theirs up at
/accounts/2fa/, where the secret never leaves their screen.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from waymark.accounts.models import User
from waymark.accounts.second_factor import provision_totp, totp_code


class Command(BaseCommand):
    help = "Demo users only: register a TOTP authenticator for USERNAME and print its secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("mfa_totp_demo is for the fictional demo, never production")
        try:
            user = User.objects.select_related("organisation").get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no user named {options['username']!r}") from exc
        if user.organisation is None or not user.organisation.is_fictional:
            raise CommandError(
                f"{user.username} is not a demo user (organisation not marked fictional); "
                "real people set up their authenticator app at /accounts/2fa/"
            )
        try:
            secret = provision_totp(user)
        except ValueError as exc:
            raise CommandError(f"{exc}; remove it at /accounts/2fa/ first") from exc
        uri = get_mfa_adapter().build_totp_url(user, secret)
        qr = qrcode.QRCode(border=1)
        qr.add_data(uri)
        drawing = io.StringIO()
        qr.print_ascii(out=drawing, invert=True)
        # The secret alone on stdout, so scripts can capture it; explanations on stderr.
        self.stderr.write(f"Authenticator app registered for {user.username}. Scan this, or add the secret:")
        self.stderr.write(drawing.getvalue())
        self.stderr.write(f"  {uri}")
        self.stderr.write(f"The code right now is {totp_code(secret)} (it changes every 30 seconds).")
        self.stdout.write(secret)
