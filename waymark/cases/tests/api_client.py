"""A JSON API client for tests: ``api_as(user)`` carries a fresh bearer token for that user."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from waymark.accounts.models import User
from waymark.accounts.tokens import issue_api_token
from waymark.vocab import Purpose


class ApiClient:
    """django.test.Client speaking JSON with ``Authorization: Bearer <token>``."""

    def __init__(self, token: str | None, purpose: str | None = Purpose.CHILD_PROTECTION) -> None:
        self.token = token
        self.purpose = purpose
        self.client = Client()

    def _headers(self) -> dict[str, Any]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        if self.purpose:
            headers["HTTP_WAYMARK_PURPOSE"] = str(self.purpose)
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, **self._headers())

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: str | bytes | None = None,
        content_type: str = "application/json",
    ) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        call = getattr(self.client, method.lower())
        return call(path, data=data, content_type=content_type, **self._headers())

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.send("PATCH", path, body, **kw)


# Tests of the policies give tokens every purpose a token can carry, so that what they see is the
# policies' answer, not the token's scope (tested on its own in test_finding_6_api_tokens.py).
EVERY_PURPOSE = [p for p in Purpose if p != Purpose.IMMIGRATION_ENFORCEMENT]


def issue_test_token(user: User, name: str = "tests", **kwargs: Any) -> tuple[Any, str]:
    """``issue_api_token`` with every purpose a token can carry unless told otherwise."""
    kwargs.setdefault("purposes", EVERY_PURPOSE)
    return issue_api_token(user, name, **kwargs)


def api_as(
    user: User, *, days: int | None = None, purpose: str | None = Purpose.CHILD_PROTECTION
) -> ApiClient:
    """A client for ``user`` declaring ``purpose`` in the Waymark-Purpose header (None: no header)."""
    _token, secret = issue_test_token(user, days=days)
    return ApiClient(secret, purpose)


def anonymous() -> ApiClient:
    return ApiClient(None)


def case_url(case: Any, suffix: str = "") -> str:
    return f"/api/cases/{case.public_id}{suffix}"
