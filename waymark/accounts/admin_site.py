"""The Django admin, for node administrators only.

``admin_config.WaymarkAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so that the
default ``admin.site`` is a ``WaymarkAdminSite``: whatever a model's admin or a user's Django
permissions say, only an active staff account with the role ``node_admin`` gets past the site's
gate (others are sent to the login page). The ``ModelAdmin``s Waymark registers add the same rule
themselves (``admin_access.NodeAdminOnly``). A ``createsuperuser`` account has no role: give it
``node_admin`` (and an organisation) before using the admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .admin_access import is_node_admin


class WaymarkAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return is_node_admin(request.user)
