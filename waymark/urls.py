from django.contrib import admin
from django.urls import include, path

from waymark.api import api
from waymark.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("waymark.accounts.urls")),
    path("exchange/", include("waymark.exchange.urls")),
    path("audit/", include("waymark.audit.urls")),
    path("", include("waymark.cases.urls")),
]
