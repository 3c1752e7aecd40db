"""Exchange pages and the peer inbox, under /exchange/. One route per role of a page, whatever
the kind of thread: ``<kind>s/<id>/`` is a thread's page (``referrals/…``, ``requests/…``)."""

from __future__ import annotations

from django.urls import path

from . import views, views_erasure, views_inbox, views_missing

app_name = "exchange"

urlpatterns = [
    path("inbox", views_inbox.inbox, name="inbox"),
    path("", views.dashboard, name="dashboard"),
    # The DPO's erasure pages (before the thread routes: "erasure/…" is not a kind's page).
    path("erasure/", views_erasure.home, name="erasure"),
    path("erasure/case/<uuid:public_id>/", views_erasure.erase_case, name="erasure_case"),
    path(
        "erasure/notices/<uuid:public_id>/keep/<uuid:case_id>", views_erasure.keep_case, name="erasure_keep"
    ),
    path("erasure/notices/<uuid:public_id>/retry", views_erasure.retry, name="erasure_retry"),
    path("missing/<uuid:public_id>/close", views_missing.close_disappearance, name="close_disappearance"),
    path("case/<uuid:public_id>/", views.case_exchange, name="case"),
    path(
        "case/<uuid:public_id>/take-charge/<uuid:request_id>/send",
        views.send_take_charge,
        name="send_take_charge",
    ),
    path("case/<uuid:public_id>/<slug:slug>", views.send, name="send"),
    path("<slug:slug>s/<uuid:public_id>/", views.thread_page, name="thread"),
    path("<slug:slug>s/<uuid:public_id>/<str:action>", views.thread_act, name="thread_act"),
]
