from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.break_glass_list, name="break_glass_list"),
    path("new", views.break_glass_open, name="break_glass_open"),
    path("<int:pk>/confirm", views.break_glass_confirm, name="break_glass_confirm"),
]
