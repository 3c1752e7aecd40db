"""Exchange pages: the node's exchange dashboard, a case's exchange page, and one page per thread
with the forms its kind allows now. Thin: fetch and authorise, parse the form into the kind's
schema, call its action, render. Every kind declares its forms, page and panels (``threads/``).

Who sees what (deny by default):
- threads: members of the organisation the thread belongs to, in a role that exchanges
  (caseworker, supervisor, police officer, hotline operator), and the incoming guardian named on a
  received hand-over (that thread only); anyone else gets 404, the same as for a thread that does
  not exist; their child data only as the policy decides for the thread's
  purpose, audited (``access.py``): withheld with a visible marker otherwise, and no answer;
- the node's technical state (registry, queues, refusals): everyone signed in sees whether the
  exchange works; node administrators, DPOs and supervisors also see the queues and refusals,
  which carry no child data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel, ValidationError

from waymark.accounts.models import User
from waymark.audit import witness
from waymark.cases.access import CaseAccess, access_case
from waymark.cases.accounts import current_accounts
from waymark.continuity.models import BestInterests, TakeChargeRequest
from waymark.errors import ActionError, NotFound, field_errors
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import DataCategory, Purpose, Role

from . import threads
from .access import ThreadAccess, access_thread, shown_threads, threads_of
from .models import OUTBOX_OPEN, AlertNotice, InboundRefusal, OutboxMessage, OutboxStatus
from .plumbing import may_exchange
from .registry import RegistryStatus, registry_status
from .threads import take_charge
from .threads.base import ThreadKind

UNPROCESSABLE = 422
OPERATOR_ROLES = frozenset({Role.NODE_ADMIN, Role.DPO, Role.SUPERVISOR})


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _parse(schema: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)


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


def _kinds() -> list[ThreadKind]:
    return sorted(threads.KINDS.values(), key=lambda k: k.order)


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
        "operator": me.role in OPERATOR_ROLES and me.organisation is not None,
        # Sightings and found reports about cases this user looks after (caseworker, guardian):
        # the case's reference and what happened, no child data (the case page shows that).
        "notices": AlertNotice.objects.filter(user=me, read_at__isnull=True)
        .select_related("case")
        .order_by("-created_at")[:20],
    }
    # The kinds this user acts in: every kind if they exchange; else those naming their role
    # (a Dublin officer's take-charge requests), and only those kinds' messages below.
    everything = may_exchange(me)
    kinds_mine = [k for k in threads.KINDS.values() if everything or (k.roles and may_exchange(me, k.roles))]
    types_mine = [t.value for k in kinds_mine for t in k.conversation.types]
    context["exchanges"] = bool(kinds_mine)
    if context["exchanges"]:
        mine = threads_of(me)
        panels = sorted(
            ((panel, kind) for kind in kinds_mine for panel in kind.panels),
            key=lambda pk: pk[0].order,
        )
        drawn = [
            (panel, list(panel.rows(mine.filter(kind=kind.name).select_related("case__child", "local_org"))))
            for panel, kind in panels
        ]
        context.update(
            panels=drawn,
            # The rows that show child data are decided (and audited) in one batch.
            shown=shown_threads(me, [t for panel, rows in drawn if panel.child_data for t in rows]),
            undelivered_mine=OutboxMessage.objects.filter(
                Q() if everything else Q(message_type__in=types_mine),
                status__in=OUTBOX_OPEN,
                created_at__lt=threshold,
                from_org=me.organisation.slug if me.organisation else "",
            ).order_by("created_at")[:20],
            refused_mine=OutboxMessage.objects.filter(
                Q() if everything else Q(message_type__in=types_mine),
                Q(status=OutboxStatus.REJECTED, receipted_at__gte=now - dt.timedelta(days=7))
                # Not sent (cancelled): stopped within an envelope's life, so lately queued.
                | Q(status=OutboxStatus.CANCELLED, created_at__gte=now - dt.timedelta(days=14)),
                from_org=me.organisation.slug if me.organisation else "",
            ).order_by("-id")[:20],
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
            witnessed=witness.peer_status(),
        )
    return render(request, "exchange/dashboard.html", context)


# --- a case's exchange page ---------------------------------------------------------------------

_NOT_FOR_A_CHILD = frozenset({Purpose.STATISTICS, Purpose.AUDIT, Purpose.IMMIGRATION_ENFORCEMENT})

# What each action is called on the case's exchange page, and what it does, in a line.
_CHOICES: dict[str, tuple[Any, Any]] = {
    "referral": (
        _("Refer the child"),
        _("Ask another organisation to provide a service; the case stays with you."),
    ),
    "request": (_("Request information"), _("Ask another organisation what it knows about this child.")),
    "tracing": (
        _("Trace a relative"),
        _("Ask an organisation in a relative's country to trace them for the child (family tracing)."),
    ),
    "handover": (
        _("Hand over to the next guardian"),
        _("The child moves: hand them over to the organisation that will appoint their next guardian."),
    ),
    "notice": (
        _("Send a notice"),
        _("Tell another organisation something about this child; no answer is expected."),
    ),
    "alert": (
        _("Alert organisations along the route"),
        _(
            "The child is missing: tell partners on the route and at the destination, who look out for the child."
        ),
    ),
    "transfer": (
        _("Transfer the case"),
        _("Hand the case over for good: the other organisation becomes responsible and it closes here."),
    ),
}


def _case(request: HttpRequest, public_id: uuid.UUID) -> CaseAccess:
    purpose = current_purpose(request)
    assert purpose is not None  # purpose_required has run
    try:
        return access_case(_me(request), public_id, purpose)
    except NotFound as exc:
        raise Http404 from exc


def _case_context(request: HttpRequest, access: CaseAccess, **extra: Any) -> dict[str, Any]:
    me = _me(request)
    case = access.case
    status = registry_status()
    order = {k.name: k.order for k in threads.KINDS.values()}
    about = sorted(
        threads_of(me).filter(case=case, kind__in=list(order)).order_by("-created_at"),
        key=lambda t: order[t.kind],
    )
    context: dict[str, Any] = {
        "case": case,
        "status": status,
        "exchanges": may_exchange(me),
        "partners": _federation_orgs(status, me),
        # What a message about one child can be for: never statistics or audit (no child's data
        # travels for them), never immigration enforcement (the firewall).
        "purposes": [p for p in Purpose if p not in _NOT_FOR_A_CHILD],
        "purpose": current_purpose(request),
        "categories": list(DataCategory),
        "threads": [(threads.kind(t.kind), t) for t in about],
        # A line shows a thread's child data only where the case's decisions (made and audited
        # for this page) open every category it carries.
        "shown": {t.pk for t in about if set(t.categories) <= access.allowed},
        "openings": [
            k
            for k in _kinds()
            if k.opening is not None
            and (may_exchange(me) or k.opening.beyond_exchange_roles)
            and k.opening.shown(me, case, about)
        ],
        # The child's accounts that may travel with a referral or a transfer (tell it once): offered
        # only to a reader of disclosures; whether they may go is decided when sent.
        "child_accounts": list(current_accounts(case)) if access.can(DataCategory.DISCLOSURE) else [],
        # The case's best-interests assessments that may travel with a transfer (offered to a
        # reader of legal status; what of one may go is decided when sent).
        "best_interests_records": (
            [r for r in BestInterests.objects.filter(case=case) if r.standing]
            if access.can(DataCategory.LEGAL_STATUS)
            else []
        ),
        "errors": {},
        "form": {},
        "which": "",
    }
    # The ward's guardian sees the forms offered to them (a hand-over), though not the exchange.
    context["exchanges"] = context["exchanges"] or bool(context["openings"])
    for kind in context["openings"]:
        context.update(kind.opening.context)
    context.update(extra)
    # One action at a time: the one chosen (or whose form came back with errors), else a choice.
    chosen = context["which"] or request.GET.get("action", "")
    context["choices"] = [(k, _CHOICES.get(k.slug, (k.label, ""))) for k in context["openings"]]
    context["chosen"] = next((k for k in context["openings"] if k.slug == chosen), None)
    return context


@login_required
@purpose_required
@require_GET
def case_exchange(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return render(request, "exchange/case.html", _case_context(request, _case(request, public_id)))


@login_required
@purpose_required
@require_POST
def send(request: HttpRequest, public_id: uuid.UUID, slug: str) -> HttpResponse:
    """Open a thread of kind ``slug`` about the case, from its form on the case's exchange page."""
    me = _me(request)
    access = _case(request, public_id)
    case = access.case
    kind = threads.by_slug(slug)
    if kind is None or kind.opening is None:
        raise Http404
    opening = kind.opening
    if not may_exchange(me) and not (opening.beyond_exchange_roles and opening.shown(me, case, [])):
        raise Http404
    parsed, errors = _parse(opening.schema, opening.data(request.POST, None))
    if parsed is not None:
        try:
            thread = opening.do(me, case, parsed)
        except ActionError as exc:
            errors = exc.errors
        else:
            if opening.to_thread and kind.page:
                return redirect("exchange:thread", slug=kind.slug, public_id=thread.public_id)
            return redirect("exchange:case", public_id=case.public_id)
    return render(
        request,
        "exchange/case.html",
        _case_context(request, access, errors=errors, form=request.POST, which=kind.slug),
        status=UNPROCESSABLE,
    )


