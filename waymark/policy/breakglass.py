"""Break-glass: emergency access beyond the agreements, for a child in immediate danger.

An authorised user opens it with a written reason, for one purpose, on one child they already
have a link to — a child of their own organisation, their ward, or a child their organisation
shares a context about (need to know) — and nowhere else: for any other case the answer is the
same "not found" as for a case that does not exist. It opens only what deny-by-default closed,
never what a ``forbid`` refuses (the firewall, fixed role limits), and only for the purpose it
was opened for.

Confirmation by a second person of the organisation that owns the child — a supervisor, or its
DPO once ``WAYMARK_BREAK_GLASS_ESCALATE_MINUTES`` have passed without one — is due within
``WAYMARK_BREAK_GLASS_CONFIRM_MINUTES``, or the opening lapses and access is withdrawn; a
confirmed one ends after ``WAYMARK_BREAK_GLASS_HOURS``. Before confirmation:

- on a child of the opener's own organisation, the ordinary categories open at once; the special
  categories (health, psychosocial, trafficking indicators, disclosure, case notes) only once
  confirmed;
- on another organisation's child (a ward, a shared context), and when re-opening on a child
  after an unconfirmed opening lapsed, nothing opens until confirmed.

Each user may open ``WAYMARK_BREAK_GLASS_PER_DAY`` times in 24 hours. The owning organisation's
DPO sees every opening on its children (``dpo_alerts``); each step is in the audit log. Expiry is
evaluated at every access, so no worker has to run for access to be withdrawn on time. Across
nodes break-glass does not apply: an urgent information request with a short clock does.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.errors import ActionError, NotFound
from waymark.vocab import AuditDecision, AuditKind, Purpose, Role, Sector

from .models import BreakGlass, SharedContext
from .service import CaseLike

# Who may open: people who act for a child in danger. Who may confirm: a supervisor.
OPENER_ROLES = frozenset(
    {Role.CASEWORKER, Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.POLICE_OFFICER, Role.GUARDIAN}
)
CONFIRMER_ROLES = frozenset({Role.SUPERVISOR})
EMERGENCY_PURPOSES = frozenset({Purpose.CHILD_PROTECTION, Purpose.LOCATE_MISSING_CHILD})
MIN_REASON = 20


class AuditedCase(CaseLike, Protocol):
    """A case as break-glass needs it: one the policies know (``CaseLike``) and the audit log can
    name (``cases.models.Case`` is one)."""

    @property
    def audit_subject(self) -> audit.Subject: ...


def _live(now: dt.datetime) -> Q:
    return Q(closed_at__isnull=True, expires_at__gt=now) & (
        Q(confirmed_at__isnull=False) | Q(opens_at_once=True, confirm_by__gt=now)
    )


def live_break_glass(
    user: User, case: CaseLike, purpose: str, now: dt.datetime | None = None
) -> BreakGlass | None:
    """The user's break-glass on this case for this purpose that opens something now (confirmed,
    or opening at once within its window)."""
    if case.pk is None or case.pk < 0 or not user.is_authenticated:
        return None
    now = now or timezone.now()
    return (
        BreakGlass.objects.filter(_live(now), user=user, case_id=case.pk, purpose=purpose)
        .order_by("-opened_at")
        .first()
    )


def linked(user: User, case: CaseLike) -> bool:
    """Does the user already have a link to this child: their organisation's, their ward, or one
    their organisation shares a context about?"""
    org = user.organisation
    if org is None:
        return False
    if case.organisation.pk == org.pk or case.guardian_id == user.pk:
        return True
    return SharedContext.objects.filter(case_id=case.pk, partner=org.slug, closed_at__isnull=True).exists()


def _windows() -> tuple[dt.timedelta, dt.timedelta]:
    return (
        dt.timedelta(minutes=settings.WAYMARK_BREAK_GLASS_CONFIRM_MINUTES),
        dt.timedelta(hours=settings.WAYMARK_BREAK_GLASS_HOURS),
    )


def check_open_break_glass(
    user: User, case: AuditedCase, purpose: str, reason: str, now: dt.datetime | None = None
) -> None:
    org = user.organisation
    if (
        org is None
        or org.sector == Sector.IMMIGRATION_ENFORCEMENT
        or purpose == Purpose.IMMIGRATION_ENFORCEMENT
    ):
        raise NotFound  # the firewall: never, and nothing to tell
    if not linked(user, case):
        raise NotFound  # the same answer as for a case that does not exist
    if user.role not in OPENER_ROLES:
        raise ActionError("your role cannot open emergency access", field="reason")
    if purpose not in EMERGENCY_PURPOSES:
        raise ActionError(
            "emergency access is only for protecting or locating a child in immediate danger", field="purpose"
        )
    if len(reason.strip()) < MIN_REASON:
        raise ActionError(
            f"write why the child is in immediate danger (at least {MIN_REASON} characters)", field="reason"
        )
    now = now or timezone.now()
    recent = BreakGlass.objects.filter(user=user, opened_at__gt=now - dt.timedelta(hours=24)).count()
    if recent >= settings.WAYMARK_BREAK_GLASS_PER_DAY:
        raise ActionError(
            f"you have opened emergency access {recent} times in 24 hours, the most allowed: "
            "ask your supervisor or your data protection officer",
            field="reason",
        )


def _lapsed_before(user: User, case: CaseLike, now: dt.datetime) -> bool:
    """Did an unconfirmed opening by this user on this child lapse?"""
    return BreakGlass.objects.filter(
        user=user, case_id=case.pk, confirmed_at__isnull=True, closed_at__isnull=True, confirm_by__lte=now
    ).exists()


@transaction.atomic
def do_open_break_glass(user: User, case: AuditedCase, purpose: str, reason: str) -> BreakGlass:
    now = timezone.now()
    check_open_break_glass(user, case, purpose, reason, now)
    confirm, lasts = _windows()
    own = user.organisation is not None and case.organisation.pk == user.organisation.pk
    glass = BreakGlass.objects.create(
        user=user,
        case_id=case.pk,
        purpose=purpose,
        reason=reason.strip(),
        opened_at=now,
        confirm_by=now + confirm,
        expires_at=now + lasts,
        opens_at_once=own and not _lapsed_before(user, case, now),
    )
    audit.record(
        AuditKind.BREAK_GLASS,
        actor=user,
        purpose=purpose,
        decision=AuditDecision.ALLOW,
        reasons=[f"break-glass:{glass.pk}"],
        subject=case.audit_subject,
        details={
            "step": "opened",
            "break_glass": glass.pk,
            "confirm_by": glass.confirm_by.isoformat(),
            "opens_at_once": glass.opens_at_once,
            "owner": case.organisation.slug,
        },
    )
    return glass


def pending_for(user: User, now: dt.datetime | None = None) -> QuerySet[BreakGlass]:
    """Openings on this organisation's children that this user can still confirm: a supervisor of
    the organisation that owns the child, or its DPO once an opening by another organisation has
    waited ``WAYMARK_BREAK_GLASS_ESCALATE_MINUTES``. Never one's own."""
    now = now or timezone.now()
    if user.organisation_id is None or user.role not in CONFIRMER_ROLES | {Role.DPO}:
        return BreakGlass.objects.none()
    waiting = BreakGlass.objects.filter(
        case__organisation_id=user.organisation_id,
        confirmed_at__isnull=True,
        closed_at__isnull=True,
        confirm_by__gt=now,
    )
    if user.role == Role.DPO:
        escalated = now - dt.timedelta(minutes=settings.WAYMARK_BREAK_GLASS_ESCALATE_MINUTES)
        waiting = waiting.filter(opened_at__lte=escalated).exclude(user__organisation_id=user.organisation_id)
    return waiting.exclude(user=user).select_related("user", "user__organisation", "case")


