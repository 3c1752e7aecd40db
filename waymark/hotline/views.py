"""Pages of hotline intake: record a call (quick on a phone), the call, the calls list.

Thin like the missing-child pages: child data only through ``access.py`` (decided and audited; a
call one may not see is a 404), input through ``forms.CallForm`` into the schema, each outcome
through one ``actions.do_*``. The record page is one form: *Look up* shows what the operator may do
with the call (their cases, "held by ⟨organisation⟩", alerts from abroad); each outcome button
sends the whole form again, so nothing is stored until an outcome is chosen. Errors answer 422.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.cases.access import cases_visible_to, decide_page
from waymark.cases.ranked import rank
from waymark.errors import ActionError, NotFound
from waymark.exchange.access import access_thread
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import CaseStatus, DataCategory, MissingCategory, Purpose

from . import actions
from .access import MATCH_MIN, PURPOSE, CallAccess, Lookup, access_call, is_operator, lookup
from .forms import CallForm, HandOverForm
from .models import Call
from .schemas import CallIn, HandOverIn, NewCaseIn

UNPROCESSABLE = 422


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _errors_to(form: CallForm, exc: ActionError) -> None:
    for key, msgs in exc.errors.items():
        name = key.removeprefix("call.")
        form.add_error(name if name in form.fields else None, "; ".join(msgs))


def _outcome(request: HttpRequest, me: User, data: CallIn, do: str, form: CallForm) -> Call | None:
    """Carry out the outcome button ``do`` ("attach:<case>", "pass:<org>", "sighting:<alert>",
    "new_case"); ``ActionError`` says what is wrong."""
    verb, _sep, target = do.partition(":")
    if verb == "attach":
        return actions.do_attach_call(me, actions.check_attach(me, target, PURPOSE), data)
    if verb == "pass":
        return actions.do_pass_call(me, data, target)
    if verb == "sighting":
        try:
            found = access_thread(me, "alert", uuid.UUID(target))
        except (ValueError, Http404) as exc:
            raise ActionError("no open alert you may answer", field="alert") from exc
        return actions.do_pass_as_sighting(me, found, data)
    if verb == "new_case":
        category = form.cleaned_data.get("missing_category") or MissingCategory.UNACCOMPANIED_MIGRANT
        return actions.do_open_case(
            me,
            NewCaseIn(
                call=data,
                missing_category=category,
                confirm_not_duplicate=request.POST.get("confirm_not_duplicate") == "1",
            ),
        )
    raise ActionError("choose what to do with the call", field="")


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if not is_operator(me):
        raise Http404
    if current_purpose(request) != PURPOSE:
        return render(request, "hotline/record.html", {"wrong_purpose": True, "purpose": Purpose(PURPOSE)})
    found: Lookup | None = None
    if request.method != "POST":
        return render(request, "hotline/record.html", {"form": CallForm()})
    form = CallForm(request.POST)
    do = request.POST.get("do", "lookup")
    if form.is_valid():
        assert form.schema is not None
        data = form.schema
        try:
            if do == "lookup":
                if not data.child_name:
                    raise ActionError("give the child's name to look them up", field="child_name")
                found = lookup(me, PURPOSE, data.child_name)
            else:
                call = _outcome(request, me, data, do, form)
                if call is not None:
                    messages.success(request, _("The call is recorded."))
                    return redirect("hotline:call", public_id=call.public_id)
        except ActionError as exc:
            _errors_to(form, exc)
    context = {"form": form, "found": found, "looked_up": do == "lookup" and found is not None}
    return render(request, "hotline/record.html", context, status=UNPROCESSABLE if form.errors else 200)


def _call(request: HttpRequest, public_id: uuid.UUID) -> CallAccess:
    try:
        return access_call(_me(request), public_id, current_purpose(request) or "")
    except NotFound as exc:
        raise Http404 from exc


def _own_matches(me: User, call: Call) -> list[Any]:
    """For the organisation a call was passed to: its own cases whose child's name agrees (it may
    see them; decided and audited like a search)."""
    if not call.child_name or me.organisation_id is None:
        return []
    visible = cases_visible_to(me, PURPOSE).filter(organisation_id=me.organisation_id)
    ranked = [
        r.case
        for r in rank(visible.exclude(status=CaseStatus.TRANSFERRED), call.child_name, limit=10)
        if r.evidence.name.score >= MATCH_MIN
    ]
    page = decide_page(me, ranked, PURPOSE, (DataCategory.IDENTITY,))
    return [c for c in ranked if page.shown(c, DataCategory.IDENTITY)]


def _detail(request: HttpRequest, seen: CallAccess, hand_over: HandOverForm | None = None) -> dict[str, Any]:
    me = _me(request)
    call = seen.call
    case = call.case
    own_case = case is not None and case.organisation_id == me.organisation_id
    may_hand_over = own_case and is_operator(me) and case is not None and case.status == CaseStatus.MISSING
    hotlines = actions.hotlines_abroad(me) if may_hand_over else []
    return {
        "call": call,
        "is_holder": seen.is_holder,
        "own_case": own_case,
        "matches": _own_matches(me, call) if seen.is_holder and case is None else [],
        "hand_over": (hand_over or HandOverForm(hotlines=hotlines)) if may_hand_over and hotlines else None,
    }


@login_required
@purpose_required
def call_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    seen = _call(request, public_id)
    return render(request, "hotline/call.html", _detail(request, seen))


@login_required
@purpose_required
@require_POST
def take(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The organisation a call was passed to adds it to one of its cases."""
    seen = _call(request, public_id)
    me = _me(request)
    try:
        case = actions.check_attach(me, request.POST.get("case", ""), current_purpose(request) or "")
        actions.do_take_passed_call(me, seen.call, case)
    except ActionError as exc:
        context = _detail(request, seen)
        context["error"] = "; ".join(m for ms in exc.errors.values() for m in ms)
        return render(request, "hotline/call.html", context, status=UNPROCESSABLE)
    messages.success(request, _("The call is on the case's timeline."))
    return redirect("hotline:call", public_id=public_id)


@login_required
@purpose_required
@require_POST
def hand_over(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Hand the call's case to the hotline of another country (a referral)."""
    seen = _call(request, public_id)
    me = _me(request)
    if not is_operator(me):
        raise Http404
    form = HandOverForm(request.POST, hotlines=actions.hotlines_abroad(me))
    if form.is_valid():
        try:
            actions.do_hand_over(
                me, seen.call, HandOverIn(to_org=form.cleaned_data["to_org"], note=form.cleaned_data["note"])
            )
        except ActionError as exc:
            form.add_error(None, "; ".join(m for ms in exc.errors.values() for m in ms))
        else:
            messages.success(request, _("The case is offered to the other hotline (a referral)."))
            return redirect("hotline:call", public_id=public_id)
    return render(request, "hotline/call.html", _detail(request, seen, form), status=UNPROCESSABLE)


@login_required
def calls(request: HttpRequest) -> HttpResponse:
    """The calls this organisation took or was passed: when, who rang (relationship), what was
    done — no child data, so nothing to decide per row."""
    me = _me(request)
    org = me.organisation_id
    if org is None or not (is_operator(me) or Call.objects.filter(passed_to_id=org).exists()):
        raise Http404
    rows = (
        Call.objects.filter(Q(organisation_id=org) | Q(passed_to_id=org))
        .select_related("organisation", "passed_to")
        .order_by("-received_at")[:100]
    )
    return render(request, "hotline/calls.html", {"rows": rows, "operator": is_operator(me)})
