"""Logging in and out, the second factor, and the few account pages Waymark offers.

allauth's views under /accounts/, but only those Waymark uses: no sign-up (the page says it is
closed), no e-mail management, no e-mail password reset, no login by e-mailed code. The URL
names ``login`` and ``logout`` (``LOGIN_URL``, templates, tests) and allauth's own
``account_login`` / ``account_logout`` name the same views. The second factor lives under
/accounts/2fa/ (allauth.mfa: authenticator app, security keys, recovery codes).
"""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.urls import include, path

# Django's and allauth's logout both accept GET (allauth then shows a confirmation page); here a
# link or an image cannot log anyone out: POST only.
logout = allauth_views.LogoutView.as_view(http_method_names=["post", "options"])

urlpatterns = [
    path("login/", allauth_views.login, name="login"),
    path("login/", allauth_views.login, name="account_login"),
    path("logout/", logout, name="logout"),
    path("logout/", logout, name="account_logout"),
    path("signup/", allauth_views.signup, name="account_signup"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", allauth_views.password_change, name="account_change_password"),
    path("password/set/", allauth_views.password_set, name="account_set_password"),
    path("2fa/", include("allauth.mfa.urls")),
]
