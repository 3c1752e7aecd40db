"""Pages of family tracing on a case: record or change a relative, the guardian's agreement and
the confirmation of a family link (buttons on the case page), and a reunification plan with its
status. Thin: the case through ``access_case`` for the declared purpose — every write needs
``update`` on ``family``, else the same 404 as no case — input through a form that feeds the
schema, writes through one ``actions.do_*``. Form errors answer 422."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.cases.access import CaseAccess, access_case
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, PolicyAction

from . import actions
from .family_forms import RelativeForm, ReunificationPlanForm
from .models import BestInterests, PlanStatus, Relative, ReunificationPlan
from .schemas import RelativeUpdateIn, ReunificationPlanUpdateIn

UNPROCESSABLE = 422
FAMILY = DataCategory.FAMILY


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _write(request: HttpRequest, case_id: uuid.UUID) -> CaseAccess:
    """The case if the user may update its family data for the declared purpose (audited)."""
    purpose = current_purpose(request)
    assert purpose is not None
    try:
        return access_case(_me(request), case_id, purpose, action=PolicyAction.UPDATE, categories=[FAMILY])
    except NotFound as exc:
        raise Http404 from exc


def _relative(seen: CaseAccess, relative_id: uuid.UUID) -> Relative:
    found = (
        Relative.objects.filter(case=seen.case, public_id=relative_id).select_related("case__child").first()
    )
    if found is None:
        raise Http404
    return found


def _errors(form: RelativeForm | ReunificationPlanForm, exc: ActionError) -> None:
    for field, errors in exc.errors.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def add_relative(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    seen = _write(request, case_id)
    form = RelativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        try:
            actions.do_add_relative(_me(request), seen.case, form.schema)
        except ActionError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Relative recorded."))
            return redirect("case_detail", public_id=seen.case.public_id)
    return render(
        request,
        "continuity/relative_form.html",
        {"form": form, "case": seen.case, "access": seen, "relative": None},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def edit_relative(request: HttpRequest, case_id: uuid.UUID, relative_id: uuid.UUID) -> HttpResponse:
    seen = _write(request, case_id)
    relative = _relative(seen, relative_id)
    initial = {
        name: getattr(relative, name)
        for name in (
            "full_name",
            "name_latin",
            "relationship",
            "country",
            "last_known_place",
            "contact",
            "contact_status",
            "contact_consent",
            "contact_consent_on",
        )
    }
    form = RelativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        changes = RelativeUpdateIn(**form.schema.model_dump())
        try:
            actions.do_update_relative(_me(request), relative, changes)
        except ActionError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Relative updated."))
            return redirect("case_detail", public_id=seen.case.public_id)
    return render(
        request,
        "continuity/relative_form.html",
        {"form": form, "case": seen.case, "access": seen, "relative": relative},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


@login_required
@purpose_required
@require_POST
def guardian_agreement(request: HttpRequest, case_id: uuid.UUID, relative_id: uuid.UUID) -> HttpResponse:
    seen = _write(request, case_id)
    try:
        actions.do_record_guardian_agreement(_me(request), _relative(seen, relative_id))
    except ActionError as exc:
        messages.error(request, "; ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Your agreement is recorded."))
    return redirect("case_detail", public_id=seen.case.public_id)


@login_required
@purpose_required
@require_POST
def confirm_relative(request: HttpRequest, case_id: uuid.UUID, relative_id: uuid.UUID) -> HttpResponse:
    seen = _write(request, case_id)
    try:
        actions.do_confirm_family_link(_me(request), _relative(seen, relative_id))
    except ActionError as exc:
        messages.error(request, "; ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Family link confirmed."))
    return redirect("case_detail", public_id=seen.case.public_id)


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def record_plan(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    seen = _write(request, case_id)
    confirmed = [
        (str(r.public_id), f"{r.get_relationship_display()} — {r.full_name}")
        for r in Relative.objects.filter(case=seen.case, link="confirmed")
    ]
    # The assessments are listed by their header (kind, recommendation, date): legal status.
    assessments = (
        [
            (
                str(b.public_id),
                f"{b.get_kind_display()} · {b.get_recommendation_display()} · {b.recorded_at:%Y-%m-%d}",
            )
            for b in BestInterests.objects.filter(case=seen.case)
        ]
        if seen.can(BestInterests.HEADER_CATEGORY)
        else []
    )
    form = ReunificationPlanForm(request.POST or None, relatives=confirmed, assessments=assessments)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        try:
            actions.do_record_reunification_plan(_me(request), seen.case, form.schema)
        except ActionError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Reunification plan recorded."))
            return redirect("case_detail", public_id=seen.case.public_id)
    return render(
        request,
        "continuity/reunification_plan_form.html",
        {"form": form, "case": seen.case, "access": seen, "confirmed": confirmed},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


@login_required
@purpose_required
@require_POST
def plan_status(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    seen = _write(request, case_id)
    plan = ReunificationPlan.objects.filter(case=seen.case, public_id=plan_id).first()
    if plan is None:
        raise Http404
    status = request.POST.get("status", "")
    try:
        if status not in PlanStatus.values:
            raise ActionError(_("choose a status"), field="status")
        actions.do_update_reunification_plan(
            _me(request), plan, ReunificationPlanUpdateIn(status=PlanStatus(status))
        )
    except ActionError as exc:
        messages.error(request, "; ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Reunification plan updated."))
    return redirect("case_detail", public_id=seen.case.public_id)
