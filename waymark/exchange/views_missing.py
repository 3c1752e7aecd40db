"""Closing a disappearance from its own page: found, came back by themselves, or reported in
error. Here rather than in ``waymark.missing`` because closing also tells every organisation the
alert reached (``case_closed``), which is the exchange's to send; the disappearance's page posts
its form here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from waymark.accounts.models import User
from waymark.errors import ActionError, NotFound
from waymark.missing import hooks
from waymark.missing.access import DisappearanceAccess, access_disappearance
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, PolicyAction

from .schemas import In, Text
from .threads import missing_alert as alerts
from .views import UNPROCESSABLE, _me, _parse


class ClosePageIn(In):
    outcome: Literal["found", "returned", "withdrawn"]
    note: Text = ""


def _disappearance(request: HttpRequest, public_id: uuid.UUID) -> DisappearanceAccess:
    """Closing changes the case: who may not change its case notes for the declared purpose gets
    the 404 of a disappearance that does not exist (decided and audited)."""
    purpose = current_purpose(request)
    assert purpose is not None  # purpose_required
    try:
        return access_disappearance(
            _me(request),
            public_id,
            purpose,
            action=PolicyAction.UPDATE,
            categories=[DataCategory.CASE_NOTES],
        )
    except NotFound as exc:
        raise Http404 from exc


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def close_disappearance(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    seen = _disappearance(request, public_id)
    d, case = seen.disappearance, seen.disappearance.case
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        parsed, errors = _parse(ClosePageIn, {k: request.POST.get(k, "") for k in ("outcome", "note")})
        if parsed is not None:
            try:
                if parsed.outcome == "found":
                    alerts.do_close_found(_me(request), case, alerts.CloseFoundIn(note=parsed.note))
                else:
                    alerts.do_close_missing(
                        _me(request), case, alerts.CloseMissingIn(outcome=parsed.outcome, note=parsed.note)
                    )
            except ActionError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request, gettext("The disappearance is closed; every organisation alerted is told.")
                )
                return redirect("missing:detail", public_id=d.public_id)
    return render(
        request,
        "exchange/close_disappearance.html",
        {
            "d": d,
            "case": case,
            "access": seen.case_access,
            "errors": errors,
            "chosen": request.POST.get("outcome", ""),
        },
        status=UNPROCESSABLE if errors else 200,
    )


def close_panel(user: User, seen: DisappearanceAccess, now: dt.datetime) -> dict[str, Any] | None:
    """The closing form on the disappearance's page, for who may change its case notes while it
    is open (the page decided and audited that access; the form's post decides again)."""
    d = seen.disappearance
    if not d.is_open or not seen.case_access.editable.get(DataCategory.CASE_NOTES, False):
        return None
    return {"d": d, "chosen": ""}


def register() -> None:
    hooks.PANELS.append(hooks.Panel("exchange/_close_disappearance_form.html", close_panel))
