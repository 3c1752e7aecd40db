"""Actions of the police side: the only writers of police alerts and SIRENE requests. Each
``do_*`` is one transaction (the row, the timeline entry on the case, the audit entry, the
need-to-know context); ``ActionError`` names the field at fault. Callers fetch and authorise
first (``access.py``); the lifecycle itself is ``core.police.TRANSITIONS``, asked here."""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.cases.actions import create_event
from waymark.cases.models import Case
from waymark.core import police as core
from waymark.core.clocks import POLICE_ALERT_ISSUE, SIRENE_REPLY
from waymark.errors import ActionError
from waymark.missing import actions as missing_actions
from waymark.missing.models import Disappearance, Notification, StepStatus
from waymark.policy import service as policy
from waymark.policy.contexts import close_contexts, open_context
from waymark.vocab import (
    AuditKind,
    ContextSource,
    DataCategory,
    EventSource,
    EventType,
    PoliceAlertKind,
    PoliceAlertState,
    PolicyAction,
    Purpose,
    Role,
    Sector,
    SireneDirection,
)

from .models import PoliceAlert, SireneRequest
from .schemas import AlertRequestIn, SireneAnswersIn, SireneAskIn, TransitionIn

# The protocol step an SIS alert request fulfils (waymark/missing/protocols/*.yaml).
SIS_STEP = "sis_alert_requested"
PURPOSE = Purpose.LOCATE_MISSING_CHILD


def _audit(user: User | None, case: Case, action: str, **details: object) -> None:
    audit.record(
        AuditKind.OTHER,
        actor=user,
        purpose=PURPOSE,
        subject=case.audit_subject,
        details={"action": action, **details},
    )


def _timeline(case: Case, user: User | None, summary: str, now: dt.datetime, details: str = "") -> None:
    # The care team's record of what happened on the police side (case notes: not the police's).
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=now,
        author=user,
        source=EventSource.POLICE
        if user is not None and user.role == Role.POLICE_OFFICER
        else EventSource.STAFF,
        category=DataCategory.CASE_NOTES,
        summary=summary[:300],
        details=details,
    )


# ---------------------------------------------------------------------------------------------
# Alerts


def police_unit(slug: str) -> Organisation:
    """A police unit that may be asked: an organisation of sector police (never immigration)."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None or org.sector != Sector.POLICE:
        raise ActionError("not a police unit known to this node", field="police_org")
    return org


def open_disappearance(case: Case) -> Disappearance:
    d = Disappearance.objects.filter(case=case, closed_at__isnull=True).first()
    if d is None:
        raise ActionError("the child is not reported missing: report the disappearance first", field="")
    return d


def check_request_alert(case: Case, data: AlertRequestIn) -> tuple[Organisation, Disappearance]:
    d = open_disappearance(case)
    org = police_unit(data.police_org)
    countries = [d.destination_country, *d.route_countries]
    if not core.kind_fits(data.kind, countries):
        raise ActionError(
            "an Interpol yellow notice is for a child who may be outside the SIS area; the route and "
            "destination are inside it (request the SIS alert)",
            field="kind",
        )
    if data.sis_category and data.kind != PoliceAlertKind.SIS_MISSING_MINOR:
        raise ActionError("an SIS category goes with an SIS alert only", field="sis_category")
    live = PoliceAlert.objects.filter(
        case=case, kind=data.kind, closed_at__isnull=True, withdrawn_at__isnull=True
    ).exists()
    if live:
        raise ActionError("this case already has a live alert of this kind", field="kind")
    return org, d


@transaction.atomic
def do_request_alert(
    user: User, case: Case, data: AlertRequestIn, *, now: dt.datetime | None = None
) -> PoliceAlert:
    """Ask a police unit for an alert on the missing child: the record (requested, its issue
    clock started), a need-to-know context for the unit (it reads the extract under its
    agreement), the protocol's SIS step marked done, a timeline entry and an audit entry."""
    now = now or timezone.now()
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("child", "organisation").get(pk=case.pk)
    )
    org, d = check_request_alert(case, data)
    alert = PoliceAlert(
        case=case,
        kind=data.kind,
        sis_category=data.sis_category or "",
        police_org=org,
        state=PoliceAlertState.REQUESTED,
        physical_description=data.physical_description,
        requested_at=now,
        requested_by=user,
        issue_due_at=POLICE_ALERT_ISSUE.start(now).due_at,
        updated_at=now,
        is_fictional=case.is_fictional,
    )
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError as exc:  # a concurrent request of the same kind
        raise ActionError("this case already has a live alert of this kind", field="kind") from exc
    open_context(
        case,
        partner=org.slug,
        purpose=PURPOSE,
        source=ContextSource.POLICE_ALERT,
        source_id=alert.public_id,
        now=now,
    )
    label = PoliceAlertKind(data.kind).label
    _timeline(case, user, f"Police alert requested from {org.name}: {label}", now)
    _audit(user, case, "police_alert_requested", kind=str(data.kind), police_org=org.slug)
    if data.kind == PoliceAlertKind.SIS_MISSING_MINOR:
        step = StepStatus.objects.filter(
            disappearance=d, key=SIS_STEP, done_at__isnull=True, stopped_at__isnull=True
        ).first()
        if step is not None:
            missing_actions.do_mark_step_done(user, d, SIS_STEP, note=f"Requested from {org.name}", now=now)
    return alert


