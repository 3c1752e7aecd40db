"""Exchange pages and the peer inbox, under /exchange/."""

from __future__ import annotations

from django.urls import path

from . import views, views_inbox

app_name = "exchange"

urlpatterns = [
    path("inbox", views_inbox.inbox, name="inbox"),
    path("", views.dashboard, name="dashboard"),
    path("case/<uuid:public_id>/", views.case_exchange, name="case"),
    path("case/<uuid:public_id>/referral", views.send_referral, name="send_referral"),
    path("case/<uuid:public_id>/request", views.send_request, name="send_request"),
    path("case/<uuid:public_id>/notice", views.send_notice, name="send_notice"),
    path("case/<uuid:public_id>/transfer", views.send_transfer, name="send_transfer"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="referral"),
    path("referrals/<uuid:public_id>/<str:action>", views.referral_act, name="referral_act"),
    path("transfers/<uuid:public_id>/", views.transfer_detail, name="transfer"),
    path("transfers/<uuid:public_id>/<str:action>", views.transfer_act, name="transfer_act"),
    path("requests/<uuid:public_id>/", views.request_detail, name="request"),
    path("requests/<uuid:public_id>/answer", views.request_answer, name="request_answer"),
]
