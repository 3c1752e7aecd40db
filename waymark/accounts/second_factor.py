"""Who must have a second factor, whether they have one, and provisioning one for demo users.

A second factor is an allauth ``Authenticator`` of type TOTP (an authenticator app) or WebAuthn
(a security key). Recovery codes do not count: allauth creates them alongside a TOTP device, and
alone they are a list of passwords, not a second factor.

- :func:`requires_second_factor` — while ``settings.WAYMARK_REQUIRE_SECOND_FACTOR`` is on (always
  in production), every role that reads special categories or can open break-glass, the DPO, the
  node administrator and anyone with access to the admin cannot use Waymark until they have one
  (``waymark.accounts.middleware.SecondFactorRequiredMiddleware``). Which roles those are is
  derived from the Cedar policies by ``waymark.policy.reach``, which registers its answer here
  when the policy app starts (:func:`register_role_check`; this app sits below the policy app
  and cannot import it). Until it has, every role is asked for one: deny by default.
- :func:`has_second_factor` — one query, never cached, so removing a factor takes effect at once.
- :func:`provision_totp` — give a user a TOTP authenticator and return its base32 secret (the
  ``mfa_totp_demo`` command, and tests). Normal users set theirs up at /accounts/2fa/ instead,
  where the secret never leaves their screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def _every_role(role: str) -> bool:
    return True


_role_check: Callable[[str], bool] = _every_role


def register_role_check(check: Callable[[str], bool]) -> None:
    """Set the function that says whether a role needs a second factor (the policy app's)."""
    global _role_check
    _role_check = check


def second_factor_enforced() -> bool:
    """Production: always. Development and tests: off unless WAYMARK_REQUIRE_SECOND_FACTOR says so."""
    return bool(settings.WAYMARK_REQUIRE_SECOND_FACTOR)


def role_requires_second_factor(role: str) -> bool:
    """Whether this role needs a second factor when it is enforced (whatever the setting says)."""
    return _role_check(role)


def requires_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True if this signed-in person must have a second factor before using Waymark."""
    if not user.is_authenticated or not second_factor_enforced():
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True  # the admin edits agreements, organisations and tokens
    return role_requires_second_factor(getattr(user, "role", ""))


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """True if the user has an authenticator app or a security key registered."""
    if not user.is_authenticated or user.pk is None:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()


def provision_totp(user: AbstractBaseUser) -> str:
    """Register a new TOTP authenticator (and recovery codes) for ``user``; return the secret.

    Audited like a factor added through the set-up page. Raises ``ValueError`` if the user
    already has one (allauth allows one TOTP device per user;
    deactivate it at /accounts/2fa/ first). The caller is responsible for showing the secret only
    to its owner.
    """
    with transaction.atomic():
        if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
            raise ValueError(f"{user.get_username()} already has an authenticator app")
        secret = generate_totp_secret()
        totp = TOTP.activate(user, secret).instance
        RecoveryCodes.activate(user)
        # The same signal allauth's set-up page sends: the audit log records the new factor.
        mfa_signals.authenticator_added.send(
            sender=Authenticator, request=None, user=user, authenticator=totp
        )
    return secret


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` at time ``at`` (now by default).

    RFC 6238 with allauth's settings (SHA-1, ``MFA_TOTP_DIGITS``, ``MFA_TOTP_PERIOD``), the same
    computation pyotp's ``TOTP(secret).now()`` does; for tests and the demo command.
    """
    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // mfa_settings.TOTP_PERIOD))