@transaction.atomic
def do_advance_alert(
    user: User, alert: PoliceAlert, data: TransitionIn, *, now: dt.datetime | None = None
) -> PoliceAlert:
    """Move the alert along its lifecycle (the table in ``core.police``): issued with the
    police's reference, a hit with where, closed or withdrawn (the unit's context then ends)."""
    now = now or timezone.now()
    alert = (
        PoliceAlert.objects.select_for_update(of=("self",))
        .select_related("case__child", "police_org")
        .get(pk=alert.pk)
    )
    try:
        core.transition(alert.state, data.to, reference=data.reference, place=data.place)
    except core.TransitionRefused as exc:
        raise ActionError(str(exc), field=exc.field) from exc
    target = PoliceAlertState(data.to)
    alert.state = target
    alert.updated_at = now
    if target == PoliceAlertState.ISSUED:
        alert.reference = data.reference
        alert.issued_at = now
    elif target == PoliceAlertState.HIT:
        alert.hit_place = data.place
        alert.hit_at = now
    elif target == PoliceAlertState.CLOSED:
        alert.closed_at = now
    else:
        alert.withdrawn_at = now
    alert.save()
    if target in core.ENDED:
        close_contexts(ContextSource.POLICE_ALERT, alert.public_id, now)
    label = PoliceAlertKind(alert.kind).label
    summary = {
        PoliceAlertState.ISSUED: f"Police alert issued ({label}), reference {alert.reference}",
        PoliceAlertState.HIT: f"Police alert hit ({label}): {alert.hit_place}",
        PoliceAlertState.CLOSED: f"Police alert closed ({label})",
        PoliceAlertState.WITHDRAWN: f"Police alert withdrawn ({label})",
    }[target]
    _timeline(alert.case, user, summary, now, data.note)
    _audit(user, alert.case, "police_alert_" + str(target), kind=alert.kind, police_org=alert.police_org.slug)
    return alert


# ---------------------------------------------------------------------------------------------
# SIRENE-style requests


@transaction.atomic
def do_ask_sirene(
    user: User, alert: PoliceAlert, data: SireneAskIn, *, now: dt.datetime | None = None
) -> SireneRequest:
    """A request about a live alert: from the police unit's officer to the case's organisation,
    or from the case's people to the unit; the reply is due in 12 hours."""
    now = now or timezone.now()
    if alert.state in core.ENDED:
        raise ActionError("this police alert has ended", field="alert")
    if user.organisation_id == alert.police_org_id and user.role == Role.POLICE_OFFICER:
        direction = SireneDirection.FROM_POLICE
    elif user.organisation_id == alert.case.organisation_id and user.role in (
        Role.CASEWORKER,
        Role.SUPERVISOR,
    ):
        direction = SireneDirection.TO_POLICE
    else:
        raise ActionError(
            "only the police unit asked and the case's caseworkers exchange on this alert", field="alert"
        )
    questions = [
        {"id": f"q{i}", "category": str(q.category), "text": q.text}
        for i, q in enumerate(data.questions, start=1)
    ]
    request = SireneRequest.objects.create(
        case=alert.case,
        alert=alert,
        direction=direction,
        police_org=alert.police_org,
        asked_by=user,
        asked_at=now,
        due_at=SIRENE_REPLY.start(now).due_at,
        questions=questions,
        is_fictional=alert.case.is_fictional,
    )
    who = "by the police" if direction == SireneDirection.FROM_POLICE else "to the police"
    _timeline(
        alert.case,
        user,
        f"SIRENE request {who} ({alert.police_org.name}), reply due {request.due_at:%Y-%m-%d %H:%M} UTC",
        now,
    )
    _audit(user, alert.case, "sirene_asked", direction=str(direction), police_org=alert.police_org.slug)
    return request


