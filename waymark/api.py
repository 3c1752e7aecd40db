"""The JSON API (django-ninja): OpenAPI 3 at /api/openapi.json. Routers live in each app's api.py."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Waymark API", version="1", urls_namespace="api")
