"""Admin for accounts, for node administrators only (``admin_access.NodeAdminOnly``).

API tokens are read-only apart from revocation: secrets are never shown, and scope, purposes,
expiry and revocation are fixed once set — a revoked token cannot be revived, an expired one not
extended, a read-only one not widened (issue a new token instead). Failed-login records
(django-axes) can be looked at and deleted, which lifts a lock-out early.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .admin_access import NodeAdminOnly
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(NodeAdminOnly, admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "scope")
    search_fields = ("name", "prefix", "user__username")
    fields = (
        "user",
        "name",
        "prefix",
        "token_hash",
        "scope",
        "purposes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    # Only the name (what the token is for) can be corrected; revoking is the action below.
    readonly_fields = tuple(f for f in fields if f != "name")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are issued by `manage.py create_api_token`, the one place the secret is shown.
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.")


@admin.register(AccessAttempt)
class AccessAttemptAdmin(NodeAdminOnly, AxesAccessAttemptAdmin):
    """Failed logins per username and address (``AXES_ENABLE_ADMIN`` is off: this replaces it)."""
