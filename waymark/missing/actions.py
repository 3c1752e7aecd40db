"""Actions of the missing-child response: the only writers of disappearances, steps and
notifications. Each ``do_*`` is one transaction; ``ActionError`` names the field at fault.

Callers fetch and authorise first (``access.py``: the case for the categories the action writes);
these functions trust that and write the business rows, the timeline event and the audit row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.cases.actions import create_event
from waymark.cases.models import Case, Child
from waymark.core.risk import RiskFacts, RiskResult, assess
from waymark.errors import ActionError
from waymark.vault import service as vault
from waymark.vault.sealed import sealed_field
from waymark.vocab import (
    AuditKind,
    CaseStatus,
    DataCategory,
    DatePrecision,
    DisappearanceOutcome,
    EventSource,
    EventType,
    MissingCategory,
    RiskLevel,
    Role,
)

from .models import Disappearance, Notification, StepStatus
from .protocols import Protocol, protocol_for
from .schemas import DisappearanceIn, RiskIn

# ---------------------------------------------------------------------------------------------
# Report a disappearance


def youngest_age(child: Child, today: dt.date) -> int | None:
    """The youngest the child may be today: an assessed range counts from its lower end."""
    if child.birth_date_precision == DatePrecision.ESTIMATED:
        if child.assessed_age_min is None:
            return None
        assessed = child.assessed_on or today
        return child.assessed_age_min + max(0, (today - assessed).days // 365)
    if child.birth_date is None:
        return None
    born = child.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def check_report_disappearance(case: Case) -> Protocol:
    """The protocol that will apply; refuses a case already missing, closed or transferred."""
    if case.status in (CaseStatus.CLOSED, CaseStatus.TRANSFERRED):
        raise ActionError("the case is closed: reopen it before reporting the child missing", field="")
    if Disappearance.objects.filter(case=case, closed_at__isnull=True).exists():
        raise ActionError("this child is already reported missing: update the open report", field="")
    org = case.organisation
    protocol = protocol_for(org.slug, org.country)
    if protocol is None:
        raise ActionError("no missing-child protocol is loaded on this node (ask the node admin)", field="")
    return protocol


def _facts(d: Disappearance, checklist: RiskIn | None) -> RiskFacts:
    case = d.case
    c = checklist or RiskIn()
    return RiskFacts(
        age=youngest_age(case.child, timezone.localdate()),
        unaccompanied=case.unaccompanied,
        health_needs=c.health_needs,
        urgent_health_needs=c.urgent_health_needs,
        exploitation_indicators=c.exploitation_indicators,
        contact_with_suspected_traffickers=c.contact_with_suspected_traffickers,
        debt=c.debt,
        previous_disappearances=c.previous_disappearances,
        missing_category=d.missing_category,
        triggers=frozenset(d.triggers),
    )


def _apply_risk(d: Disappearance, result: RiskResult, now: dt.datetime) -> None:
    d.risk_computed = str(result.level)
    d.risk_reasons = [{"code": r.code, "level": str(r.level), "text": r.text} for r in result.reasons]
    d.risk_assessed_at = now


def _mark_case_risk(case: Case, d: Disappearance, now: dt.datetime) -> None:
    """The case carries the risk in force, so every list and board shows it (high = urgent)."""
    reasons = "; ".join(r["text"] for r in d.risk_reasons) or "no risk factor recorded"
    if d.risk_override:
        reasons = f"overridden to {d.risk_override}: {d.risk_override_reason} (checklist: {reasons})"
    case.risk_level = d.risk_level or RiskLevel.MEDIUM
    case.risk_reasons = vault.seal_text(case.child, sealed_field(Case, "risk_reasons"), reasons)
    case.updated_at = now


@transaction.atomic
def do_report_disappearance(
    user: User, case: Case, data: DisappearanceIn, *, now: dt.datetime | None = None
) -> Disappearance:
    """Report the child missing: the report, its protocol steps with their clocks started now,
    a first risk assessment from what is known, the case marked missing (status, category and
    risk) and a timeline entry — all or nothing."""
    now = now or timezone.now()
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("child", "organisation").get(pk=case.pk)
    )
    protocol = check_report_disappearance(case)
    d = Disappearance(
        case=case,
        reported_at=now,
        reported_by=user,
        reported_by_org_id=user.organisation_id,
        last_seen_at=data.last_seen_at,
        destination_country=data.destination_country,
        route_countries=list(data.route_countries),
        missing_category=data.missing_category,
        triggers=[str(t) for t in data.triggers],
        protocol=protocol.ident,
        is_fictional=case.is_fictional,
    )
    d.last_seen_place = data.last_seen_place
    d.circumstances = data.circumstances
    d.belongings = data.belongings
    d.contacts = [c.model_dump() for c in data.contacts]
    d.destination = data.destination
    d.family_abroad = data.family_abroad
    d.trigger_notes = data.trigger_notes
    _apply_risk(d, assess(_facts(d, None)), now)
    steps = [
        StepStatus(
            key=step.key,
            label=step.label,
            role=step.role,
            position=i,
            started_at=clock.started_at,
            warn_at=clock.warn_at,
            due_at=clock.due_at,
        )
        for i, step in enumerate(protocol.steps)
        for clock in [step.rule.start(now)]
    ]
    d.next_due_at = min((s.due_at for s in steps), default=None)
    d.save(force_insert=True)
    for step in steps:
        step.disappearance = d
    StepStatus.objects.bulk_create(steps)
    case.status = CaseStatus.MISSING
    case.missing_category = data.missing_category
    case.closed_at = None
    _mark_case_risk(case, d, now)
    case.save(
        update_fields=["status", "missing_category", "closed_at", "risk_level", "risk_reasons", "updated_at"]
    )
    where = f", last seen: {data.last_seen_place}" if data.last_seen_place else ""
    create_event(
        case,
        type=EventType.DISAPPEARANCE,
        occurred_at=data.last_seen_at,
        author=user,
        source=EventSource.HOTLINE if user.role == Role.HOTLINE_OPERATOR else EventSource.STAFF,
        category=DataCategory.CONTACT_LOCATION,
        summary=f"Reported missing ({MissingCategory(data.missing_category).label}){where}"[:300],
        location=data.last_seen_place[:200],
    )
    return d


# ---------------------------------------------------------------------------------------------
# Risk assessment


@transaction.atomic
def do_assess_risk(
    user: User, d: Disappearance, data: RiskIn, *, now: dt.datetime | None = None
) -> Disappearance:
    """Record the checklist, what it gives (level and reasons) and any override with its reason;
    the case carries the level in force. A closed disappearance is not assessed again."""
    now = now or timezone.now()
    d = (
        Disappearance.objects.select_for_update()
        .select_related("case__child", "case__organisation")
        .get(pk=d.pk)
    )
    if d.closed_at is not None:
        raise ActionError("this disappearance is closed", field="")
    d.risk_checklist = data.model_dump(mode="json", exclude={"override", "override_reason"})
    _apply_risk(d, assess(_facts(d, data)), now)
    d.risk_override = str(data.override) if data.override else ""
    d.risk_override_reason = data.override_reason if data.override else ""
    d.risk_assessed_by = user
    d.save()
    case = d.case
    _mark_case_risk(case, d, now)
    case.save(update_fields=["risk_level", "risk_reasons", "updated_at"])
    summary = f"Risk assessed: {RiskLevel(d.risk_level).label}"
    if d.risk_override:
        summary += f" (overridden; the checklist gives {RiskLevel(d.risk_computed).label})"
    create_event(
        case,
        type=EventType.RISK_ASSESSMENT,
        occurred_at=now,
        author=user,
        category=DataCategory.CASE_NOTES,
        summary=summary,
        details="\n".join(f"- {r['text']}" for r in d.risk_reasons)
        + (f"\nOverride: {d.risk_override_reason}" if d.risk_override else ""),
    )
    return d


# ---------------------------------------------------------------------------------------------
# Protocol steps


def _refresh_next_due(d: Disappearance) -> None:
    """Keep ``Disappearance.next_due_at`` (the board's order) after a step changed: the
    earliest due time of the steps still open, in the same UPDATE."""
    open_due = (
        StepStatus.objects.filter(disappearance=OuterRef("pk"), done_at__isnull=True, stopped_at__isnull=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    Disappearance.objects.filter(pk=d.pk).update(next_due_at=Subquery(open_due))


@transaction.atomic
def do_mark_step_done(
    user: User, d: Disappearance, key: str, *, note: str = "", now: dt.datetime | None = None
) -> StepStatus:
    """A person says a step is done: its clock is met now (late or in time), audited, on the
    timeline. A step done once stays done."""
    now = now or timezone.now()
    step = StepStatus.objects.select_for_update().filter(disappearance=d, key=key).first()
    if step is None:
        raise ActionError(f"the protocol of this disappearance has no step {key!r}", field="step")
    if d.closed_at is not None:
        raise ActionError("this disappearance is closed", field="step")
    if step.done_at is not None:
        raise ActionError("this step is already done", field="step")
    step.done_at = now
    step.done_by = user
    step.save(update_fields=["done_at", "done_by"])
    _refresh_next_due(d)
    Notification.objects.filter(step=step, read_at__isnull=True).update(read_at=now)
    case = d.case
    late = " (late)" if now >= step.due_at else ""
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=now,
        author=user,
        category=DataCategory.CASE_NOTES,
        summary=f"Protocol step done{late}: {step.label}"[:300],
        details=note,
    )
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    audit.record(
        AuditKind.OTHER,
        actor=user,
        subject=case.audit_subject,
        details={"action": "missing_step_done", "step": key, "protocol": d.protocol, "late": bool(late)},
    )
    return step


@transaction.atomic
def do_close_disappearance(
    user: User | None, d: Disappearance, outcome: DisappearanceOutcome, *, now: dt.datetime | None = None
) -> Disappearance:
    """End an open disappearance (the found report, the child came back, a report in error):
    its open steps stop, the case is no longer missing. The alerts' part calls this on "found"."""
    now = now or timezone.now()
    d = Disappearance.objects.select_for_update().select_related("case__child").get(pk=d.pk)
    if d.closed_at is not None:
        raise ActionError("this disappearance is already closed", field="")
    d.closed_at = now
    d.outcome = outcome
    d.next_due_at = None  # its open steps stop below
    d.save(update_fields=["closed_at", "outcome", "next_due_at"])
    d.steps.filter(done_at__isnull=True, stopped_at__isnull=True).update(stopped_at=now)
    case = d.case
    case.status = CaseStatus.FOUND if outcome == DisappearanceOutcome.FOUND else CaseStatus.OPEN
    case.updated_at = now
    case.save(update_fields=["status", "updated_at"])
    create_event(
        case,
        type=EventType.FOUND if outcome == DisappearanceOutcome.FOUND else EventType.NOTE,
        occurred_at=now,
        author=user,
        category=DataCategory.CASE_NOTES,
        summary=f"Disappearance closed: {DisappearanceOutcome(outcome).label}",
    )
    return d


# ---------------------------------------------------------------------------------------------
# Clocks: overdue steps notify the people responsible (manage.py missing_clocks)


def responsible_people(step: StepStatus) -> list[User]:
    """Who answers for a step: the case's own caseworker or guardian for those roles (else the
    organisation's caseworkers), the organisation's people with the step's role otherwise."""
    case = step.disappearance.case
    if step.role == Role.GUARDIAN:
        return [case.guardian] if case.guardian and case.guardian.is_active else []
    if step.role == Role.CASEWORKER and case.caseworker is not None and case.caseworker.is_active:
        return [case.caseworker]
    return list(User.objects.filter(organisation_id=case.organisation_id, role=step.role, is_active=True))


def _overdue(now: dt.datetime) -> Iterable[StepStatus]:
    return (
        StepStatus.objects.filter(
            done_at__isnull=True,
            stopped_at__isnull=True,
            notified_at__isnull=True,
            due_at__lte=now,
            disappearance__closed_at__isnull=True,
        )
        .select_related("disappearance__case__caseworker", "disappearance__case__guardian")
        .order_by("due_at")
    )


def _mail(subject: str, body: str, to: list[str]) -> None:
    # After commit, and never failing the run: the in-app notification is already stored.
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=True)


