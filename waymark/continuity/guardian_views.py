"""Pages of a guardian's work: "My wards" (each ward's next deadline and last contact) and the
form, on a ward's case page, that logs a contact. Thin: the policies decide (``wards_of``,
``access_case``), ``guardians.do_log_guardian_contact`` writes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pydantic
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from waymark.accounts.models import User
from waymark.cases.access import access_case
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, PolicyAction

from . import hooks
from .guardians import GuardianContactIn, do_log_guardian_contact, last_contacts, next_due, wards_of, writes

UNPROCESSABLE = 422


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@purpose_required
def wards(request: HttpRequest) -> HttpResponse:
    """The signed-in guardian's wards: the next deadline of each and the last contact; and what
    apps above add (``hooks.WARDS_PANELS``: the hand-overs awaiting their acknowledgement)."""
    me = _me(request)
    purpose = current_purpose(request)
    assert purpose is not None
    now = timezone.now()
    cases, page = wards_of(me, purpose)
    latest = last_contacts(cases)
    rows: list[dict[str, Any]] = []
    for case in cases:
        shown = page.allowed(case)
        due = next_due(case, now, shown=shown)
        rows.append(
            {
                "case": case,
                "shown": shown,
                "due": due,
                "last": latest.get(case.pk) if DataCategory.GUARDIAN in shown else None,
                "order": (due is None, due.clock.due_at if due else now),
            }
        )
    rows.sort(key=lambda r: r["order"])  # the most pressing deadline first
    return render(
        request, "continuity/wards.html", {"rows": rows, "now": now, "panels": hooks.wards_panels(me, now)}
    )


def _local(text: str) -> object:
    """A browser's ``datetime-local`` value (no offset) as an aware time in the current zone;
    anything else is left for the schema to refuse, naming the field."""
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@login_required
@purpose_required
@require_POST
def log_contact(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Log a contact from the form on the ward's case page; errors name the field (422)."""
    me = _me(request)
    purpose = current_purpose(request)
    assert purpose is not None
    fields: dict[str, object] = {
        k: request.POST.get(k, "") for k in ("kind", "contacted_at", "place", "views")
    }
    fields["contacted_at"] = _local(str(fields["contacted_at"]))
    errors: dict[str, str] = {}
    data: GuardianContactIn | None = None
    try:
        data = GuardianContactIn.model_validate(fields)
    except pydantic.ValidationError as exc:
        errors = {str(e["loc"][0]) if e["loc"] else "": e["msg"] for e in exc.errors()}
    if data is not None:
        try:
            seen = access_case(me, public_id, purpose, action=PolicyAction.UPDATE, categories=writes(data))
        except NotFound as exc:
            raise Http404 from exc
        try:
            do_log_guardian_contact(me, seen.case, data)
        except ActionError as exc:
            errors = {k: "; ".join(v) for k, v in exc.errors.items()}
        else:
            messages.success(request, gettext("Contact logged."))
            return redirect("case_detail", public_id=public_id)
    return render(
        request,
        "continuity/guardian_contact_refused.html",
        {"errors": errors, "public_id": public_id, "posted": fields},
        status=UNPROCESSABLE,
    )
