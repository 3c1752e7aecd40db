"""Review queue pages: the candidate pairs, one pair side by side with the evidence per field,
the decision. Thin: reads through the policy (``decide_page`` / ``access_case``), writes through
``actions.py``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.cases.access import access_case, cases_visible_to, decide_page
from waymark.cases.models import Case
from waymark.cases.ranked import birth_from
from waymark.core import namematch
from waymark.core import names as name_prep
from waymark.errors import ActionError, NotFound
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, MatchStatus

from . import actions
from . import candidates as candidate_search
from .models import MatchReview, RemoteStatus

_UNPROCESSABLE = 422


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required has run
    return user


def _purpose(request: HttpRequest) -> str:
    purpose = current_purpose(request)
    assert purpose is not None  # purpose_required has run
    return str(purpose)


@login_required
@purpose_required
def queue(request: HttpRequest) -> HttpResponse:
    """Pending and unsure pairs where the user may see both cases for the purpose."""
    me, purpose = _me(request), _purpose(request)
    visible = cases_visible_to(me, purpose).values("pk")
    reviews = list(
        MatchReview.objects.filter(
            status__in=[MatchStatus.PENDING, MatchStatus.UNSURE], left__in=visible, right__in=visible
        )
        .select_related("left__child", "right__child", "left__organisation", "right__organisation")
        .order_by("-score", "proposed_at")[:100]
    )
    cases = {c.pk: c for r in reviews for c in (r.left, r.right)}
    rows = decide_page(me, list(cases.values()), purpose, [DataCategory.IDENTITY])
    items = [
        (r, rows.shown(r.left, DataCategory.IDENTITY), rows.shown(r.right, DataCategory.IDENTITY))
        for r in reviews
    ]
    return render(request, "matching/queue.html", _queue_context(me, purpose, items))


def _queue_context(me: User, purpose: str, items: list[Any], **extra: Any) -> dict[str, Any]:
    remote = [
        (query, candidate, decided)
        for query, candidate, decided in actions.remote_candidates(me, purpose)
        if decided is None or decided.status != RemoteStatus.REJECTED
    ]
    return {"items": items, "remote": remote, "errors": [], **extra}


@login_required
@purpose_required
@require_POST
def remote(request: HttpRequest, query_id: uuid.UUID, token: str) -> HttpResponse:
    """A person's step with a candidate a partner returned: ask about it (an information request
    naming the token), or decide once the partner answered."""
    me, purpose = _me(request), _purpose(request)
    try:
        query = actions.access_query(me, purpose, str(query_id))
    except NotFound as exc:
        raise Http404 from exc
    step, reason = request.POST.get("step", ""), request.POST.get("reason", "")
    try:
        if step == "ask":
            actions.do_ask_about_candidate(me, purpose, query, token, reason)
        else:
            actions.do_decide_candidate(me, purpose, query, token, step, reason)
    except ActionError as exc:
        errors = [m for ms in exc.errors.values() for m in ms]
        return render(
            request,
            "matching/queue.html",
            _queue_context(me, purpose, [], errors=errors),
            status=_UNPROCESSABLE,
        )
    return redirect("matching_queue")


@login_required
@purpose_required
@require_POST
def propose(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Look for candidates of one case and put them in the queue."""
    try:
        actions.do_propose_matches(_me(request), _purpose(request), str(public_id))
    except NotFound as exc:
        raise Http404 from exc
    return redirect("matching_queue")


