"""API tokens: issue, revoke, and authenticate ``Authorization: Bearer <token>``.

A token is ``wmk_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored; a request is authenticated by hashing what it presents and looking the hash up, so
the secret is never compared character by character and never kept in clear.

A token is scoped: ``read`` or ``read_write`` (a read-only token is refused every write with a
403), and the purposes a request may declare with it (``waymark.policy.purpose.api_caller``
refuses any other, audited). It always expires: ``WAYMARK_API_TOKEN_DAYS`` (90) unless issued
for fewer days, never more than ``WAYMARK_API_TOKEN_MAX_DAYS`` (365). Scope, purposes and expiry
are fixed at issue; to change them, issue a new token and revoke the old one.

``ApiTokenAuth`` tells django-ninja who holds the token (and refuses a write to a read-only
token); ``waymark.policy.purpose.api_caller`` adds the purpose the request declares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from waymark.errors import Refused
from waymark.vocab import Purpose, TokenScope

from .models import ApiToken, User

TOKEN_PREFIX = "wmk_"  # noqa: S105  (a public marker, not a secret)
# Writing last_used_at on every request would turn every read into a write; a minute is
# precise enough to tell an administrator whether a token is still in use.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(secret: str) -> str:
    """The stored form of a secret: hex SHA-256 (the secret is random, so no salt is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_api_token(
    user: User,
    name: str,
    *,
    purposes: Iterable[str],
    scope: TokenScope = TokenScope.READ_WRITE,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret, which is never shown again.

    ``purposes``: what a request may declare with it (the command's default is what the user's role
    can ever use: ``waymark.policy.reach.purposes_for_role``); ``scope``: read, or read and write;
    ``days``: lifetime, ``WAYMARK_API_TOKEN_DAYS`` by default, at most ``WAYMARK_API_TOKEN_MAX_DAYS``.
    """
    if not name.strip():
        raise ValueError("a token needs a name saying what it is for")
    lifetime = settings.WAYMARK_API_TOKEN_DAYS if days is None else days
    if not 0 < lifetime <= settings.WAYMARK_API_TOKEN_MAX_DAYS:
        raise ValueError(f"days must be between 1 and {settings.WAYMARK_API_TOKEN_MAX_DAYS}")
    chosen: list[str] = []
    for value in purposes:
        try:
            purpose = Purpose(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a purpose; use one of {', '.join(Purpose.values)}") from exc
        if purpose == Purpose.IMMIGRATION_ENFORCEMENT:
            raise ValueError(
                "a token never carries the purpose immigration_enforcement (the firewall refuses it)"
            )
        if purpose.value not in chosen:
            chosen.append(purpose.value)
    if not chosen:
        raise ValueError("a token needs at least one purpose it may declare")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:8],
        token_hash=hash_token(secret),
        expires_at=timezone.now() + dt.timedelta(days=lifetime),
        scope=TokenScope(scope),
        purposes=chosen,
    )
    return token, secret


def revoke_api_token(token: ApiToken) -> None:
    """Refuse this token from now on (the row stays, so its use remains explainable)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret (its user active), or ``None`` (unknown, revoked, expired)."""
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
    return token


def user_for_token(secret: str) -> User | None:
    """The active user a live token belongs to, or ``None``."""
    token = token_for_secret(secret)
    return token.user if token is not None else None


# Where ApiTokenAuth leaves the token on the request, for api_caller's purpose check.
_REQUEST_ATTRIBUTE = "waymark_api_token"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_token(request: HttpRequest) -> ApiToken | None:
    """The token this API request was authenticated with (``None`` if it was not)."""
    token = getattr(request, _REQUEST_ATTRIBUTE, None)
    return token if isinstance(token, ApiToken) else None


class ApiTokenAuth(HttpBearer):
    """django-ninja auth: ``Authorization: Bearer wmk_…``. Anything else is a 401; a write with a
    read-only token is a 403."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_for_secret(token.strip())
        if found is None:
            return None
        if request.method not in READ_METHODS and not found.may_write:
            raise Refused(
                "this token is read-only: it may not change anything; issue a read and write token",
                field="Authorization",
            )
        setattr(request, _REQUEST_ATTRIBUTE, found)
        return found.user
