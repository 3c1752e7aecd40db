"""The firewall's pages about a case: break-glass (open emergency access, confirm it — a second
person — and the DPO's view) and the DPO's "why was this allowed or refused?".

They find the case by its reference; the decisions and the break-glass rules are the policy app's
(``waymark.policy.breakglass``, ``waymark.policy.service``). Served under ``/policy/``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.audit.models import AuditEntry
from waymark.core.protocol.vocab import FORBIDDEN_SECTORS
from waymark.errors import ActionError, NotFound
from waymark.policy import breakglass, service
from waymark.policy.purpose import current_purpose, purpose_required
from waymark.vocab import AuditKind, DataCategory, PolicyAction, Purpose, Role

from .models import Case

NOT_LINKED = (
    "no case of your organisation, of your wards or that your organisation shares a context about "
    "has this reference"
)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@purpose_required
@require_http_methods(["GET", "POST"])
def break_glass_open(request: HttpRequest) -> HttpResponse:
    """A case is named by its reference: the user may not be able to see it at all yet."""
    me = _me(request)
    purpose = current_purpose(request)
    assert purpose is not None
    reference = (request.POST.get("reference") or request.GET.get("reference") or "").strip()
    reason = request.POST.get("reason", "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        case = Case.objects.select_related("organisation", "child").filter(reference=reference).first()
        try:
            if case is None:
                raise NotFound
            glass = breakglass.do_open_break_glass(me, case, purpose, reason)
        except NotFound:
            # The same answer whether no case has this reference or it is not one you are linked
            # to: references must not tell anyone which cases exist.
            errors = ActionError(NOT_LINKED, field="reference").errors
        except ActionError as exc:
            errors = exc.errors
        else:
            return redirect("case_detail", public_id=glass.case.public_id)
    return render(
        request,
        "policy/break_glass_open.html",
        {"reference": reference, "reason": reason, "errors": errors, "purpose": purpose},
        status=422 if errors else 200,
    )


@login_required
def break_glass_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    context = {
        "pending": list(breakglass.pending_for(me)),
        "alerts": list(breakglass.dpo_alerts(me)[:100]) if me.role == Role.DPO else [],
        "mine": list(
            breakglass.BreakGlass.objects.filter(user=me).select_related("case").order_by("-opened_at")[:20]
        ),
    }
    return render(request, "policy/break_glass_list.html", context)


@login_required
@require_POST
def break_glass_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        breakglass.do_confirm_break_glass(_me(request), pk)
    except NotFound as exc:
        raise Http404 from exc
    return redirect("break_glass_list")


def may_explain(me: User, subject: User, case: Case) -> bool:
    """A DPO (or node administrator) explains decisions about their own organisation: about a
    case it holds (whoever asked), or about one of its own users and a child that user's access
    left in this organisation's log. Anything else answers like a reference that does not exist."""
    org = me.organisation
    if org is None:
        return False
    if case.organisation_id == org.pk:
        return True
    if subject.organisation_id != org.pk:
        return False
    return AuditEntry.objects.filter(
        child_pseudonym=audit.pseudonym(case.child.public_id), actor=subject.username, actor_org=org.slug
    ).exists()


@login_required
@require_http_methods(["GET"])
def explain_page(request: HttpRequest) -> HttpResponse:
    """The DPO's "why was this allowed or refused?" — the same answer as ``manage.py policy_explain``,
    for their own organisation (``may_explain``); never for a sector the firewall refuses."""
    me = _me(request)
    org = me.organisation
    if me.role not in (Role.DPO, Role.NODE_ADMIN) or org is None or org.sector in FORBIDDEN_SECTORS:
        raise Http404
    form = {k: request.GET.get(k, "").strip() for k in ("user", "case", "purpose", "category", "action")}
    form["action"] = form["action"] or PolicyAction.READ
    answer = error = ""
    if request.GET.get("user"):
        subject = User.objects.filter(username=form["user"]).select_related("organisation").first()
        case = Case.objects.select_related("organisation", "child").filter(reference=form["case"]).first()
        if case is not None and subject is not None and not may_explain(me, subject, case):
            case = None  # not this organisation's to explain: the same answer as no such case
        if subject is None:
            error = "user: no such user"
        elif case is None:
            error = "case: no case has this reference"
        elif form["purpose"] not in Purpose.values or form["category"] not in DataCategory.values:
            error = "purpose/category: choose from the lists"
        elif form["action"] not in PolicyAction.values:
            error = "action: read or update"
        else:
            decision = service.explain(subject, case, form["purpose"], form["category"], form["action"])
            answer = decision.explanation
            # A DPO's look at a decision is itself recorded (no child data is shown).
            audit.record(
                AuditKind.OTHER,
                actor=me,
                purpose=Purpose.AUDIT,
                subject=case.audit_subject,
                details={"explained_for": subject.username, "category": form["category"]},
            )
    return render(
        request,
        "policy/explain.html",
        {
            "form": form,
            "answer": answer,
            "error": error,
            "purposes": Purpose.values,
            "categories": DataCategory.values,
            "actions": PolicyAction.values,
        },
        status=422 if error else 200,
    )
