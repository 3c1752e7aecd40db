"""The roles that see the most cannot use Waymark until they have a second factor.

``SecondFactorRequiredMiddleware`` (after ``AuthenticationMiddleware``, ``AccountMiddleware`` and
``MessageMiddleware``): while the requirement is enforced (``WAYMARK_REQUIRE_SECOND_FACTOR``,
always in production), a signed-in user whose role requires a second factor
(``waymark.accounts.second_factor.requires_second_factor``) and who has neither an authenticator app nor a
security key is redirected to the authenticator-app set-up page (htmx requests get an
``HX-Redirect`` instead of a 302, so the page is not swapped into a fragment).

Still reachable without a factor: the set-up pages themselves (authenticator app, security key,
the 2FA overview; once a factor exists the recovery codes page follows), re-entering the password that set-up may ask for, login and
logout, the language switch, static files, ``/healthz`` and ``/api/`` (the API authenticates
with tokens, not sessions). Everything else, the admin included, is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from waymark.accounts.second_factor import has_second_factor, requires_second_factor

SETUP_URL_NAME = "mfa_activate_totp"

ALLOWED_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "account_login",
        "account_logout",
        "account_inactive",
        "account_reauthenticate",
        "set_language",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
    }
)

# Machine interfaces, not pages: the API takes bearer tokens, /healthz is for the load balancer.
ALLOWED_PATH_PREFIXES = ("/api/", "/healthz")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if not requires_second_factor(request.user) or self._allowed(request):
            return None
        if has_second_factor(request.user):
            return None
        setup = reverse(SETUP_URL_NAME)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = setup
            return response
        messages.warning(
            request,
            _(
                "Your role gives you access to personal data of many people, so your account "
                "needs a second factor. Set up an authenticator app (or a security key) to continue."
            ),
        )
        return HttpResponseRedirect(setup)

    @staticmethod
    def _allowed(request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith(ALLOWED_PATH_PREFIXES) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        match = request.resolver_match
        return match is not None and match.url_name in ALLOWED_URL_NAMES