def check_answers(user: User, request: SireneRequest, data: SireneAnswersIn) -> list[dict[str, str]]:
    """The answers as stored, or ``ActionError`` naming the answer at fault: every question
    answered or declined once; an answer to the police only in a category the asking officer
    may read of this child (the policy, now) — the rest must be declined."""
    if request.answered_at is not None:
        raise ActionError("this request has already been answered", field="answers")
    by_id = {q["id"]: q for q in request.questions}
    given = {a.question_id: (i, a) for i, a in enumerate(data.answers)}
    unknown = sorted(set(given) - set(by_id))
    if unknown:
        raise ActionError(f"no such question: {', '.join(unknown)}", field="answers")
    missing = sorted(set(by_id) - set(given))
    if missing:
        raise ActionError(
            f"answer or decline every question (missing: {', '.join(missing)})", field="answers"
        )
    allowed: frozenset[str] = frozenset(core.POLICE_CATEGORIES)
    if request.direction == SireneDirection.FROM_POLICE:
        asker = request.asked_by
        if asker is None or not asker.is_active:
            allowed = frozenset()
        else:
            decided = policy.authorize(
                asker, request.case, purpose=PURPOSE, categories=sorted(allowed), action=PolicyAction.READ
            )
            allowed = frozenset(c for c, d in decided.items() if d.allowed)
    answers = []
    for qid, (i, a) in sorted(given.items()):
        if bool(a.text) == bool(a.declined):
            raise ActionError("answer, or say why you decline", field=f"answers.{i}.text")
        category = by_id[qid]["category"]
        if a.text and category not in allowed:
            raise ActionError(
                f"the police may not be told {category} of this child under their agreement: decline it",
                field=f"answers.{i}.text",
            )
        answers.append({"question_id": qid, "category": category, "text": a.text, "declined": a.declined})
    return answers


@transaction.atomic
def do_answer_sirene(
    user: User, request: SireneRequest, data: SireneAnswersIn, *, now: dt.datetime | None = None
) -> SireneRequest:
    """Answer a request: the care side answers the police (only what the police may read), the
    police answer the care side; the reply clock is met (late or in time)."""
    now = now or timezone.now()
    request = (
        SireneRequest.objects.select_for_update(of=("self",))
        .select_related("case__child", "police_org", "asked_by")
        .get(pk=request.pk)
    )
    if request.direction == SireneDirection.FROM_POLICE:
        may = user.organisation_id == request.case.organisation_id and user.role in (
            Role.CASEWORKER,
            Role.SUPERVISOR,
        )
    else:
        may = user.organisation_id == request.police_org_id and user.role == Role.POLICE_OFFICER
    if not may:
        raise ActionError("this request is for the other side to answer", field="answers")
    answers = check_answers(user, request, data)
    request.answers = answers
    request.answered_at = now
    request.answered_by = user
    request.save(update_fields=["answers", "answered_at", "answered_by"])
    Notification.objects.filter(url=_url(request), read_at__isnull=True).update(read_at=now)
    late = " (late)" if now >= request.due_at else ""
    _timeline(request.case, user, f"SIRENE request answered{late} ({request.police_org.name})", now)
    _audit(user, request.case, "sirene_answered", direction=request.direction, late=bool(late))
    return request


# ---------------------------------------------------------------------------------------------
# The reply clock: overdue requests notify the side that must answer (manage.py missing_clocks)


def _url(request: SireneRequest) -> str:
    d = Disappearance.objects.filter(case_id=request.case_id).order_by("-reported_at").first()
    if d is None:
        return ""
    return reverse("missing:detail", args=[d.public_id]) + "#police"


def answerers(request: SireneRequest) -> list[User]:
    """Who must reply: the police unit's officers, or the case's caseworker (else the
    organisation's caseworkers)."""
    if request.direction == SireneDirection.TO_POLICE:
        return list(
            User.objects.filter(
                organisation_id=request.police_org_id, role=Role.POLICE_OFFICER, is_active=True
            )
        )
    case = request.case
    if case.caseworker is not None and case.caseworker.is_active:
        return [case.caseworker]
    return list(
        User.objects.filter(organisation_id=case.organisation_id, role=Role.CASEWORKER, is_active=True)
    )


def _mail(subject: str, body: str, to: list[str]) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=True)


def notify_overdue_requests(now: dt.datetime) -> int:
    """Notify, once each, who must answer every SIRENE request overdue at ``now`` (in the app and
    by e-mail after commit; no child data: the case reference). Claimed by a conditional update."""
    notified = 0
    due = SireneRequest.objects.filter(
        answered_at__isnull=True, notified_at__isnull=True, due_at__lte=now
    ).select_related("case__caseworker")
    for request in due.order_by("due_at"):
        with transaction.atomic():
            if not SireneRequest.objects.filter(pk=request.pk, notified_at__isnull=True).update(
                notified_at=now
            ):
                continue
            notified += 1
            text = f"Overdue: SIRENE request reply (12 h) — case {request.case.reference}"[:300]
            url = _url(request)
            people = answerers(request)
            Notification.objects.bulk_create([Notification(user=u, text=text, url=url) for u in people])
            emails = [u.email for u in people if u.email]
            if emails:
                body = f"{text}\n\nThe reply was due at {request.due_at:%Y-%m-%d %H:%M} UTC. Open it in Waymark: {url}\n"
                transaction.on_commit(functools.partial(_mail, text, body, emails))
    return notified
