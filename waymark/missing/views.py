"""Pages of the missing-child response: report a disappearance (quick on a phone), the
disappearance with its risk and protocol checklist, the Missing-now board, the notifications.

Thin like the case pages: child data only through ``access.py`` (policy decided and audited; a
case one may not see is a 404), input through a form that feeds the schema, writes through one
``actions.do_*``. Form errors answer 422 so htmx and tests see them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.cases.access import CaseAccess, access_case
from waymark.core.codes import countries
from waymark.core.measures import THRESHOLD
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import (
    AuditKind,
    DataCategory,
    MissingCategory,
    MissingTrigger,
    PolicyAction,
    Purpose,
    Role,
    Sector,
)

from . import actions, hooks, measures
from .access import DisappearanceAccess, access_disappearance, board_page
from .forms import DisappearanceForm, RiskForm
from .models import Disappearance, Notification, StepStatus
from .protocols import find

UNPROCESSABLE = 422


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _purpose(request: HttpRequest) -> Purpose:
    purpose = current_purpose(request)
    assert purpose is not None
    return purpose


def _disappearance(
    request: HttpRequest, public_id: uuid.UUID, *categories: str, action: str = PolicyAction.READ
) -> DisappearanceAccess:
    try:
        return access_disappearance(
            _me(request), public_id, _purpose(request), action=action, categories=categories
        )
    except NotFound as exc:
        raise Http404 from exc


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Report the child of this case missing (the policy must let the user write every category
    the report holds, for their purpose)."""
    me = _me(request)
    try:
        seen: CaseAccess = access_case(
            me,
            case_id,
            _purpose(request),
            action=PolicyAction.UPDATE,
            categories=Disappearance.REPORT_CATEGORIES,
        )
    except NotFound as exc:
        raise Http404 from exc
    case = seen.case
    open_now = Disappearance.objects.filter(case=case, closed_at__isnull=True).first()
    if open_now is not None:
        return redirect("missing:detail", public_id=open_now.public_id)
    if request.method == "POST":
        form = DisappearanceForm(request.POST)
        if form.is_valid():
            assert form.schema is not None
            try:
                d = actions.do_report_disappearance(me, case, form.schema)
            except ActionError as exc:
                form.add_error(None, "; ".join(m for ms in exc.errors.values() for m in ms))
            else:
                return redirect("missing:detail", public_id=d.public_id)
    else:
        form = DisappearanceForm(
            initial={"last_seen_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
    return render(
        request,
        "missing/report.html",
        {"form": form, "case": case, "access": seen, "countries": sorted(countries().items())},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


def _detail_context(seen: DisappearanceAccess, risk_form: RiskForm | None = None) -> dict[str, Any]:
    d = seen.disappearance
    now = timezone.now()
    user = seen.case_access.user
    protocol = find(d.protocol)
    checklist = d.risk_checklist if seen.can(DataCategory.TRAFFICKING_INDICATORS) else {}
    return {
        "d": d,
        "case": d.case,
        "access": seen.case_access,
        "steps": list(d.steps.select_related("done_by")),
        "protocol": protocol,
        "triggers": [MissingTrigger(t).label for t in d.triggers if t in MissingTrigger.values],
        "risk_form": risk_form
        or RiskForm(
            initial={**checklist, "previous_disappearances": checklist.get("previous_disappearances", 0)}
        ),
        "now": now,
        # Other apps' sections (the police side): each decides and audits what it shows.
        "panels": hooks.panels(user, seen, now) if user is not None else [],
    }


@login_required
@purpose_required
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    seen = _disappearance(request, public_id)
    return render(request, "missing/detail.html", _detail_context(seen))


@login_required
@purpose_required
@require_POST
def assess_risk(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    seen = _disappearance(request, public_id, *Disappearance.RISK_CATEGORIES, action=PolicyAction.UPDATE)
    form = RiskForm(request.POST)
    if form.is_valid():
        assert form.schema is not None
        try:
            actions.do_assess_risk(_me(request), seen.disappearance, form.schema)
        except ActionError as exc:
            form.add_error(None, "; ".join(m for ms in exc.errors.values() for m in ms))
        else:
            return redirect("missing:detail", public_id=public_id)
    return render(request, "missing/detail.html", _detail_context(seen, form), status=UNPROCESSABLE)


@login_required
@purpose_required
@require_POST
def step_done(request: HttpRequest, public_id: uuid.UUID, key: str) -> HttpResponse:
    seen = _disappearance(request, public_id, DataCategory.CASE_NOTES, action=PolicyAction.UPDATE)
    if not seen.can(DataCategory.CASE_NOTES):
        raise Http404  # the steps are case notes: who cannot read them does not tick them
    try:
        actions.do_mark_step_done(
            _me(request), seen.disappearance, key, note=request.POST.get("note", "")[:2000]
        )
    except ActionError as exc:
        context = _detail_context(seen)
        context["step_error"] = "; ".join(m for ms in exc.errors.values() for m in ms)
        return render(request, "missing/detail.html", context, status=UNPROCESSABLE)
    return redirect("missing:detail", public_id=public_id)


def _board_clocks(steps: list[StepStatus], now: dt.datetime) -> dict[str, Any]:
    """What a board row draws: the most overdue step's clock and the next one still running;
    the other overdue steps by name, the rest counted (every clock is on the disappearance's
    page). Fifty rows of eight clocks each were too slow to draw, and too much to read."""
    open_steps = sorted(
        (s for s in steps if s.done_at is None and s.stopped_at is None), key=lambda s: s.due_at
    )
    overdue = [s for s in open_steps if now >= s.due_at]  # an open step's clock is overdue from due_at
    running = [s for s in open_steps if s not in overdue]
    shown = overdue[:1] + running[:1]
    return {
        "clocks": shown,
        "overdue_others": [s.label for s in overdue[1:]],
        "more_open": len(running[1:]),
        "done": [s for s in steps if s.done_at],
    }


@login_required
@purpose_required
def board(request: HttpRequest) -> HttpResponse:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = board_page(_me(request), _purpose(request), number)
    extra = hooks.board_clocks([d.case.pk for d in page.rows], page.now)
    rows = [
        {
            "d": d,
            "identity": page.shown(d, DataCategory.IDENTITY),
            "location": page.shown(d, DataCategory.CONTACT_LOCATION),
            "notes": page.shown(d, DataCategory.CASE_NOTES),
            "acks": page.acknowledgements(d),
            **_board_clocks(list(d.steps.all()), page.now),
            # Other apps' clocks on the case (a police request's reply), shown with the identity.
            "extra_clocks": extra.get(d.case.pk, []),
        }
        for d in page.rows
    ]
    return render(request, "missing/board.html", {"page": page, "rows": rows, "now": page.now})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        actions.do_read_notifications(me)
        return redirect("missing:notifications")
    items = list(Notification.objects.filter(user=me)[:100])
    return render(request, "missing/notifications.html", {"items": items})


def _may_see_measures(user: User) -> bool:
    org = user.organisation
    return org is not None and org.sector != Sector.IMMIGRATION_ENFORCEMENT and user.role != Role.NODE_ADMIN


@login_required
def measures_page(request: HttpRequest) -> HttpResponse:
    """Aggregates of this organisation's disappearances (purpose statistics: never a case)."""
    me = _me(request)
    if not _may_see_measures(me):
        raise Http404
    rows = measures.measures(me.organisation)  # type: ignore[arg-type]
    audit.record(
        AuditKind.OTHER, actor=me, purpose=Purpose.STATISTICS, details={"action": "missing_measures"}
    )
    return render(
        request,
        "missing/measures.html",
        {
            "rows": [(MissingCategory(r.category).label, r) for r in rows],
            "bars": measures.bars(rows),
            "threshold": THRESHOLD,
            "chart_width": measures.CHART_WIDTH,
            "chart_height": measures.ROW_HEIGHT * len(rows),
        },
    )


@login_required
def measures_csv(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not _may_see_measures(me):
        raise Http404
    text = measures.as_csv(measures.measures(me.organisation))  # type: ignore[arg-type]
    audit.record(
        AuditKind.EXPORT, actor=me, purpose=Purpose.STATISTICS, details={"action": "missing_measures_csv"}
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="missing-measures.csv"'
    return response
