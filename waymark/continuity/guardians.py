"""A guardian's work with their wards: the contacts they log (visits, calls, messages, with the
child's views in their own words, sealed under the child's key) and their caseload — each ward's
next deadline among the clocks Waymark runs about the child, and the last contact.

The model lives here, not in ``models.py`` (registered when the app is ready, ``apps.py``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict

from waymark.accounts.models import User
from waymark.cases.access import PageAccess, cases_visible_to, decide_page
from waymark.cases.actions import create_event
from waymark.cases.models import Case, Child
from waymark.cases.schemas import DateTime, LongText, ShortText
from waymark.core.clocks import CLOSED, Clock
from waymark.errors import ActionError, Refused
from waymark.vault.sealed import create_sealed, sealed_text
from waymark.vocab import CaseStatus, DataCategory, EventType, Role

from .models import TakeChargeRequest
from .reviews import running_review


class ContactKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")


class GuardianContact(models.Model):
    """One contact between a guardian and their ward. Who, how, when and where are guardian data
    (``place`` is free text: sealed); the child's views, in their own words, are a disclosure."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="guardian_contacts")
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind of contact"), max_length=16, choices=ContactKind.choices)
    contacted_at = models.DateTimeField(_("when"))
    place_sealed = models.TextField(blank=True)
    views_sealed = models.TextField(blank=True)
    recorded_at = models.DateTimeField(_("recorded"))
    is_fictional = models.BooleanField(default=False)

    place = sealed_text("place")
    views = sealed_text("views")

    FIELD_CATEGORIES = {
        "kind": DataCategory.GUARDIAN,
        "contacted_at": DataCategory.GUARDIAN,
        "place": DataCategory.GUARDIAN,
        "views": DataCategory.DISCLOSURE,
    }

    class Meta:
        app_label = "continuity"
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["case", "contacted_at"])]

    def __str__(self) -> str:
        return f"Guardian contact {self.public_id}"

    def sealing_key(self) -> Child:
        return self.case.child


class GuardianContactIn(BaseModel):
    """A contact to log: how, when, where, and what the child said they want."""

    model_config = ConfigDict(extra="forbid")

    kind: ContactKind
    contacted_at: DateTime
    place: ShortText = ""
    views: LongText = ""  # the child's views in their own words


def writes(data: GuardianContactIn) -> list[str]:
    """The categories logging ``data`` writes (the views are a disclosure)."""
    return [DataCategory.GUARDIAN, *([DataCategory.DISCLOSURE] if data.views else [])]


def check_log_contact(user: User, case: Case, data: GuardianContactIn, now: dt.datetime) -> None:
    if user.role != Role.GUARDIAN or case.guardian_id is None or case.guardian_id != user.pk:
        raise Refused("only the child's appointed guardian logs their contacts")
    if data.contacted_at > now + dt.timedelta(minutes=5):
        raise ActionError("a contact is logged once it happened, not ahead", field="contacted_at")
    if (
        case.guardian_appointed_at is not None
        and data.contacted_at < case.guardian_appointed_at - dt.timedelta(days=1)
    ):
        raise ActionError("the contact is dated before you were appointed guardian", field="contacted_at")


@transaction.atomic
def do_log_guardian_contact(user: User, case: Case, data: GuardianContactIn) -> GuardianContact:
    """Log a guardian's contact with their ward, and a timeline entry (guardian data; the views
    stay in the sealed record, shown only to who may read disclosures)."""
    now = timezone.now()
    check_log_contact(user, case, data, now)
    contact = create_sealed(
        GuardianContact,
        {"place": data.place, "views": data.views},
        case=case,
        guardian=user,
        kind=data.kind,
        contacted_at=data.contacted_at,
        recorded_at=now,
        is_fictional=case.is_fictional,
    )
    label = ContactKind(data.kind).label
    create_event(
        case,
        type=EventType.NOTE,
        occurred_at=data.contacted_at,
        author=user,
        category=DataCategory.GUARDIAN,
        summary=f"Guardian contact: {label}"[:300],
        details=data.place,
    )
    return contact


