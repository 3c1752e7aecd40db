"""Exchange pages: the node's exchange dashboard, a case's exchange page, referral and request
pages with their answers. Thin: parse the form into a schema, call one action, render.

Who sees what (deny by default):
- threads (referrals, requests, notices) and their child data: members of the organisation the
  thread belongs to, in a role that exchanges (caseworker, supervisor, police officer, hotline
  operator); anyone else gets 404, the same as for a thread that does not exist;
- the node's technical state (registry, queues, refusals): everyone signed in sees whether the
  exchange works; node administrators, DPOs and supervisors also see the queues and refusals,
  which carry no child data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel, ValidationError

from waymark.accounts.models import User
from waymark.cases.access import access_case
from waymark.cases.models import Case
from waymark.core.protocol.messages import ReferralOutcome, RejectReason, RevokeReason
from waymark.errors import ActionError, NotFound, field_errors
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import CaseStatus, DataCategory, Purpose, RiskLevel, Role

from . import actions
from .models import (
    OUTBOX_OPEN,
    Direction,
    InboundRefusal,
    InfoRequest,
    InfoRequestStatus,
    Notice,
    OutboxMessage,
    OutboxStatus,
    Referral,
    ReferralStatus,
    Transfer,
    TransferStatus,
)
from .registry import RegistryStatus, registry_status
from .schemas import (
    REFERRAL_OPTIONAL,
    TRANSFER_HISTORY_DEFAULT,
    TRANSFER_OPTIONAL,
    InfoAnswerIn,
    InfoRequestIn,
    NoticeIn,
    ReferralAcceptIn,
    ReferralDoneIn,
    ReferralIn,
    ReferralRejectIn,
    ReferralRevokeIn,
    TransferAcceptIn,
    TransferIn,
    TransferRejectIn,
)

UNPROCESSABLE = 422
# The protocol's codes as people read them (the pure core has no translations).
REASON_LABELS: dict[str, Any] = {
    RejectReason.NO_CAPACITY: _("No capacity"),
    RejectReason.OUT_OF_AREA: _("Outside our area"),
    RejectReason.NOT_COMPETENT: _("Not within our competence"),
    RejectReason.ALREADY_KNOWN: _("Already known to us"),
    RejectReason.OTHER: _("Other reason"),
    ReferralOutcome.SERVICES_PROVIDED: _("Services provided"),
    ReferralOutcome.CHILD_LEFT: _("The child left"),
    ReferralOutcome.CHILD_MISSING: _("The child is missing"),
    ReferralOutcome.REFERRED_ON: _("Referred on"),
    RevokeReason.CONSENT_WITHDRAWN: _("Consent withdrawn"),
    RevokeReason.SENT_IN_ERROR: _("Sent in error"),
    RevokeReason.NO_LONGER_NEEDED: _("No longer needed"),
}


def _choices(codes: Any) -> list[tuple[str, Any]]:
    return [(str(c), REASON_LABELS.get(c, str(c).replace("_", " "))) for c in codes]


OPERATOR_ROLES = frozenset({Role.NODE_ADMIN, Role.DPO, Role.SUPERVISOR})
T = TypeVar("T", bound=Model)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _exchanges(user: User) -> bool:
    return actions.may_exchange(user)


def _threads(user: User, model: type[T]) -> QuerySet[T]:
    """The threads of ``model`` this user may see: their organisation's, if they exchange."""
    if not _exchanges(user):
        return model._default_manager.none()
    return model._default_manager.filter(local_org_id=user.organisation_id)


def _thread(user: User, model: type[T], public_id: uuid.UUID) -> T:
    found = _threads(user, model).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def _parse(schema: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)


def _outbox_of(message_ids: list[uuid.UUID]) -> dict[str, OutboxMessage]:
    return {str(o.message_id): o for o in OutboxMessage.objects.filter(message_id__in=message_ids)}


def _federation_orgs(status: RegistryStatus, user: User) -> list[tuple[str, str]]:
    """(slug, label) of the organisations this user's organisation may send to under the registry."""
    if status.registry is None or user.organisation is None:
        return []
    mine = user.organisation.slug
    partners: set[str] = set()
    for agreement in status.registry.agreements:
        if mine in agreement.parties:
            partners.update(p for p in agreement.parties if p != mine)
    return [
        (org.slug, f"{org.name} ({org.country})")
        for org in status.registry.organisations
        if org.slug in partners
    ]


