from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from waymark.policy.purpose import current_purpose


def waymark(request: HttpRequest) -> dict[str, Any]:
    return {
        "WAYMARK_NODE_NAME": settings.WAYMARK_NODE_NAME,
        "WAYMARK_DEMO": settings.WAYMARK_DEMO,
        "current_purpose": current_purpose(request),
    }