# --- the caseload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One open clock about a ward, and what it is (a label people read)."""

    label: str
    clock: Clock


def open_clocks(case: Case, now: dt.datetime, *, shown: frozenset[str]) -> list[Due]:
    """Every open clock about ``case`` among those whose data category the reader may see
    (``shown``): the care-plan review (case notes), the protocol steps of an open disappearance
    (case notes), take-charge request deadlines and the best-interests review (legal status),
    the guardian appointment (guardian and family)."""
    found: list[Due] = []
    plan = getattr(case, "care_plan", None)
    review = plan.review_clock if plan is not None and DataCategory.CASE_NOTES in shown else None
    if review is not None:
        found.append(Due(str(_("Care-plan review")), review))
    if DataCategory.CASE_NOTES in shown and case.status == CaseStatus.MISSING:
        # Reverse relations: the missing app sits beside this one, neither imports the other.
        for disappearance in case.disappearances.filter(closed_at__isnull=True):
            for step in disappearance.steps.filter(done_at__isnull=True, stopped_at__isnull=True):
                found.append(Due(str(step.label), step.clock))
    if DataCategory.LEGAL_STATUS in shown:
        for request in TakeChargeRequest.objects.filter(case=case):
            for deadline in request.schedule(now).deadlines:
                found.append(Due(f"{request.requested_country}: {deadline.rule.step}", deadline.clock))
    if DataCategory.LEGAL_STATUS in shown:
        review = running_review(case)
        if review is not None:
            found.append(Due(str(_("Best-interests review")), review))
    if DataCategory.GUARDIAN in shown and DataCategory.FAMILY in shown:
        clock = case.guardian_clock
        if clock is not None:
            found.append(Due(str(_("Guardian appointment")), clock))
    return [d for d in found if d.clock.state(now) not in CLOSED]


def next_due(case: Case, now: dt.datetime, *, shown: frozenset[str]) -> Due | None:
    """The earliest open clock about ``case`` (``open_clocks``), or None."""
    return min(open_clocks(case, now, shown=shown), key=lambda d: d.clock.due_at, default=None)


# What the caseload reads of each ward: who (identity), the clocks' categories, the contacts.
WARD_CATEGORIES: tuple[str, ...] = (
    DataCategory.IDENTITY,
    DataCategory.CASE_NOTES,
    DataCategory.LEGAL_STATUS,
    DataCategory.GUARDIAN,
    DataCategory.FAMILY,
)


@dataclass(frozen=True)
class Wards:
    """A guardian's wards as the policies show them (decided and audited for these rows)."""

    page: PageAccess

    def allowed(self, case: Case) -> frozenset[str]:
        return frozenset(c for c in WARD_CATEGORIES if self.page.shown(case, c))


def wards_of(user: User, purpose: str, limit: int = 200) -> tuple[list[Case], Wards]:
    """The user's wards they may list for ``purpose`` (``cases_visible_to``: the policies decide),
    open ones only, and what may be shown of each — decided and audited like every list."""
    cases = list(
        cases_visible_to(user, purpose)
        .filter(guardian=user)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED])
        .select_related("child", "organisation", "care_plan")
        .order_by("opened_at", "id")[:limit]
    )
    return cases, Wards(decide_page(user, cases, purpose, WARD_CATEGORIES))


def last_contacts(cases: list[Case]) -> dict[int, GuardianContact]:
    """The latest logged contact of each case (one query)."""
    latest: dict[int, GuardianContact] = {}
    for contact in GuardianContact.objects.filter(case__in=cases).order_by("case_id", "-contacted_at", "-id"):
        latest.setdefault(contact.case_id, contact)
    return latest


def contact_row(contact: GuardianContact, *, views_shown: bool) -> dict[str, Any]:
    return {
        "public_id": str(contact.public_id),
        "kind": contact.kind,
        "contacted_at": contact.contacted_at,
        "place": contact.place,
        "views": contact.views if views_shown else None,
        "guardian": contact.guardian.display_name if contact.guardian else "",
    }
