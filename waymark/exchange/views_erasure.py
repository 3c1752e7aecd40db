"""The DPO's erasure pages: erase a child (from the case page or the DPO's menu) and follow the
erasure notices — those sent and not yet confirmed, and those received that wait for a decision.

Only the data protection officer of an organisation sees them (404 for anyone else, as for a
page that does not exist). The page that names the child asks the policy under the purpose
``audit`` (``access_case``, audited); the lists show organisations, dates and case references,
never child data. Thin: parse, call ``exchange.erasure`` or the erasure-notice kind, render.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import BaseModel, ValidationError

from waymark.accounts.models import User
from waymark.audit.models import AuditEntry
from waymark.cases.access import access_case
from waymark.cases.models import Case
from waymark.core.protocol.threads import ERASURE
from waymark.errors import ActionError, NotFound, field_errors
from waymark.vocab import AuditKind, ErasureBasis, KeepBasis, Purpose

from . import erasure
from .models import Direction, OutboxMessage, Thread
from .threads import erasure_notice as notices

UNPROCESSABLE = 422
# The erasures of a child this organisation made (by request, on a notice, at end of retention).
_CHILD_ERASURES = ("request", "erasure_notice", "retention")


def _dpo(request: HttpRequest) -> User:
    """The signed-in user if they are the DPO of an organisation; 404 otherwise."""
    user = request.user
    assert isinstance(user, User)
    if not erasure.is_dpo_of(user, user.organisation_id):
        raise Http404
    return user


def _parse(schema: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)


def _home_context(me: User, **extra: Any) -> dict[str, Any]:
    assert me.organisation is not None
    org = me.organisation
    sent = erasure.unconfirmed(org)
    outbox = {
        o.message_id: o
        for o in OutboxMessage.objects.filter(message_id__in=[t.opened_message_id for t in sent])
    }
    erasures = [
        e
        for e in AuditEntry.objects.filter(kind=AuditKind.ERASURE, actor_org=org.slug).order_by("-seq")[:100]
        if e.details.get("why") in _CHILD_ERASURES and e.details.get("references") is not None
    ][:20]
    context: dict[str, Any] = {
        "waiting": erasure.awaiting_decision(org),
        "unanswered": erasure.unanswered(org),
        "unconfirmed": [(t, outbox.get(t.opened_message_id)) for t in sent],
        "confirmed": erasure.confirmed(org),
        "erasures": erasures,
        "bases": dict(ErasureBasis.choices),
        "keep_bases": KeepBasis.choices,
        "states": notices.KIND.states,
        "reference": "",
        "errors": {},
        "errors_for": None,
        "form": {},
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """The DPO's erasure page; ``?reference=`` finds a case of their organisation to erase."""
    me = _dpo(request)
    reference = request.GET.get("reference", "").strip()
    if "reference" in request.GET:
        try:
            case = erasure.find_case(me, reference)
        except ActionError as exc:
            return render(
                request,
                "exchange/erasure/home.html",
                _home_context(me, reference=reference, errors=exc.errors),
                status=UNPROCESSABLE,
            )
        return redirect("exchange:erasure_case", public_id=case.public_id)
    return render(request, "exchange/erasure/home.html", _home_context(me))


def _case_context(me: User, access: Any, **extra: Any) -> dict[str, Any]:
    case = access.case
    others = list(Case.objects.filter(child=case.child).order_by("pk").values_list("reference", flat=True))
    recipients = notices.recipients_of(list(Case.objects.filter(child=case.child)))
    context: dict[str, Any] = {
        "case": case,
        "child": case.child,
        "access": access,
        "references": others,
        "recipients": sorted({r.peer_org_name or r.peer_org for r in recipients}),
        "bases": ErasureBasis.choices,
        "errors": {},
        "form": {},
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def erase_case(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Whom the DPO is about to erase (identity, under the purpose audit), and the form."""
    user = request.user
    assert isinstance(user, User)
    try:
        # The policy decides (and the log records) whether this user may see the child at all.
        access = access_case(user, public_id, Purpose.AUDIT)
    except NotFound as exc:
        raise Http404 from exc
    if not erasure.is_dpo_of(user, access.case.organisation_id):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        fields = {k: request.POST.get(k, "") for k in ("reason", "legal_basis", "confirm_reference")}
        parsed, errors = _parse(erasure.EraseChildIn, fields)
        if parsed is not None:
            try:
                done = erasure.do_erase_child(user, access.case, parsed)
            except NotFound as exc:
                raise Http404 from exc
            except ActionError as exc:
                errors = exc.errors
            else:
                sent = [n for n in done.notices if n.status != notices.NOT_SENT]
                messages.success(
                    request,
                    _("Erased %(references)s. Erasure notices queued: %(sent)d; not sent: %(unsent)d.")
                    % {
                        "references": ", ".join(done.erasure.case_references),
                        "sent": len(sent),
                        "unsent": len(done.notices) - len(sent),
                    },
                )
                return redirect("exchange:erasure")
    return render(
        request,
        "exchange/erasure/case.html",
        _case_context(user, access, errors=errors, form=request.POST),
        status=UNPROCESSABLE if errors else 200,
    )


@login_required
@require_POST
def keep_case(request: HttpRequest, public_id: uuid.UUID, case_id: uuid.UUID) -> HttpResponse:
    """The DPO keeps a case their organisation owns, against an erasure notice (Art. 17(3))."""
    me = _dpo(request)
    notice = Thread.objects.filter(
        kind=ERASURE.kind,
        direction=Direction.INCOMING,
        public_id=public_id,
        local_org=me.organisation,
    ).first()
    case = Case.objects.filter(public_id=case_id, organisation=me.organisation).first()
    if notice is None or case is None:
        raise Http404
    fields = {k: request.POST.get(k, "") for k in ("reason", "kept_basis")}
    parsed, errors = _parse(erasure.KeepIn, fields)
    if parsed is not None:
        try:
            erasure.do_keep_case(me, notice, case, parsed)
        except NotFound as exc:
            raise Http404 from exc
        except ActionError as exc:
            errors = exc.errors
        else:
            messages.success(
                request, _("Case %(reference)s is kept; the sender is told.") % {"reference": case.reference}
            )
            return redirect("exchange:erasure")
    return render(
        request,
        "exchange/erasure/home.html",
        _home_context(me, errors=errors, errors_for=(notice.pk, case.pk), form=request.POST),
        status=UNPROCESSABLE,
    )


@login_required
@require_POST
def retry(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Try again an erasure notice that could not be sent, or a confirmation that could not be."""
    me = _dpo(request)
    notice = Thread.objects.filter(kind=ERASURE.kind, public_id=public_id, local_org=me.organisation).first()
    if notice is None:
        raise Http404
    try:
        erasure.do_retry(me, notice)
    except NotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        return render(
            request,
            "exchange/erasure/home.html",
            _home_context(me, errors=exc.errors, errors_for=(notice.pk, None)),
            status=UNPROCESSABLE,
        )
    messages.success(request, _("Sent again to %(org)s.") % {"org": notice.peer_org_name})
    return redirect("exchange:erasure")
