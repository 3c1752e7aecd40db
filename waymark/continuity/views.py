"""Pages of the continuity app: record a best-interests assessment or determination, and a
supervisor's approval of a determination; record an age assessment, a challenge to it and the
challenge's outcome; record and update a take-charge request. Thin: the case through ``access_case`` (policy
decided and audited; a case one may not write is a 404), input through a form that feeds the
schema, writes through one ``actions.do_*``. Form errors answer 422."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.cases.access import CaseAccess, access_case
from waymark.cases.forms import WaymarkForm
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, PolicyAction

from . import actions
from .forms import AgeAssessmentForm, BestInterestsForm, ChallengeForm, ChallengeOutcomeForm, TakeChargeForm
from .models import (
    AgeAssessment,
    AgeAssessmentChallenge,
    BestInterests,
    ChallengeOutcome,
    FamilyLink,
    Relative,
    TakeChargeRequest,
)

UNPROCESSABLE = 422
# What recording one needs at least (the action asks for the rest of what it writes).
_RECORD = (DataCategory.LEGAL_STATUS, DataCategory.DISCLOSURE, DataCategory.CASE_NOTES)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def record_best_interests(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    me, purpose = _me(request), current_purpose(request)
    assert purpose is not None
    form = BestInterestsForm(request.POST or None)
    valid = request.method == "POST" and form.is_valid()
    # One decision (and audit entry) per request: for a valid form, every category it writes
    # must be open to the author (health, family, ...), else the same 404 as no case at all.
    writes = actions.written_categories(form.schema) if valid and form.schema else list(_RECORD)
    try:
        seen = access_case(me, case_id, purpose, action=PolicyAction.UPDATE, categories=writes)
    except NotFound as exc:
        raise Http404 from exc
    if valid:
        assert form.schema is not None
        try:
            actions.do_record_best_interests(me, seen.case, form.schema)
        except ActionError as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Best-interests assessment recorded."))
            return redirect("case_detail", public_id=seen.case.public_id)
    return render(
        request,
        "continuity/best_interests_form.html",
        {"form": form, "case": seen.case, "access": seen},
        status=UNPROCESSABLE if request.method == "POST" else 200,
    )


@login_required
@purpose_required
@require_POST
def approve_determination(request: HttpRequest, case_id: uuid.UUID, record_id: uuid.UUID) -> HttpResponse:
    me, purpose = _me(request), current_purpose(request)
    assert purpose is not None
    try:
        seen = access_case(
            me, case_id, purpose, action=PolicyAction.UPDATE, categories=[BestInterests.HEADER_CATEGORY]
        )
    except NotFound as exc:
        raise Http404 from exc
    record = BestInterests.objects.filter(case=seen.case, public_id=record_id).first()
    if record is None:
        raise Http404
    try:
        actions.do_approve_determination(me, record)
    except ActionError as exc:
        messages.error(request, "; ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(request, _("Determination approved."))
    return redirect("case_detail", public_id=seen.case.public_id)


# ---------------------------------------------------------------------------------------------
# Age assessments, challenges and outcomes; take-charge requests


def _writable(request: HttpRequest, case_id: uuid.UUID, *categories: str) -> CaseAccess:
    """The case if the signed-in user may change every one of ``categories`` under their
    declared purpose (decided and audited), else a 404."""
    purpose = current_purpose(request)
    assert purpose is not None
    try:
        return access_case(_me(request), case_id, purpose, action=PolicyAction.UPDATE, categories=categories)
    except NotFound as exc:
        raise Http404 from exc


def _refused(form: WaymarkForm, exc: ActionError) -> None:
    for field, errors in exc.errors.items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, context, status=UNPROCESSABLE if request.method == "POST" else 200)


def _back_to(seen: CaseAccess, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('case_detail', args=[seen.case.public_id])}#{anchor}")


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def record_age_assessment(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A new age assessment, kept beside every earlier one (identity data)."""
    seen = _writable(request, case_id, DataCategory.IDENTITY)
    form = AgeAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        try:
            actions.do_record_age_assessment(_me(request), seen.case, form.schema)
        except ActionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Age assessment recorded; any earlier one is kept."))
            return _back_to(seen, "age-h")
    earlier = list(AgeAssessment.objects.filter(case=seen.case).select_related("organisation"))
    return _page(
        request,
        "continuity/age_assessment_form.html",
        {"form": form, "case": seen.case, "access": seen, "earlier": earlier},
    )


