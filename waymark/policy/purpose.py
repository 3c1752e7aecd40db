"""The purpose of an access: declared once per web session, or per API request in a header.

Every access to child data names a purpose (FIREWALL.md). In the web UI the user picks it once
(``/purpose/``) and may change it at any time; pages that touch child data require one
(``purpose_required``). An API request declares it in ``Waymark-Purpose``; ``api_caller`` is the
one function API handlers call to learn who is asking and why. ``parse_purpose`` turns what was
declared into a ``Purpose`` or raises ``PurposeRequired``; immigration enforcement parses, and is
refused by the policies (or, for the API, here at once, audited by ``record_refusal``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from ninja.errors import AuthenticationError

from waymark.accounts.models import User
from waymark.accounts.tokens import request_token
from waymark.audit import service as audit
from waymark.errors import ActionError, Refused
from waymark.vocab import AuditDecision, AuditKind, PolicyAction, Purpose

SESSION_KEY = "waymark.purpose"
PURPOSE_HEADER = "Waymark-Purpose"

F = TypeVar("F", bound=Callable[..., Any])


class PurposeRequired(Exception):
    """No purpose (or an unknown one) was declared for an access to child data."""


def parse_purpose(value: str | None) -> Purpose:
    """A declared purpose, or ``PurposeRequired``. Immigration enforcement parses: the policies refuse it."""
    if not value:
        raise PurposeRequired("declare the purpose of this access")
    try:
        return Purpose(value)
    except ValueError as exc:
        raise PurposeRequired(f"'{value}' is not a purpose; use one of {', '.join(Purpose.values)}") from exc


def record_refusal(user: User, purpose: str, why: str) -> None:
    """Audit a refusal that happened before any case was chosen (e.g. a forbidden purpose)."""
    audit.record(
        AuditKind.ACCESS_DECISION,
        actor=user,
        purpose=purpose,
        decision=AuditDecision.DENY,
        reasons=[why],
        details={"action": PolicyAction.READ},
    )


# --- the web session ----------------------------------------------------------------------


def current_purpose(request: HttpRequest) -> Purpose | None:
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    try:
        return Purpose(value) if value else None
    except ValueError:
        return None


def set_purpose(request: HttpRequest, purpose: Purpose) -> None:
    request.session[SESSION_KEY] = str(purpose)


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def purpose_required(view: F) -> F:
    """Send the user to choose a purpose first, then back to where they were going."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_purpose(request) is None:
            url = reverse("purpose_choose") + "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


# --- the API ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling the API, and for which declared purpose."""

    user: User
    purpose: Purpose


def api_caller(request: HttpRequest) -> ApiCaller:
    """The caller of an authenticated API request and their purpose. Every handler starts here.

    The ``Waymark-Purpose`` header is required (400 naming it when missing or unknown); the
    purpose immigration_enforcement is refused outright (403) and the refusal audited, and so is a
    purpose the caller's token was not issued for.
    """
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        # Unreachable while every operation requires ApiTokenAuth; refuse rather than guess.
        raise AuthenticationError()
    try:
        purpose = parse_purpose(request.headers.get(PURPOSE_HEADER))
    except PurposeRequired as exc:
        raise ActionError(str(exc), field=PURPOSE_HEADER) from exc
    if purpose == Purpose.IMMIGRATION_ENFORCEMENT:
        record_refusal(user, purpose, "firewall-purpose")
        raise Refused(
            "refused by the firewall: child data is never used for immigration enforcement",
            field=PURPOSE_HEADER,
        )
    token = request_token(request)
    if token is None or not token.allows_purpose(purpose):
        record_refusal(user, purpose, "token-scope")
        allowed = ", ".join(token.purposes) if token is not None else "none"
        raise Refused(
            f"this token may not be used for {purpose}; it may declare: {allowed}", field=PURPOSE_HEADER
        )
    return ApiCaller(user=user, purpose=purpose)
