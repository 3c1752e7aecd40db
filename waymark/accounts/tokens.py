"""API tokens: issue, revoke, and authenticate ``Authorization: Bearer <token>``.

A token is ``wmk_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored; a request is authenticated by hashing what it presents and looking the hash up, so
the secret is never compared character by character and never kept in clear.

``ApiTokenAuth`` tells django-ninja who holds the token; ``waymark.policy.purpose.api_caller`` adds
the purpose the request declares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken, User

TOKEN_PREFIX = "wmk_"  # noqa: S105  (a public marker, not a secret)
# Writing last_used_at on every request would turn every read into a write; a minute is
# precise enough to tell an administrator whether a token is still in use.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(secret: str) -> str:
    """The stored form of a secret: hex SHA-256 (the secret is random, so no salt is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_api_token(user: User, name: str, *, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret, which is never shown again.

    ``days``: lifetime in days; ``None`` means it lasts until revoked.
    """
    if not name.strip():
        raise ValueError("a token needs a name saying what it is for")
    if days is not None and days <= 0:
        raise ValueError("days must be positive")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=days) if days is not None else None
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:8],
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    return token, secret


def revoke_api_token(token: ApiToken) -> None:
    """Refuse this token from now on (the row stays, so its use remains explainable)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or ``None`` (unknown, revoked, expired, inactive)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - _LAST_USED_RESOLUTION:
        # A conditional UPDATE: concurrent requests do not fight over the row.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - _LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user


class ApiTokenAuth(HttpBearer):
    """django-ninja auth: ``Authorization: Bearer wmk_…``. Anything else is a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token.strip())
