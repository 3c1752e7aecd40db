"""Pages of the continuity app: record a best-interests assessment or determination, and a
supervisor's approval of a determination. Thin: the case through ``access_case`` (policy
decided and audited; a case one may not write is a 404), input through a form that feeds the
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
from waymark.cases.access import access_case
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, PolicyAction

from . import actions
from .forms import BestInterestsForm
from .models import BestInterests

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