# --- the dashboard ------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    now = timezone.now()
    status = registry_status(now)
    threshold = now - dt.timedelta(seconds=settings.WAYMARK_EXCHANGE_ALERT_AFTER_SECONDS)
    context: dict[str, Any] = {
        "status": status,
        "node_id": settings.WAYMARK_NODE_ID,
        "now": now,
        "exchanges": _exchanges(me),
        "operator": me.role in OPERATOR_ROLES and me.organisation is not None,
    }
    if context["exchanges"]:
        context.update(
            referrals_to_answer=_threads(me, Referral)
            .filter(direction=Direction.INCOMING, status=ReferralStatus.OFFERED)
            .order_by("created_at"),
            referrals_open=_threads(me, Referral)
            .filter(status__in=[ReferralStatus.OFFERED, ReferralStatus.ACCEPTED])
            .exclude(direction=Direction.INCOMING, status=ReferralStatus.OFFERED)
            .order_by("-updated_at")[:20],
            requests_to_answer=_threads(me, InfoRequest)
            .filter(direction=Direction.INCOMING, status=InfoRequestStatus.OPEN)
            .order_by("due_at"),
            requests_waiting=_threads(me, InfoRequest)
            .filter(direction=Direction.OUTGOING, status=InfoRequestStatus.OPEN)
            .order_by("due_at"),
            notices=_threads(me, Notice).filter(direction=Direction.INCOMING).order_by("-created_at")[:10],
            transfers_to_answer=_threads(me, Transfer)
            .filter(direction=Direction.INCOMING, status=TransferStatus.OFFERED)
            .order_by("created_at"),
            transfers_waiting=_threads(me, Transfer)
            .filter(direction=Direction.OUTGOING, status=TransferStatus.OFFERED)
            .order_by("created_at"),
            undelivered_mine=OutboxMessage.objects.filter(
                status__in=OUTBOX_OPEN,
                created_at__lt=threshold,
                from_org=me.organisation.slug if me.organisation else "",
            ).order_by("created_at")[:20],
            refused_mine=OutboxMessage.objects.filter(
                status=OutboxStatus.REJECTED,
                receipted_at__gte=now - dt.timedelta(days=7),
                from_org=me.organisation.slug if me.organisation else "",
            ).order_by("-receipted_at")[:20],
        )
    if context["operator"]:
        context.update(
            undelivered=OutboxMessage.objects.filter(
                status__in=OUTBOX_OPEN, created_at__lt=threshold
            ).count(),
            alert_after=settings.WAYMARK_EXCHANGE_ALERT_AFTER_SECONDS // 60,
            queues=OutboxMessage.objects.values("to_node")
            .annotate(
                waiting=Count("id", filter=Q(status__in=OUTBOX_OPEN)),
                late=Count("id", filter=Q(status__in=OUTBOX_OPEN, created_at__lt=threshold)),
                refused=Count("id", filter=Q(status=OutboxStatus.REJECTED)),
                delivered=Count("id", filter=Q(status=OutboxStatus.RECEIPTED)),
            )
            .order_by("to_node"),
            refusals=InboundRefusal.objects.filter(at__gte=now - dt.timedelta(days=7)).order_by("-at")[:30],
        )
    return render(request, "exchange/dashboard.html", context)


# --- a case's exchange page ---------------------------------------------------------------------


def _case(request: HttpRequest, public_id: uuid.UUID) -> Case:
    purpose = current_purpose(request)
    assert purpose is not None  # purpose_required has run
    try:
        return access_case(_me(request), public_id, purpose).case
    except NotFound as exc:
        raise Http404 from exc


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    me = _me(request)
    status = registry_status()
    referrals = list(_threads(me, Referral).filter(case=case).order_by("-created_at"))
    requests = list(_threads(me, InfoRequest).filter(case=case).order_by("-created_at"))
    notices = list(_threads(me, Notice).filter(case=case).order_by("-created_at"))
    transfers = list(_threads(me, Transfer).filter(case=case).order_by("-created_at"))
    context: dict[str, Any] = {
        "case": case,
        "status": status,
        "exchanges": _exchanges(me),
        "partners": _federation_orgs(status, me),
        "purposes": [p for p in Purpose if p != Purpose.IMMIGRATION_ENFORCEMENT],
        "purpose": current_purpose(request),
        "categories": list(DataCategory),
        "referral_optional": REFERRAL_OPTIONAL,
        "referrals": referrals,
        "requests": requests,
        "notices": notices,
        "transfers": transfers,
        "transfer_optional": TRANSFER_OPTIONAL,
        "history_default": TRANSFER_HISTORY_DEFAULT,
        "can_transfer": case.organisation_id == me.organisation_id
        and case.status not in (CaseStatus.TRANSFERRED, CaseStatus.CLOSED)
        and not any(
            t.direction == Direction.OUTGOING and t.status == TransferStatus.OFFERED for t in transfers
        ),
        "errors": {},
        "form": {},
        "which": "",
    }
    context.update(extra)
    return context