# --- a thread's page ----------------------------------------------------------------------------


def _thread_context(access: ThreadAccess, me: User, **extra: Any) -> dict[str, Any]:
    kind, thread = access.kind, access.thread
    ledger = threads.ledger(thread, thread.messages.select_related("by"))
    outbox = {
        str(o.message_id): o
        for o in OutboxMessage.objects.filter(
            message_id__in=[m.message_id for m in ledger if m.direction == "out"]
        )
    }
    context: dict[str, Any] = {
        "kind": kind,
        "thread": thread,
        kind.name: thread,
        "now": timezone.now(),
        "ledger": [(message, outbox.get(str(message.message_id))) for message in ledger],
        "deliveries": [outbox[str(m.message_id)] for m in ledger if str(m.message_id) in outbox],
        # Answering means reading: nothing to send while the content is withheld.
        "can": kind.sendable(thread, me) if access.shown else set(),
        # Who does not use the exchange (an incoming guardian) goes back to "My wards".
        "exchanges": may_exchange(me),
        "clock": kind.clock_of(thread),
        "errors": {},
        "action": "",
        "withheld": access.withheld,
    }
    if access.shown:
        context.update(kind.redact(kind.page_context(thread), access.refused))
    context.update(extra)
    return context


@login_required
@require_GET
def thread_page(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    me = _me(request)
    access = access_thread(me, slug, public_id)
    if not access.kind.page:
        raise Http404
    return render(request, access.kind.page, _thread_context(access, me))


@login_required
@require_POST
def thread_act(request: HttpRequest, slug: str, public_id: uuid.UUID, action: str) -> HttpResponse:
    """Send one of the kind's answers from its form on the thread page."""
    me = _me(request)
    access = access_thread(me, slug, public_id)
    kind, thread = access.kind, access.thread
    chosen = kind.actions.get(action)
    if chosen is None or not kind.page or not access.shown:
        raise Http404
    parsed, errors = _parse(chosen.schema, chosen.data(request.POST, thread))
    if parsed is not None:
        try:
            result = chosen.do(me, thread, parsed)
        except ActionError as exc:
            errors = exc.errors
        else:
            if chosen.to_case and result.case is not None:
                return redirect("case_detail", public_id=result.case.public_id)
            return redirect("exchange:thread", slug=kind.slug, public_id=thread.public_id)
    return render(
        request, kind.page, _thread_context(access, me, errors=errors, action=action), status=UNPROCESSABLE
    )


# --- a take-charge request sent from its own page ----------------------------------------------


@login_required
@purpose_required
@require_POST
def send_take_charge(request: HttpRequest, public_id: uuid.UUID, request_id: uuid.UUID) -> HttpResponse:
    """Send the case's recorded take-charge request to the requested State's Dublin unit (the
    form on the request's page); a refusal is shown with its reason (422)."""
    access = _case(request, public_id)
    if not access.can(DataCategory.LEGAL_STATUS):
        raise Http404
    found = TakeChargeRequest.objects.filter(case=access.case, public_id=request_id).first()
    if found is None:
        raise Http404
    data: dict[str, Any] = {k: request.POST.get(k, "") for k in ("to_org", "agreement_id", "note")}
    data["best_interests"] = request.POST.get("best_interests") == "on"
    data["purpose"] = current_purpose(request) or ""
    parsed, errors = _parse(take_charge.TakeChargeSendIn, data)
    if parsed is not None:
        try:
            thread = take_charge.do_send_take_charge(_me(request), found, parsed)
        except ActionError as exc:
            errors = exc.errors
        else:
            return redirect("exchange:thread", slug=take_charge.KIND.slug, public_id=thread.public_id)
    return render(
        request,
        "exchange/take_charge_refused.html",
        {"case": access.case, "take_charge": found, "errors": errors},
        status=UNPROCESSABLE,
    )
