from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from waymark.accounts.models import User
from waymark.accounts.second_factor import second_factor_enforced
from waymark.cases.roles import capabilities
from waymark.missing.actions import unread_count
from waymark.policy.purpose import current_purpose


def waymark(request: HttpRequest) -> dict[str, Any]:
    purpose = current_purpose(request)
    user = getattr(request, "user", None)
    return {
        "WAYMARK_NODE_NAME": settings.WAYMARK_NODE_NAME,
        "WAYMARK_DEMO": settings.WAYMARK_DEMO,
        # Development only (production refuses to start with it off): the banner in base.html.
        "WAYMARK_SECOND_FACTOR_OFF": not second_factor_enforced(),
        "current_purpose": purpose,
        # What the menu offers this role (includes/nav.html): asked of the policies only when drawn.
        "caps": SimpleLazyObject(lambda: capabilities(request)),
        "may_register_now": SimpleLazyObject(lambda: capabilities(request).may_register(purpose)),
        # Overdue protocol steps and the like (waymark.missing): the count in the header.
        "notifications_unread": unread_count(user) if isinstance(user, User) else 0,
    }
