"""Break-glass: emergency access beyond the agreements, for a child in immediate danger.

An authorised user opens it on one case with a written reason. It opens only what deny-by-
default closed — never what a ``forbid`` refuses (the firewall, fixed role limits). A second
authorised person of the same organisation (a supervisor) must confirm it within
``WAYMARK_BREAK_GLASS_CONFIRM_MINUTES``, or it lapses and access is withdrawn; a confirmed one
ends after ``WAYMARK_BREAK_GLASS_HOURS``. The DPO sees every opening (``dpo_alerts``) and each
step is in the audit log. Expiry is evaluated at every access, so no worker has to run for
access to be withdrawn on time.
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

from .models import BreakGlass
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
        Q(confirmed_at__isnull=False) | Q(confirm_by__gt=now)
    )


def live_break_glass(user: User, case: CaseLike, now: dt.datetime | None = None) -> BreakGlass | None:
    """The user's break-glass on this case that still holds (confirmed, or within the window)."""
    if case.pk is None or case.pk < 0 or not user.is_authenticated:
        return None
    now = now or timezone.now()
    return BreakGlass.objects.filter(_live(now), user=user, case_id=case.pk).order_by("-opened_at").first()


def _windows() -> tuple[dt.timedelta, dt.timedelta]:
    return (
        dt.timedelta(minutes=settings.WAYMARK_BREAK_GLASS_CONFIRM_MINUTES),
        dt.timedelta(hours=settings.WAYMARK_BREAK_GLASS_HOURS),
    )


def check_open_break_glass(user: User, case: AuditedCase, purpose: str, reason: str) -> None:
    org = user.organisation
    if (
        org is None
        or org.sector == Sector.IMMIGRATION_ENFORCEMENT
        or purpose == Purpose.IMMIGRATION_ENFORCEMENT
    ):
        raise NotFound  # the firewall: never, and nothing to tell
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


@transaction.atomic
def do_open_break_glass(user: User, case: AuditedCase, purpose: str, reason: str) -> BreakGlass:
    check_open_break_glass(user, case, purpose, reason)
    now = timezone.now()
    confirm, lasts = _windows()
    glass = BreakGlass.objects.create(
        user=user,
        case_id=case.pk,
        purpose=purpose,
        reason=reason.strip(),
        opened_at=now,
        confirm_by=now + confirm,
        expires_at=now + lasts,
    )
    audit.record(
        AuditKind.BREAK_GLASS,
        actor=user,
        purpose=purpose,
        decision=AuditDecision.ALLOW,
        reasons=[f"break-glass:{glass.pk}"],
        subject=case.audit_subject,
        details={"step": "opened", "break_glass": glass.pk, "confirm_by": glass.confirm_by.isoformat()},
    )
    return glass


def pending_for(user: User, now: dt.datetime | None = None) -> QuerySet[BreakGlass]:
    """Openings by colleagues that this supervisor can still confirm."""
    now = now or timezone.now()
    if user.role not in CONFIRMER_ROLES or user.organisation_id is None:
        return BreakGlass.objects.none()
    return (
        BreakGlass.objects.filter(
            user__organisation_id=user.organisation_id,
            confirmed_at__isnull=True,
            closed_at__isnull=True,
            confirm_by__gt=now,
        )
        .exclude(user=user)
        .select_related("user", "case")
    )


@transaction.atomic
def do_confirm_break_glass(confirmer: User, glass_id: int) -> BreakGlass:
    """A second person confirms: never the opener, only a supervisor of the same organisation, in time."""
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
