"""Who may use the Django admin: node administrators, and nobody else.

Django lets any active staff user with the model permission into a model's admin pages, and a
superuser into all of them, whatever their Waymark role. Here, two locks:

- the site itself (``admin_site.WaymarkAdminSite``, Django's default ``admin.site``) lets in only
  an active staff account whose role is ``node_admin``: every model's pages, whoever registered
  them (Django's groups, allauth's e-mail addresses and authenticators, axes' attempts), sit
  behind it;
- every ``ModelAdmin`` Waymark registers mixes in ``NodeAdminOnly``: viewing, adding, changing and
  deleting also need that role (on top of Django's model permission), should a page ever be
  reached another way.

A staff user without a role (a ``createsuperuser`` account, say) or with another role sees
nothing there: give them the role ``node_admin`` first. A test walks every registered model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from waymark.vocab import Role

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def is_node_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_staff", False)
        and getattr(user, "role", "") == Role.NODE_ADMIN
    )


class NodeAdminOnly:
    """Mix into a ``ModelAdmin`` (first): every permission also needs the role node_admin."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_node_admin(request.user) and bool(super().has_module_permission(request))  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_node_admin(request.user) and bool(super().has_view_permission(request, obj))  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_node_admin(request.user) and bool(super().has_add_permission(request, *args))  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_node_admin(request.user) and bool(super().has_change_permission(request, obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_node_admin(request.user) and bool(super().has_delete_permission(request, obj))  # type: ignore[misc]
