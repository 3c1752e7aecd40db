"""The child's access report as a page of the case, and as a printable PDF.

GET only. The report shows where the child's data went — who read it, which organisations
received it, from where: their movements. So it is narrower than the case: ``access_case`` must
open the case for the user's purpose (and records that), and then the user must be the child's
guardian, or a caseworker, supervisor or data protection officer of the organisation that holds
the case (``may_read_access_report``). Anyone else gets 404, the same as for a case that does not
exist, and the refusal is recorded. The report is read from the audit log by the child's public
id (``waymark.audit.report``), ``REPORT_PAGE`` rows at a time with a link to the next
(``?after=<seq>``), so a request costs the same however long the log; the PDF prints the same
part. Opening it is recorded (an export when it is the PDF); if that cannot be recorded the page
is refused (503), like any unaudited access.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import get_language_info
from django.views.decorators.http import require_http_methods

from waymark.accounts.models import User, organisation_names
from waymark.audit import report, service
from waymark.core.protocol.vocab import FORBIDDEN_SECTORS
from waymark.errors import NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import AuditDecision, AuditKind, Role

from .access import access_case
from .models import Case

SERVICE_UNAVAILABLE = 503
# The report's languages: the interface's four and the drafts (Dari, Pashto, Tigrinya) whose
# names and direction settings.EXTRA_LANG_INFO declares.
_REPORT_LANGUAGES = tuple(report.PHRASEBOOKS)
# Rows per page (and per printed part): the work of one request, whatever the log's length.
REPORT_PAGE = 200
_MAX_SEQ = 2**63 - 1
# Who, in the organisation that holds the case, may see where the child's data went.
REPORT_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.DPO})


def may_read_access_report(user: User, case: Case) -> bool:
    """The child's guardian, or a caseworker, supervisor or DPO of the organisation holding the
    case (never an organisation of a sector the firewall refuses)."""
    if user.role == Role.GUARDIAN and case.guardian_id is not None and case.guardian_id == user.pk:
        return True
    org = user.organisation
    return (
        org is not None
        and org.pk == case.organisation_id
        and org.sector not in FORBIDDEN_SECTORS
        and user.role in REPORT_ROLES
    )


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required has run
    return user


class _BadCursor(Exception):
    pass


def _after(request: HttpRequest) -> int:
    raw = request.GET.get("after", "")
    if not raw:
        return -1
    try:
        after = int(raw)
    except ValueError as exc:
        raise _BadCursor from exc
    if not -1 <= after <= _MAX_SEQ:
        raise _BadCursor
    return after


@dataclass(frozen=True)
class _Page:
    case: Case
    lang: str
    rows: list[report.ReportRow]
    next_after: int | None  # the cursor of the next page, None on the last one


def _report(request: HttpRequest, public_id: uuid.UUID, fmt: str) -> _Page:
    """The case (if the user may see it for their purpose and read its report), the report
    language and one page of rows.

    The language is the one asked for, else the child's first language that has a translation,
    else the page's. Producing the report is recorded (an export when it is a PDF).
    """
    me = _me(request)
    purpose = current_purpose(request)
    assert purpose is not None
    after = _after(request)
    try:
        case = access_case(me, public_id, purpose).case
    except NotFound as exc:
        raise Http404 from exc
    if not may_read_access_report(me, case):
        service.record(
            AuditKind.OTHER,
            actor=me,
            purpose=purpose,
            decision=AuditDecision.DENY,
            subject=case.audit_subject,
            details={"viewed": "access_report", "format": fmt, "refused": "not a reader of the report"},
        )
        raise Http404
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
    rows = report.access_report(
        case.child.public_id, org_names=organisation_names, after=after, limit=REPORT_PAGE + 1
    )
    more = len(rows) > REPORT_PAGE
    rows = rows[:REPORT_PAGE]
    return _Page(case, lang, rows, rows[-1].seq if more else None)


def _sentences(
    page: _Page,
) -> tuple[list[tuple[report.ReportGroup, str]], list[tuple[report.ReportGroup, str]]]:
    """The page's rows grouped (the same access on one day is one sentence), in the report's
    language: the accesses to the child's data, and apart, when this report itself was printed."""
    groups = [(g, report.plain_language(g, page.lang)) for g in report.group_rows(page.rows)]
    accesses = [(g, s) for g, s in groups if g.action != report.ReportAction.REPORT]
    printings = [(g, s) for g, s in groups if g.action == report.ReportAction.REPORT]
    return accesses, printings


@login_required
@purpose_required
@require_http_methods(["GET"])
def access_report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        page = _report(request, public_id, "html")
    except _BadCursor:
        return HttpResponseBadRequest("after: the number of the last entry shown")
    except service.AuditUnavailable:
        return render(request, "cases/audit_unavailable.html", status=SERVICE_UNAVAILABLE)
    accesses, printings = _sentences(page)
    book = report.phrasebook(page.lang)
    context = {
        "case": page.case,
        "lang": page.lang,
        "lang_dir": "rtl" if get_language_info(page.lang)["bidi"] else "ltr",
        "book": book,
        # Not "languages": base.html's language menu takes that name.
        "report_languages": [
            {**get_language_info(code), "draft": report.phrasebook(code).draft} for code in _REPORT_LANGUAGES
        ],
        "rows": page.rows,
        "accesses": accesses,
        "printings": printings,
        "after": request.GET.get("after", ""),
        "next_after": page.next_after,
    }
    return render(request, "cases/access_report.html", context)


@login_required
@purpose_required
@require_http_methods(["GET"])
def access_report_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The same report, printable, for the guardian to go through with the child: the part that
    starts after ``?after=`` (the beginning by default), saying when a next part follows."""
    try:
        page = _report(request, public_id, "pdf")
    except _BadCursor:
        return HttpResponseBadRequest("after: the number of the last entry shown")
    except service.AuditUnavailable:
        return render(request, "cases/audit_unavailable.html", status=SERVICE_UNAVAILABLE)
    case, lang = page.case, page.lang
    accesses, printings = _sentences(page)
    # fpdf (about 60 MiB) is imported when a report is printed, not by every process at start-up.
    from waymark.audit import pdf

    body = pdf.render_access_report(
        reference=case.reference,
        lang=lang,
        printed=timezone.localdate().isoformat(),
        sentences=[(group.allowed, sentence) for group, sentence in accesses],
        printings=[sentence for _, sentence in printings],
        continued=page.next_after is not None,
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="access-report-{case.reference}-{lang}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
