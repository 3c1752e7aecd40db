from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("break-glass/", views.break_glass_list, name="break_glass_list"),
    path("break-glass/new", views.break_glass_open, name="break_glass_open"),
    path("break-glass/<int:pk>/confirm", views.break_glass_confirm, name="break_glass_confirm"),
    path("explain", views.explain_page, name="policy_explain"),
]