@login_required
@purpose_required
@require_GET
def case_exchange(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = _case(request, public_id)
    return render(request, "exchange/case.html", _case_context(request, case))


def _send(
    request: HttpRequest, public_id: uuid.UUID, which: str, schema: type[BaseModel], data: dict[str, Any]
) -> HttpResponse:
    me = _me(request)
    case = _case(request, public_id)
    if not _exchanges(me):
        raise Http404
    parsed, errors = _parse(schema, data)
    if parsed is not None:
        try:
            if which == "referral":
                thread: Any = actions.do_offer_referral(me, case, parsed)
            elif which == "request":
                thread = actions.do_request_information(me, case, parsed)
            elif which == "transfer":
                thread = actions.do_offer_transfer(me, case, parsed)
            else:
                thread = actions.do_send_notice(me, case, parsed)
        except ActionError as exc:
            errors = exc.errors
        else:
            if which == "referral":
                return redirect("exchange:referral", public_id=thread.public_id)
            if which == "request":
                return redirect("exchange:request", public_id=thread.public_id)
            if which == "transfer":
                return redirect("exchange:transfer", public_id=thread.public_id)
            return redirect("exchange:case", public_id=case.public_id)
    return render(
        request,
        "exchange/case.html",
        _case_context(request, case, errors=errors, form=request.POST, which=which),
        status=UNPROCESSABLE,
    )


def _common(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "to_org": post.get("to_org", ""),
        "purpose": post.get("purpose", ""),
        "agreement_id": post.get("agreement_id", ""),
    }


@login_required
@purpose_required
@require_POST
def send_referral(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    post = request.POST
    data = {
        **_common(request),
        "reason": post.get("reason", ""),
        "services_requested": [s.strip() for s in post.get("services", "").splitlines() if s.strip()],
        "include": post.getlist("include"),
    }
    return _send(request, public_id, "referral", ReferralIn, data)


@login_required
@purpose_required
@require_POST
def send_request(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    post = request.POST
    questions = [
        {"category": category, "text": text}
        for category, text in zip(
            post.getlist("question_category"), post.getlist("question_text"), strict=False
        )
        if text.strip()
    ]
    data = {**_common(request), "questions": questions, "legal_basis": post.get("legal_basis", "")}
    return _send(request, public_id, "request", InfoRequestIn, data)


@login_required
@purpose_required
@require_POST
def send_notice(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    post = request.POST
    data = {
        **_common(request),
        "category": post.get("category", DataCategory.CASE_NOTES),
        "subject": post.get("subject", ""),
        "text": post.get("text", ""),
    }
    return _send(request, public_id, "notice", NoticeIn, data)


# --- referrals ----------------------------------------------------------------------------------


def _referral_context(referral: Referral, **extra: Any) -> dict[str, Any]:
    steps = list(referral.steps.select_related("by"))
    outbox = _outbox_of([s.message_id for s in steps if s.direction == Direction.OUTGOING])
    context: dict[str, Any] = {
        "referral": referral,
        "steps": [(step, outbox.get(str(step.message_id))) for step in steps],
        "child": (referral.offer or {}).get("child", {}),
        "offer": referral.offer or {},
        "reject_reasons": _choices(RejectReason),
        "outcomes": _choices(ReferralOutcome),
        "revoke_reasons": _choices(RevokeReason),
        "errors": {},
        "action": "",
    }
    context.update(extra)
    return context


@login_required
@require_GET
def referral_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    referral = _thread(_me(request), Referral, public_id)
    return render(request, "exchange/referral.html", _referral_context(referral))


_REFERRAL_ACTIONS: dict[str, tuple[type[BaseModel], Any]] = {
    "accept": (ReferralAcceptIn, actions.do_accept_referral),
    "reject": (ReferralRejectIn, actions.do_reject_referral),
    "done": (ReferralDoneIn, actions.do_complete_referral),
    "revoke": (ReferralRevokeIn, actions.do_revoke_referral),
}


def _act(
    request: HttpRequest,
    thread: Referral | Transfer,
    action: str,
    table: dict[str, tuple[type[BaseModel], Any]],
    page: str,
    context: Any,
    done: Any,
) -> HttpResponse:
    """Parse the form for ``action`` on ``thread``, call its action, then ``done(result)`` (a
    redirect); a refusal re-renders ``page`` with the errors."""
    if action not in table:
        raise Http404
    schema, do = table[action]
    data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    parsed, errors = _parse(schema, data)
    if parsed is not None:
        try:
            result = do(_me(request), thread, parsed)
        except ActionError as exc:
            errors = exc.errors
        else:
            return done(result)
    return render(request, page, context(thread, errors=errors, action=action), status=UNPROCESSABLE)


@login_required
@require_POST
def referral_act(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    referral = _thread(_me(request), Referral, public_id)
    return _act(
        request,
        referral,
        action,
        _REFERRAL_ACTIONS,
        "exchange/referral.html",
        _referral_context,
        lambda _: redirect("exchange:referral", public_id=referral.public_id),
    )


# --- information requests -----------------------------------------------------------------------


def _request_context(info: InfoRequest, **extra: Any) -> dict[str, Any]:
    answers = {a["question_id"]: a for a in info.answers}
    context: dict[str, Any] = {
        "info": info,
        "now": timezone.now(),
        "rows": [(q, answers.get(q["id"])) for q in info.questions],
        "deliveries": list(
            _outbox_of([m for m in (info.request_message_id, info.response_message_id) if m]).values()
        ),
        "overdue": info.status == InfoRequestStatus.OPEN
        and info.due_at is not None
        and info.due_at < timezone.now(),
        "errors": {},
    }
    context.update(extra)
    return context


@login_required
@require_GET
def request_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    info = _thread(_me(request), InfoRequest, public_id)
    return render(request, "exchange/request.html", _request_context(info))


@login_required
@require_POST
def request_answer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    info = _thread(me, InfoRequest, public_id)
    answers = []
    for question in info.questions:
        qid = question["id"]
        text = request.POST.get(f"answer_{qid}", "").strip()
        declined = request.POST.get(f"declined_{qid}", "").strip()
        answers.append({"question_id": qid, "text": "" if declined else text, "declined": declined})
    parsed, errors = _parse(InfoAnswerIn, {"answers": answers})
    if parsed is not None:
        try:
            actions.do_answer_information(me, info, parsed)
        except ActionError as exc:
            errors = exc.errors
        else:
            return redirect("exchange:request", public_id=info.public_id)
    return render(
        request, "exchange/request.html", _request_context(info, errors=errors), status=UNPROCESSABLE
    )


# --- case transfers -----------------------------------------------------------------------------


@login_required
@purpose_required
@require_POST
def send_transfer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    post = request.POST
    data = {
        **_common(request),
        "reason": post.get("reason", ""),
        "include": post.getlist("include"),
        "history": post.getlist("history"),
    }
    return _send(request, public_id, "transfer", TransferIn, data)


def _transfer_context(transfer: Transfer, **extra: Any) -> dict[str, Any]:
    offer = transfer.offer or {}
    context: dict[str, Any] = {
        "transfer": transfer,
        "offer": offer,
        "child": offer.get("child", {}),
        "summary": offer.get("case", {}),
        "risk_label": RiskLevel(offer["case"]["risk_level"]).label
        if (offer.get("case") or {}).get("risk_level") in RiskLevel.values
        else "",
        "plan": offer.get("care_plan", {}),
        "history": offer.get("timeline", []),
        "guardian": offer.get("guardian"),
        "deliveries": list(
            _outbox_of([m for m in (transfer.offer_message_id, transfer.response_message_id) if m]).values()
        ),
        "reject_reasons": _choices(RejectReason),
        "errors": {},
        "action": "",
    }
    context.update(extra)
    return context


@login_required
@require_GET
def transfer_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    transfer = _thread(_me(request), Transfer, public_id)
    return render(request, "exchange/transfer.html", _transfer_context(transfer))


_TRANSFER_ACTIONS: dict[str, tuple[type[BaseModel], Any]] = {
    "accept": (TransferAcceptIn, actions.do_accept_transfer),
    "reject": (TransferRejectIn, actions.do_reject_transfer),
}


@login_required
@require_POST
def transfer_act(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    transfer = _thread(_me(request), Transfer, public_id)

    def done(result: Transfer) -> HttpResponse:
        if action == "accept" and result.case is not None:
            return redirect("case_detail", public_id=result.case.public_id)
        return redirect("exchange:transfer", public_id=transfer.public_id)

    return _act(
        request, transfer, action, _TRANSFER_ACTIONS, "exchange/transfer.html", _transfer_context, done
    )
