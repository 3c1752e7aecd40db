"""Pages of the case record. The names are used across apps: keep them stable."""

from __future__ import annotations

from django.urls import path

from . import views, views_policy, views_report

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("purpose/", views.purpose_choose, name="purpose_choose"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new", views.case_create, name="case_create"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:public_id>/child", views.child_edit, name="child_edit"),
    path("cases/<uuid:public_id>/edit", views.case_edit, name="case_edit"),
    path("cases/<uuid:public_id>/events/new", views.event_add, name="event_add"),
    path("cases/<uuid:public_id>/timeline", views.case_timeline, name="case_timeline"),
    path("cases/<uuid:public_id>/care-plan", views.care_plan_edit, name="care_plan_edit"),
    path("cases/<uuid:public_id>/aliases/new", views.alias_add, name="alias_add"),
    path(
        "cases/<uuid:public_id>/consents/<int:consent_id>/withdraw",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("cases/<uuid:public_id>/photo", views.child_photo, name="child_photo"),
    path("cases/<uuid:public_id>/accounts/new", views.account_add, name="account_add"),
    path("cases/<uuid:public_id>/access-report", views_report.access_report, name="access_report"),
    path(
        "cases/<uuid:public_id>/access-report.pdf", views_report.access_report_pdf, name="access_report_pdf"
    ),
    # The firewall's pages about a case (break-glass, the DPO's explanation), under /policy/.
    path("policy/break-glass/", views_policy.break_glass_list, name="break_glass_list"),
    path("policy/break-glass/new", views_policy.break_glass_open, name="break_glass_open"),
    path("policy/break-glass/<int:pk>/confirm", views_policy.break_glass_confirm, name="break_glass_confirm"),
    path("policy/explain", views_policy.explain_page, name="policy_explain"),
]
