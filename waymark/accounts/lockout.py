"""Lock-out after repeated failed logins, with django-axes (settings: the ``AXES_*`` block).

The counters live where every worker process sees them: the database (axes' database handler,
the default) or Redis when ``WAYMARK_REDIS_URL`` is set (axes' cache handler).

- **The password step** counts failures per *username and address together*
  (``AXES_LOCKOUT_PARAMETERS``). After ``WAYMARK_LOGIN_ATTEMPTS`` failures that username is
  refused from that address — even with the right password — for ``WAYMARK_LOGIN_LOCKOUT_SECONDS``
  after the last counted failure. Attempts refused during the lock-out are not counted, so
  hammering does not prolong it. An attacker who knows a username locks it out only from their
  own address: its owner, elsewhere, still logs in.
- **The second step** (a code from an authenticator app or a recovery code) is reached only with
  the right password, so it counts per *account*, from any address: spreading guesses over many
  addresses does not multiply them. Its failures are recorded under the username with
  ``SECOND_FACTOR_MARK`` appended, apart from the password step's. Only this module adds the
  mark: whatever is typed into the login form is counted as a password-step name.

This module gives axes what it asks through settings: the backend that refuses a locked-out
login (``LockoutBackend``), the username and the address to count under, the lock-out parameters
for each step, and the page shown (429). The audit log records each refused attempt
(``login_failed`` with ``{"reason": "locked_out"}``): waymark.audit.signals reads
``LOCKED_OUT_ATTRIBUTE`` on the request, set here, for the password step; forms.AuthenticateForm
records the second step's.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from allauth.account.adapter import get_adapter
from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SECOND_FACTOR_MARK = " (second factor)"  # a space: Django's username validator never allows one
# Set on a request whose login attempt axes refused because of a lock-out (read by the audit app).
LOCKED_OUT_ATTRIBUTE = "waymark_login_locked_out"
# In the credentials this module hands axes for a second-step attempt (never in a login form's).
_SECOND_STEP_FLAG = "waymark_second_step"
_PASSWORD_STEP: list[str | list[str]] = [["username", "ip_address"]]
_SECOND_STEP: list[str | list[str]] = ["username"]


class LockoutBackend(AxesStandaloneBackend):
    """First in ``AUTHENTICATION_BACKENDS``: refuses a locked-out username and address.

    ``authenticate()`` without a request happens only outside HTTP (a shell, a test's
    ``client.login``): there is no address to count against, and axes is not asked.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        try:
            super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, LOCKED_OUT_ATTRIBUTE, True)
            raise
        return None  # this backend never logs anyone in; the next ones check the password


def _known(username: str) -> bool:
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).exists()


def _pseudonym(typed: str) -> str:
    # People sometimes type their password into the username field: an unknown username is kept
    # only as a keyed hash (still equal for equal input, so it is counted just the same).
    digest = hmac.new(settings.SECRET_KEY.encode(), typed.encode(), hashlib.sha256).hexdigest()
    return f"unknown:{digest[:32]}"


def attempt_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the name an attempt is counted under.

    A username that names an account is kept as typed (so a node administrator can find it in the
    admin); anything else as a keyed hash. Second-step attempts keep their mark.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials is not None:
        typed = credentials.get(field)
    else:
        typed = request.POST.get(field) if request.method == "POST" else None
    if not typed:
        return None
    name = str(typed)[:150]
    counted = name if _known(name) else _pseudonym(name)
    # The mark comes only from this module (second_step_credentials), never from what was typed:
    # "giulia (second factor)" typed at the password step is an unknown name, hashed.
    return counted + SECOND_FACTOR_MARK if _second_step(credentials) else counted


def lockout_parameters(
    request_or_attempt: Any, credentials: dict[str, Any] | None = None
) -> list[str | list[str]]:
    """``AXES_LOCKOUT_PARAMETERS``: username and address for passwords, the account for codes.

    Asked about a request (with the attempt's credentials) or about a stored attempt (no
    credentials: its counted username tells, since only second-step names carry the mark).
    """
    if credentials is not None:
        second = _second_step(credentials)
    else:
        second = str(getattr(request_or_attempt, "username", "") or "").endswith(SECOND_FACTOR_MARK)
    return _SECOND_STEP if second else _PASSWORD_STEP


def client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address as allauth sees it (``WAYMARK_TRUSTED_PROXY_COUNT``)."""
    try:
        return str(get_adapter(request).get_client_ip(request))
    except PermissionDenied:
        return None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a page, 429, saying how long to wait (never whose account)."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return render(request, "account/lockout.html", {"minutes": minutes}, status=429)


# --- the second step ---------------------------------------------------------------------------


def second_step_credentials(user: Any) -> dict[str, Any]:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username(), _SECOND_STEP_FLAG: True}


def _second_step(credentials: dict[str, Any] | None) -> bool:
    return bool(credentials and credentials.get(_SECOND_STEP_FLAG) is True)


def second_step_allowed(request: HttpRequest, user: Any) -> bool:
    return bool(AxesProxyHandler.is_allowed(request, second_step_credentials(user)))


def second_step_failed(request: HttpRequest, user: Any) -> None:
    AxesProxyHandler.user_login_failed(
        sender=LockoutBackend, credentials=second_step_credentials(user), request=request
    )


def second_step_succeeded(user: Any) -> None:
    """A right code clears the account's second-step failures (the password step's stay per address)."""
    name = attempt_username(HttpRequest(), second_step_credentials(user))
    AxesProxyHandler.reset_attempts(username=name)
