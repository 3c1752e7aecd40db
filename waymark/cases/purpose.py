"""The purpose a web user declared for their work, kept in the session and shown on every page.

Every access to child data names a purpose (FIREWALL.md). In the web UI the user picks it once
(``/purpose/``) and may change it at any time; pages that touch child data require one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from waymark.vocab import Purpose

SESSION_KEY = "waymark.purpose"

F = TypeVar("F", bound=Callable[..., Any])


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