def _assessment(seen: CaseAccess, assessment_id: uuid.UUID) -> AgeAssessment:
    found = AgeAssessment.objects.filter(case=seen.case, public_id=assessment_id).first()
    if found is None:
        raise Http404
    return found


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def challenge_age_assessment(
    request: HttpRequest, case_id: uuid.UUID, assessment_id: uuid.UUID
) -> HttpResponse:
    """The child (or their guardian) challenges an assessment: an event on the timeline."""
    seen = _writable(request, case_id, DataCategory.IDENTITY)
    assessment = _assessment(seen, assessment_id)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        try:
            actions.do_challenge_age_assessment(_me(request), assessment, form.schema)
        except ActionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Challenge recorded."))
            return _back_to(seen, "age-h")
    return _page(
        request,
        "continuity/challenge_form.html",
        {"form": form, "case": seen.case, "access": seen, "assessment": assessment, "deciding": None},
    )


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def decide_challenge(request: HttpRequest, case_id: uuid.UUID, assessment_id: uuid.UUID) -> HttpResponse:
    """The outcome of the assessment's pending challenge: upheld (set aside) or rejected."""
    seen = _writable(request, case_id, DataCategory.IDENTITY)
    assessment = _assessment(seen, assessment_id)
    pending = AgeAssessmentChallenge.objects.filter(
        assessment=assessment, outcome=ChallengeOutcome.PENDING
    ).first()
    if pending is None:
        raise Http404
    form = ChallengeOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        try:
            actions.do_decide_challenge(_me(request), pending, form.schema)
        except ActionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Outcome of the challenge recorded."))
            return _back_to(seen, "age-h")
    return _page(
        request,
        "continuity/challenge_form.html",
        {"form": form, "case": seen.case, "access": seen, "assessment": assessment, "deciding": pending},
    )


def _take_charge_page(
    request: HttpRequest, seen: CaseAccess, existing: TakeChargeRequest | None
) -> HttpResponse:
    records = list(BestInterests.objects.filter(case=seen.case).order_by("-recorded_at", "-id"))
    # The confirmed relatives the request may rest on: family data, offered only to who reads it.
    relatives = (
        list(Relative.objects.filter(case=seen.case, link=FamilyLink.CONFIRMED))
        if seen.can(DataCategory.FAMILY)
        else []
    )
    initial = TakeChargeForm.initial_from(existing) if existing is not None else None
    form = TakeChargeForm(request.POST or None, initial=initial, records=records, relatives=relatives)
    if request.method == "POST" and form.is_valid():
        assert form.schema is not None
        me = _me(request)
        try:
            if existing is None:
                saved = actions.do_record_take_charge(me, seen.case, form.schema)
            else:
                saved = actions.do_update_take_charge(me, existing, form.schema)
        except ActionError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Take-charge request saved: its deadlines are below."))
            for warning in saved.warnings():
                messages.warning(request, warning.label)
            return _back_to(seen, "dublin-h")
    standing = any(r.standing for r in records)
    return _page(
        request,
        "continuity/take_charge_form.html",
        {"form": form, "case": seen.case, "access": seen, "existing": existing, "standing": standing},
    )


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def record_take_charge(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A Dublin III / AMMR take-charge request (legal status); recorded even without an approved
    best-interests assessment, with a warning."""
    return _take_charge_page(request, _writable(request, case_id, DataCategory.LEGAL_STATUS), None)


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def update_take_charge(request: HttpRequest, case_id: uuid.UUID, request_id: uuid.UUID) -> HttpResponse:
    """The request's dates as the procedure moves on (the reply, the transfer): every date sent."""
    seen = _writable(request, case_id, DataCategory.LEGAL_STATUS)
    existing = TakeChargeRequest.objects.filter(case=seen.case, public_id=request_id).first()
    if existing is None:
        raise Http404
    return _take_charge_page(request, seen, existing)
