"""Audit pages: the log's state for the DPO, and a child's access report.

- ``audit_log`` (GET; POST runs ``verify``): for the data protection officer and the node
  administrator only; anyone else gets 404. The DPO also sees their own organisation's latest
  entries (pseudonyms and case references, never names); the administrator sees sizes,
  checkpoints and verification only.
- ``access_report`` (GET): the child's report in plain language, for anyone who may see the case
  (``access_case``: its organisation, guardian, caseworker), else 404. Opening it is recorded;
  if that cannot be recorded the page is refused (503), like any unaudited access.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from waymark.accounts.models import User
from waymark.audit import pdf, report, service
from waymark.audit.models import AuditEntry, Checkpoint
from waymark.cases.access import access_case
from waymark.cases.models import Case
from waymark.errors import NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import AuditKind, Role

SERVICE_UNAVAILABLE = 503
_LATEST = 50
_REPORT_LANGUAGES = ("en", "ar", "fr", "it")


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required has run
    return user


@login_required
@require_http_methods(["GET", "POST"])
def audit_log(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if me.role not in (Role.DPO, Role.NODE_ADMIN) or not me.is_active:
        raise Http404
    result = service.verify() if request.method == "POST" else None
    size, root = service.current_root()
    entries: list[AuditEntry] = []
    if me.role == Role.DPO and me.organisation is not None:
        slug = me.organisation.slug
        entries = list(
            AuditEntry.objects.filter(Q(actor_org=slug) | Q(peer_org=slug)).order_by("-seq")[:_LATEST]
        )
    context = {
        "tree_size": size,
        "root_hash": root,
        "checkpoints": Checkpoint.objects.order_by("-tree_size", "-id")[:10],
        "verifier_key": service.verifier_key(),
        "origin": settings.WAYMARK_AUDIT_ORIGIN,
        "result": result,
        "entries": entries,
    }
    return render(request, "audit/log.html", context, status=200 if result is None or result.ok else 409)


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
        kind, actor=me, purpose=purpose, case=case, details={"viewed": "access_report", "format": fmt}
    )
    return case, lang, report.access_report(case.child)


@login_required
@purpose_required
@require_http_methods(["GET"])
def access_report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        case, lang, rows = _report(request, public_id, "html")
    except service.AuditUnavailable:
        return render(request, "audit/unavailable.html", status=SERVICE_UNAVAILABLE)
    context = {
        "case": case,
        "lang": lang,
        "languages": _REPORT_LANGUAGES,
        "rows": [(row, report.plain_language(row, lang)) for row in rows],
    }
    return render(request, "audit/access_report.html", context)


@login_required
@purpose_required
@require_http_methods(["GET"])
def access_report_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The same report, printable, for the guardian to go through with the child."""
    try:
        case, lang, rows = _report(request, public_id, "pdf")
    except service.AuditUnavailable:
        return render(request, "audit/unavailable.html", status=SERVICE_UNAVAILABLE)
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