def notify_overdue(now: dt.datetime | None = None) -> int:
    """Notify, once each, the people responsible for every step overdue at ``now``: a
    notification in the app and an e-mail (sent after commit). Each step is claimed with a
    conditional update, so two runs at once never notify twice. Returns the steps notified."""
    now = now or timezone.now()
    notified = 0
    for step in _overdue(now):
        with transaction.atomic():
            claimed = StepStatus.objects.filter(pk=step.pk, notified_at__isnull=True).update(notified_at=now)
            if not claimed:
                continue
            notified += 1
            case = step.disappearance.case
            # No child data leaves in a notification or an e-mail: the reference and the step.
            text = f"Overdue: {step.label} — case {case.reference}"[:300]
            url = reverse("missing:detail", args=[step.disappearance.public_id])
            people = responsible_people(step)
            Notification.objects.bulk_create(
                [Notification(user=u, step=step, text=text, url=url) for u in people]
            )
            emails = [u.email for u in people if u.email]
            if emails:
                body = (
                    f"{text}\n\nThe step was due at {step.due_at:%Y-%m-%d %H:%M} UTC. "
                    f"Open it in Waymark: {url}\n"
                )
                transaction.on_commit(functools.partial(_mail, text, body, emails))
    return notified


def notify(people: Iterable[User], text: str, url: str) -> list[Notification]:
    """In-app notifications for other apps' actions (a hotline call passed to an organisation),
    written inside the caller's transaction. ``text`` carries no child data."""
    return Notification.objects.bulk_create([Notification(user=u, text=text[:300], url=url) for u in people])


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def do_read_notifications(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(Q(pk__in=list(ids)))
    return qs.update(read_at=timezone.now())
