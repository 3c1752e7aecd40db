from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from waymark.api import api
from waymark.health import healthz

# The admin's own login form would skip the second factor: send it through allauth's login.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("waymark.accounts.urls")),
    path("exchange/", include("waymark.exchange.urls")),
    path("audit/", include("waymark.audit.urls")),
    path("missing/", include("waymark.missing.urls")),
    path("police/", include("waymark.police.urls")),
    path("matching/", include("waymark.matching.urls")),
    path("continuity/", include("waymark.continuity.urls")),
    path("hotline/", include("waymark.hotline.urls")),
    path("wards/", include("waymark.continuity.guardian_urls")),
    path("", include("waymark.cases.urls")),
]
