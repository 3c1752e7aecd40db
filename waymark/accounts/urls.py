"""Sign in and out (Django's auth views; the second factor comes with the accounts work)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Django's LogoutView accepts POST only: a link or an image cannot log someone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
