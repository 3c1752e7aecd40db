"""The JSON API (django-ninja): OpenAPI 3 at /api/openapi.json (public), docs at /api/docs
(logged-in users only).

Routers live in each app's api.py. Deny by default: every operation requires an API token
(``Authorization: Bearer wmk_…``, see accounts/tokens.py) unless it opts out explicitly.

Every error is JSON of one shape (``ErrorOut``)::

    {"detail": "<summary>", "errors": {"<field.path>": ["message", ...]}}

with field paths as in the request body ("child.nationality", "" for the body as a whole);
a 409 probable duplicate adds ``"duplicates": [references]``.

The document says what a request must be, and the statuses keep to it: a request that breaks
it (a type, a format, a bound, an unknown field, a missing or unknown ``Waymark-Purpose``) is a
400; one that conforms but breaks a rule the document cannot state — each operation's 422
response lists them — is a 422. ``Waymark-Purpose`` is declared on every operation here, from
``Purpose``, since ``api_caller`` (not a ninja parameter) reads it (docs/api.md).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import pydantic
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError, ValidationErrorContext
from ninja.parser import Parser

from waymark.accounts.tokens import ApiTokenAuth
from waymark.cases.api import appointments_router
from waymark.cases.api import router as cases_router
from waymark.cases.api_schemas import ErrorOut
from waymark.continuity.api import router as continuity_router
from waymark.continuity.family_api import router as family_router
from waymark.continuity.guardian_api import router as guardian_contacts_router
from waymark.continuity.guardian_api import wards_router as guardian_wards_router
from waymark.errors import ActionError, DuplicateWarning, NotFound, field_errors
from waymark.exchange.api import router as alerts_router
from waymark.exchange.api_threads import router as threads_router
from waymark.hotline.api import router as hotline_router
from waymark.missing.api import router as missing_router
from waymark.police.api import router as police_router
from waymark.policy.purpose import PURPOSE_HEADER
from waymark.vocab import Purpose

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Request bodies: JSON only, and a parse failure says where


class MalformedJSON(ValueError):
    """The body is not JSON; the message names the position."""


class UnsupportedMediaType(ValueError):
    """The body is not declared as JSON."""


def _no_constants(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON does not, and neither do we.
    raise ValueError(f"{name} is not valid JSON")


class JsonBodyParser(Parser):
    """ninja's parser, refusing non-JSON content types and naming where JSON breaks.

    ninja wraps any parser exception in ``HttpError(400)``; the handler below looks at the
    cause to answer 415 or a precise 400.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(f"send the body as application/json, not {content_type or 'no type'}")
        try:
            data = json.loads(request.body, parse_constant=_no_constants)
        except json.JSONDecodeError as exc:
            raise MalformedJSON(
                f"malformed JSON body: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise MalformedJSON(f"malformed JSON body: {exc}") from exc
        try:
            # JSON may escape half a surrogate pair ("\ud800"), which is no Unicode text and
            # which no database stores: refuse it here rather than fail on the write.
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedJSON("malformed JSON body: a string holds half a surrogate pair") from exc
        return data


# ---------------------------------------------------------------------------------------------
# Validation errors with field paths


class FieldValidationError(ValidationError):
    """ninja's ValidationError, plus ``fields``: {dotted.path: [message]} as clients see them."""

    def __init__(self, errors: list[dict[str, Any]], fields: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.fields = fields


def _request_fields(context: ValidationErrorContext[Any]) -> dict[str, list[str]]:
    """Field errors of one request part, keyed by the path a client sent.

    A single body parameter is wrapped by ninja under its Python name (``payload``); the
    client never saw that name, so it is dropped ("payload.child.nationality" ->
    "child.nationality"; "payload" alone -> "", the body as a whole).
    """
    model = context.model
    wrapper = getattr(model, "__read_from_single_attr__", None)
    out: dict[str, list[str]] = {}
    for key, messages in field_errors(context.pydantic_validation_error).items():
        if wrapper and (key == wrapper or key.startswith(wrapper + ".")):
            key = key[len(wrapper) + 1 :]
            if key == "" and messages == ["Field required"]:
                messages = ["a JSON body is required"]
        out.setdefault(key, []).extend(messages)
    return out


PURPOSE_PARAMETER: dict[str, Any] = {
    "name": PURPOSE_HEADER,
    "in": "header",
    "required": True,
    "description": (
        "Why you are accessing child data (every access is decided and audited for it). "
        "immigration_enforcement is always refused (403) by the firewall."
    ),
    "schema": {"type": "string", "enum": list(Purpose.values)},
}


def _rule_status(errors: list[dict[str, Any]]) -> int:
    """422 when every error is a rule the document cannot state (our validators raise
    ``ValueError``: pydantic's "value_error"), else 400: the request breaks the document."""
    return 422 if errors and all(e.get("type") == "value_error" for e in errors) else 400


class WaymarkAPI(NinjaAPI):
    """NinjaAPI with field-path validation errors, JSON for unknown paths and methods, and the
    ``Waymark-Purpose`` header in the OpenAPI document of every authenticated operation."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                # Responses declared with ``response=`` (int codes) and in ``openapi_extra`` (str
                # codes, the 422 rules) are one answer each: merged, or the JSON would hold the
                # same key twice (which Swagger UI refuses to parse).
                merged: dict[str, Any] = {}
                for code, answer in sorted(
                    operation.get("responses", {}).items(), key=lambda kv: isinstance(kv[0], str)
                ):
                    merged[str(code)] = {**merged.get(str(code), {}), **answer}
                if "responses" in operation:
                    operation["responses"] = merged
                parameters = operation.setdefault("parameters", [])
                if operation.get("security") and PURPOSE_PARAMETER not in parameters:
                    parameters.append(PURPOSE_PARAMETER)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        plain = super().validation_error_from_error_contexts(error_contexts)
        fields: dict[str, list[str]] = {}
        for context in error_contexts:
            for key, messages in _request_fields(context).items():
                fields.setdefault(key, []).extend(messages)
        return FieldValidationError(plain.errors, fields)

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_not_allowed(pattern.callback)
                if pattern.name == "openapi-view":
                    # The interactive docs page is for people logged in to this node; the
                    # document itself (openapi-json) stays public: it holds no data, and clients
                    # and tools read it. (ninja's docs_decorator would wrap both.)
                    pattern.callback = login_required(pattern.callback)
        # Last, so it only catches what no operation matched.
        patterns.append(re_path(r"^.*$", self._unknown_path, name="unknown"))
        return patterns, app_name, namespace

    def _unknown_path(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(request, 404, "not found")


def _json_method_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a wrong method with plain text; API clients get the JSON error shape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            json_response = error_response(request, 405, f"method not allowed; allowed: {allowed}")
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapped


api = WaymarkAPI(
    title="Waymark API",
    version="1",
    description=(
        "Case management for children in migration. Authenticate with `Authorization: Bearer "
        "<token>` (issued by `manage.py create_api_token`). Errors: "
        '`{"detail": "...", "errors": {"field.path": ["message"]}}`.'
    ),
    urls_namespace="api",
    auth=ApiTokenAuth(),
    parser=JsonBodyParser(),
)


# ---------------------------------------------------------------------------------------------
# Exception handlers: every error leaves as ErrorOut


def error_response(
    request: HttpRequest,
    status: int,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = ErrorOut(detail=detail, errors=errors or {}, **extra)
    return api.create_response(request, body.model_dump(exclude_none=True), status=status)


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if isinstance(exc, FieldValidationError):
        fields = exc.fields
    else:
        fields = {}
        for err in exc.errors:
            fields.setdefault(".".join(str(p) for p in err["loc"][1:]), []).append(str(err["msg"]))
    return error_response(request, _rule_status(list(exc.errors)), "invalid input", fields)


@api.exception_handler(pydantic.ValidationError)
def _on_pydantic_error(request: HttpRequest, exc: pydantic.ValidationError) -> HttpResponse:
    # Raised inside a handler when it validates a merged input again (e.g. PATCH).
    errors = [dict(e) for e in exc.errors()]
    return error_response(request, _rule_status(errors), "invalid input", field_errors(exc))


@api.exception_handler(ActionError)
def _on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    if isinstance(exc, DuplicateWarning):
        return error_response(
            request, exc.status, "probable duplicate", exc.errors, duplicates=exc.duplicates
        )
    status = exc.status
    if type(exc) is ActionError and set(exc.errors) == {PURPOSE_HEADER}:
        # The header is required and an enum in the document: missing or unknown breaks it.
        status = 400
    return error_response(request, status, "refused", exc.errors)


@api.exception_handler(NotFound)
def _on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    # Identical for "does not exist" and "not yours to see" (access.py).
    return error_response(request, 404, "not found")


@api.exception_handler(Http404)
def _on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not found")


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, 401, "authentication required: send Authorization: Bearer <token> with a valid API token"
    )
    response["WWW-Authenticate"] = 'Bearer realm="waymark"'
    return response


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaType):
        return error_response(request, 415, str(cause), {"": [str(cause)]})
    if isinstance(cause, MalformedJSON):
        return error_response(request, 400, str(cause), {"": [str(cause)]})
    return error_response(request, exc.status_code, exc.message)


@api.exception_handler(RequestDataTooBig)
def _on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "request body too large")


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Never a traceback to a client, even with DEBUG on: it may quote child data.
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(request, 500, "internal error")


api.add_router("/cases", cases_router)
api.add_router("/cases", continuity_router)
api.add_router("/cases", guardian_contacts_router)
api.add_router("/cases", family_router)
api.add_router("/guardian-appointments", appointments_router)
api.add_router("/guardian", guardian_wards_router)
api.add_router("", alerts_router)
api.add_router("/missing", missing_router)
api.add_router("/police", police_router)

api.add_router("/hotline", hotline_router)
api.add_router("", threads_router)
