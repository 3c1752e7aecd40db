"""Logging in through the pages, as a browser does (``client.login`` would skip the form)."""

from __future__ import annotations

import time

from django.urls import reverse

from waymark.accounts.models import User
from waymark.accounts.second_factor import totp_code
from waymark.test import PASSWORD


def log_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def enter_code(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def confirm_password(client, password=PASSWORD):
    """allauth asks for the password again before a second factor is added or removed."""
    return client.post(reverse("account_reauthenticate"), {"password": password})


def logged_in_as(client) -> str | None:
    """The username the session belongs to, or None."""
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


def a_wrong_code(secret: str) -> str:
    """A code not valid in any step of the tolerance window (the previous, this and the next)."""
    valid = {totp_code(secret, at=time.time() + d) for d in (-30, 0, 30)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)