def _field_evidence(left: Case, right: Case) -> list[tuple[str, str, str, str]]:
    """(field, left value, right value, verdict) for the side-by-side table."""
    a, b = left.child, right.child
    names_a = [n.full_name for n in a.names.all()] or [a.full_name]
    names_b = [n.full_name for n in b.names.all()] or [b.full_name]
    forms_b: list[str] = []
    for n in names_b:
        forms_b += [f for f in name_prep.name_forms(n) if f not in forms_b]
    scored = namematch.score_name(name_prep.query_units(" ".join(names_a)), forms_b)
    agreed = "; ".join(f"{x.query} ~ {x.form} ({x.how})" for x in scored.agreements) or "—"
    birth, _w = namematch.compare_birth(
        birth_from(
            a.birth_date, a.birth_date_precision, a.assessed_age_min, a.assessed_age_max, a.assessed_on
        ),
        birth_from(
            b.birth_date, b.birth_date_precision, b.assessed_age_min, b.assessed_age_max, b.assessed_on
        ),
    )
    nat, _w2 = namematch.same_nationality(a.nationality, b.nationality)
    sex = "unknown" if "unknown" in (a.sex, b.sex) else ("same" if a.sex == b.sex else "differ")

    def born(c: Any) -> str:
        if c.assessed_age_min is not None:
            return f"{c.assessed_age_min}–{c.assessed_age_max} (assessed {c.assessed_on or ''})"
        return str(c.birth_date or "")

    return [
        ("names", " / ".join(names_a), " / ".join(names_b), f"{scored.score:.2f}: {agreed}"),
        ("born", born(a), born(b), birth),
        ("sex", a.get_sex_display(), b.get_sex_display(), sex),
        ("nationality", a.nationality, b.nationality, nat),
    ]


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me, purpose = _me(request), _purpose(request)
    pair = get_object_or_404(MatchReview.objects.select_related("left", "right"), public_id=public_id)
    try:
        # Both records through the policy (audited); the comparison needs their identity.
        left = access_case(me, str(pair.left.public_id), purpose)
        right = access_case(me, str(pair.right.public_id), purpose)
    except NotFound as exc:
        raise Http404 from exc
    if not (left.can(DataCategory.IDENTITY) and right.can(DataCategory.IDENTITY)):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            actions.do_decide_match(
                me, purpose, pair, request.POST.get("status", ""), request.POST.get("reason", "")
            )
        except ActionError as exc:
            errors = exc.errors
        else:
            return redirect("matching_queue")
    context = {
        "pair": pair,
        "left": left.case,
        "right": right.case,
        "evidence": _field_evidence(left.case, right.case),
        "choices": [(s, s.label) for s in (MatchStatus.ACCEPTED, MatchStatus.REJECTED, MatchStatus.UNSURE)],
        "errors": [m for ms in errors.values() for m in ms],
        "posted": request.POST,
    }
    return render(request, "matching/review.html", context, status=_UNPROCESSABLE if errors else 200)


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def candidates(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The records the user may see that may be this child, scored by the linkage model, with the
    reasons; shown at once after a child is registered. POST sends one to the review queue."""
    me, purpose = _me(request), _purpose(request)
    try:
        access = access_case(me, str(public_id), purpose)
    except NotFound as exc:
        raise Http404 from exc
    if not access.can(DataCategory.IDENTITY):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            actions.do_queue_candidate(me, purpose, str(public_id), request.POST.get("candidate", ""))
        except NotFound as exc:
            raise Http404 from exc
        except ActionError as exc:
            errors = exc.errors
        else:
            return redirect("matching_candidates", public_id=public_id)
    found = candidate_search.candidates_for(me, purpose, access.case)
    if not found and request.GET.get("after") == "register":
        return redirect("case_detail", public_id=public_id)
    rows = decide_page(me, [c.case for c in found], purpose, [DataCategory.IDENTITY])
    queued = set(MatchReview.objects.filter(left=access.case).values_list("right_id", flat=True)) | set(
        MatchReview.objects.filter(right=access.case).values_list("left_id", flat=True)
    )
    items = [(c, rows.shown(c.case, DataCategory.IDENTITY), c.case.pk in queued) for c in found]
    context = {
        "case": access.case,
        "items": items,
        "errors": [m for ms in errors.values() for m in ms],
    }
    return render(request, "matching/candidates.html", context, status=_UNPROCESSABLE if errors else 200)