@transaction.atomic
def do_confirm_break_glass(confirmer: User, glass_id: int) -> BreakGlass:
    """A second person of the organisation that owns the child confirms: never the opener, in time."""
    glass = pending_for(confirmer).select_for_update(of=("self",)).filter(pk=glass_id).first()
    if glass is None:
        raise NotFound
    glass.confirmed_by = confirmer
    glass.confirmed_at = timezone.now()
    glass.save(update_fields=["confirmed_by", "confirmed_at"])
    audit.record(
        AuditKind.BREAK_GLASS,
        actor=confirmer,
        purpose=glass.purpose,
        decision=AuditDecision.ALLOW,
        reasons=[f"break-glass:{glass.pk}"],
        subject=glass.case.audit_subject,
        details={"step": "confirmed", "break_glass": glass.pk},
    )
    return glass


def dpo_alerts(dpo: User) -> QuerySet[BreakGlass]:
    """Every break-glass opened by, or on a case of, the DPO's organisation: newest first."""
    if dpo.role != Role.DPO or dpo.organisation_id is None:
        return BreakGlass.objects.none()
    org = dpo.organisation_id
    return (
        BreakGlass.objects.filter(Q(user__organisation_id=org) | Q(case__organisation_id=org))
        .select_related("user", "confirmed_by", "case")
        .order_by("-opened_at")
    )
