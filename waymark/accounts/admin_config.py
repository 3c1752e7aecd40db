"""The admin app's configuration: the default site is ``admin_site.WaymarkAdminSite`` (node
administrators only). Its own module, light to import: ``INSTALLED_APPS`` loads it before any model."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class WaymarkAdminConfig(AdminConfig):
    default_site = "waymark.accounts.admin_site.WaymarkAdminSite"
