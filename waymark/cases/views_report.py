"""The child's access report as a page of the case, and as a printable PDF.

GET only, for anyone who may see the case for their purpose (``access_case``: its organisation,
guardian, caseworker), else 404. The report is read from the audit log by the child's public id
(``waymark.audit.report``), the organisations named as this node knows them. Opening it is
recorded (an export when it is the PDF); if that cannot be recorded the page is refused (503),
like any unaudited access.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from waymark.accounts.models import User, organisation_names
from waymark.audit import pdf, report, service
from waymark.errors import NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import AuditKind

from .access import access_case
from .models import Case

SERVICE_UNAVAILABLE = 503
_REPORT_LANGUAGES = ("en", "ar", "fr", "it")


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required has run
    return user


def _report(request: HttpRequest, public_id: uuid.UUID, fmt: str) -> tuple[Case, str, list[report.ReportRow]]:
    """The case (if the user may see it for their purpose), the report language and its rows.

    The language is the one asked for, else the child's first language that has a translation,
    else the page's. Producing the report is recorded (an export when it is a PDF).
    """
    me = _me(request)
    purpose = current_purpose(request)
    assert purpose is not None
    try:
        case = access_case(me, public_id, purpose).case
    except NotFound as exc:
        raise Http404 from exc
    childs = [code for code in case.child.languages or [] if code in _REPORT_LANGUAGES]
    requested = request.GET.get("lang") or (childs[0] if childs else translation.get_language()) or "en"
    lang = requested.split("-")[0] if requested.split("-")[0] in _REPORT_LANGUAGES else "en"
    kind = AuditKind.EXPORT if fmt == "pdf" else AuditKind.OTHER
    service.record(
        kind,
        actor=me,
        purpose=purpose,
        subject=case.audit_subject,
        details={"viewed": "access_report", "format": fmt},
    )
    return case, lang, report.access_report(case.child.public_id, org_names=organisation_names)


@login_required
@purpose_required
@require_http_methods(["GET"])
def access_report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        case, lang, rows = _report(request, public_id, "html")
    except service.AuditUnavailable:
        return render(request, "cases/audit_unavailable.html", status=SERVICE_UNAVAILABLE)
    context = {
        "case": case,
        "lang": lang,
        "languages": _REPORT_LANGUAGES,
        "rows": [(row, report.plain_language(row, lang)) for row in rows],
    }
    return render(request, "cases/access_report.html", context)


@login_required
@purpose_required
@require_http_methods(["GET"])
def access_report_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The same report, printable, for the guardian to go through with the child."""
    try:
        case, lang, rows = _report(request, public_id, "pdf")
    except service.AuditUnavailable:
        return render(request, "cases/audit_unavailable.html", status=SERVICE_UNAVAILABLE)
    body = pdf.render_access_report(
        reference=case.reference,
        lang=lang,
        printed=timezone.localdate().isoformat(),
        sentences=[(row.allowed, report.plain_language(row, lang)) for row in rows],
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="access-report-{case.reference}-{lang}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
