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
from django.utils import translation
from django.views.decorators.http import require_http_methods

from waymark.accounts.models import User
from waymark.audit import report, service
from waymark.audit.models import AuditEntry, Checkpoint
from waymark.cases.access import access_case
from waymark.errors import NotFound
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


@login_required
@require_http_methods(["GET"])
def access_report(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    try:
        case = access_case(me, public_id)
    except NotFound as exc:
        raise Http404 from exc
    requested = request.GET.get("lang") or translation.get_language() or "en"
    lang = requested.split("-")[0] if requested.split("-")[0] in _REPORT_LANGUAGES else "en"
    try:
        service.record(AuditKind.OTHER, actor=me, case=case, details={"viewed": "access_report"})
    except service.AuditUnavailable:
        return render(request, "audit/unavailable.html", status=SERVICE_UNAVAILABLE)
    rows = report.access_report(case.child)
    context = {
        "case": case,
        "lang": lang,
        "languages": _REPORT_LANGUAGES,
        "rows": [(row, report.plain_language(row, lang)) for row in rows],
    }
    return render(request, "audit/access_report.html", context)
