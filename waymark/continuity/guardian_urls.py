from django.urls import path

from . import guardian_views

app_name = "guardianship"

urlpatterns = [
    path("", guardian_views.wards, name="wards"),
    path("<uuid:public_id>/contacts", guardian_views.log_contact, name="log_contact"),
]
