"""The Police panel's forms (on the disappearance page, ``panel.py``): request an alert, move it
along its lifecycle, ask and answer a SIRENE-style request. Thin: fetch and authorise
(``access.py``), parse into the schema, one ``actions.do_*``, back to the disappearance page; a
refusal answers 422 naming the field, and nothing is written."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from pydantic import BaseModel, ValidationError

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.errors import ActionError, NotFound, Refused
from waymark.missing.models import Disappearance
from waymark.policy.purpose import current_purpose, purpose_required

from . import actions
from .access import access_alert, access_police_case, access_sirene
from .schemas import AlertRequestIn, SireneAnswersIn, SireneAskIn, TransitionIn

UNPROCESSABLE = 422


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _purpose(request: HttpRequest) -> str:
    return str(current_purpose(request) or "")


def _back(case: Case) -> str:
    d = Disappearance.objects.filter(case=case).order_by("-reported_at").first()
    if d is None:
        return reverse("case_detail", args=[case.public_id])
    return reverse("missing:detail", args=[d.public_id]) + "#police"


def _refused(request: HttpRequest, errors: dict[str, list[str]], back: str) -> HttpResponse:
    return render(request, "police/refused.html", {"errors": errors, "back": back}, status=UNPROCESSABLE)


def _parse(schema: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    return schema.model_validate(data)


def _validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for e in exc.errors():
        errors.setdefault(".".join(str(p) for p in e["loc"]), []).append(e["msg"])
    return errors


def _post(request: HttpRequest, *names: str) -> dict[str, str]:
    return {n: request.POST.get(n, "") for n in names if request.POST.get(n, "") != ""}


@login_required
@purpose_required
@require_POST
def request_alert(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    try:
        seen = access_police_case(me, case_id, _purpose(request), manage=True)
    except (NotFound, Refused) as exc:
        raise Http404 from exc
    case = seen.case_access.case
    try:
        data = _parse(
            AlertRequestIn, _post(request, "kind", "police_org", "sis_category", "physical_description")
        )
        assert isinstance(data, AlertRequestIn)
        actions.do_request_alert(me, case, data)
    except ValidationError as exc:
        return _refused(request, _validation_errors(exc), _back(case))
    except ActionError as exc:
        return _refused(request, exc.errors, _back(case))
    return redirect(_back(case))


@login_required
@purpose_required
@require_POST
def advance_alert(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    try:
        alert, _seen = access_alert(me, alert_id, _purpose(request), manage=True)
    except (NotFound, Refused) as exc:
        raise Http404 from exc
    try:
        data = _parse(TransitionIn, _post(request, "to", "reference", "place", "note"))
        assert isinstance(data, TransitionIn)
        actions.do_advance_alert(me, alert, data)
    except ValidationError as exc:
        return _refused(request, _validation_errors(exc), _back(alert.case))
    except ActionError as exc:
        return _refused(request, exc.errors, _back(alert.case))
    return redirect(_back(alert.case))


@login_required
@purpose_required
@require_POST
def ask(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    try:
        alert, _seen = access_alert(me, alert_id, _purpose(request))
    except (NotFound, Refused) as exc:
        raise Http404 from exc
    questions = [
        {"category": c, "text": t}
        for c, t in zip(
            request.POST.getlist("question_category"), request.POST.getlist("question_text"), strict=False
        )
        if t.strip()
    ]
    try:
        data = _parse(SireneAskIn, {"alert": str(alert.public_id), "questions": questions})
        assert isinstance(data, SireneAskIn)
        actions.do_ask_sirene(me, alert, data)
    except ValidationError as exc:
        return _refused(request, _validation_errors(exc), _back(alert.case))
    except ActionError as exc:
        return _refused(request, exc.errors, _back(alert.case))
    return redirect(_back(alert.case))


@login_required
@purpose_required
@require_POST
def answer(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    try:
        sirene, _seen = access_sirene(me, request_id, _purpose(request), answer=True)
    except (NotFound, Refused) as exc:
        raise Http404 from exc
    answers = []
    for q in sirene.questions:
        declined = request.POST.get(f"declined_{q['id']}", "").strip()
        text = request.POST.get(f"answer_{q['id']}", "").strip()
        answers.append({"question_id": q["id"], "text": "" if declined else text, "declined": declined})
    try:
        data = _parse(SireneAnswersIn, {"answers": answers})
        assert isinstance(data, SireneAnswersIn)
        actions.do_answer_sirene(me, sirene, data)
    except ValidationError as exc:
        return _refused(request, _validation_errors(exc), _back(sirene.case))
    except ActionError as exc:
        return _refused(request, exc.errors, _back(sirene.case))
    return redirect(_back(sirene.case))
