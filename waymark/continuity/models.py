"""Protection that follows the child: age assessments (each kept, never overwritten by a later
one, with its challenges and their outcomes) and Dublin III / AMMR take-charge requests."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case
from waymark.core.deadlines import Period, Schedule, TakeCharge, load_rules, schedule

ADULTHOOD = Decimal(18)
# The deadline rules, loaded (and validated whole) once at start-up.
RULES = load_rules()


class AgeAssessmentMethod(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    INTERVIEW = "interview", _("Interview")
    # Only with the child's (and guardian's) informed consent: refused without it.
    MEDICAL_EXAMINATION = "medical_examination", _("Medical examination")


class ChallengeOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: the assessment is set aside")
    REJECTED = "rejected", _("Rejected: the assessment stands")


class AgeAssessment(models.Model):
    """One age assessment, as done by one organisation in one country. A later assessment is a
    new row: both are kept and the page shows the difference."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="age_assessments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    country = models.CharField(_("country"), max_length=2)
    methods = models.JSONField(_("methods"), default=list)
    medical_consent = models.BooleanField(_("consent to a medical examination"), default=False)
    assessors = models.CharField(_("assessors"), max_length=300)
    assessed_on = models.DateField(_("assessed on"))
    age_min = models.DecimalField(_("age, lower bound (years)"), max_digits=4, decimal_places=1)
    age_max = models.DecimalField(_("age, upper bound (years)"), max_digits=4, decimal_places=1)
    margin = models.DecimalField(
        _("margin of error (years)"), max_digits=3, decimal_places=1, default=Decimal(0)
    )
    child_informed = models.BooleanField(_("the child was informed of the result"), default=False)
    informed_language = models.CharField(_("language the child was informed in"), max_length=16, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.age_min}–{self.age_max} ({self.public_id})"

    @property
    def governing_age(self) -> Decimal:
        """The benefit of the doubt: the lower bound less the margin of error governs every
        'is this a child' decision (never below zero)."""
        return max(Decimal(0), self.age_min - self.margin)

    @property
    def is_child(self) -> bool:
        return self.governing_age < ADULTHOOD

    @property
    def set_aside(self) -> bool:
        return any(c.outcome == ChallengeOutcome.UPHELD for c in self.challenges.all())


class AgeAssessmentChallenge(models.Model):
    """The child (or guardian) challenges an assessment; the outcome is recorded when decided."""

    assessment = models.ForeignKey(AgeAssessment, on_delete=models.CASCADE, related_name="challenges")
    lodged_on = models.DateField(_("lodged on"))
    grounds = models.TextField(_("grounds"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ChallengeOutcome.choices, default=ChallengeOutcome.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["lodged_on", "id"]

    def __str__(self) -> str:
        return f"challenge {self.pk} ({self.outcome})"


class TransferExtension(models.TextChoices):
    IMPRISONMENT = "imprisonment", _("Imprisonment")
    ABSCONDING = "absconding", _("Absconding")


class TakeChargeRequest(models.Model):
    """A Dublin III / AMMR take-charge request for a child's family reunion (Dublin III Art. 8;
    AMMR Arts. 25-28): the dates that start its periods. Its deadlines are computed, never
    stored (``schedule``), by the engine in ``waymark/core/deadlines.py``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="take_charge_requests")
    requested_country = models.CharField(_("requested Member State"), max_length=2)
    basis = models.CharField(_("legal basis"), max_length=40, default="Art. 8")
    registered_at = models.DateTimeField(_("application registered (lodged)"))
    hit_at = models.DateTimeField(_("Eurodac/VIS hit received"), null=True, blank=True)
    request_sent_at = models.DateTimeField(_("request sent"), null=True, blank=True)
    request_received_at = models.DateTimeField(_("request received"), null=True, blank=True)
    urgent_reply_days = models.PositiveSmallIntegerField(
        _("urgent reply asked within (days)"), null=True, blank=True
    )
    replied_at = models.DateTimeField(_("reply received"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(
        _("final decision on a suspensive appeal"), null=True, blank=True
    )
    transfer_decision_at = models.DateTimeField(_("transfer decision"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("transferred"), null=True, blank=True)
    extension = models.CharField(
        _("transfer period extended for"), max_length=16, choices=TransferExtension.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["registered_at", "id"]

    def __str__(self) -> str:
        return f"take charge → {self.requested_country} ({self.public_id})"

    def facts(self) -> TakeCharge:
        return TakeCharge(
            registered_at=self.registered_at,
            hit_at=self.hit_at,
            request_sent_at=self.request_sent_at,
            request_received_at=self.request_received_at,
            urgent_reply=Period(self.urgent_reply_days, "day") if self.urgent_reply_days else None,
            replied_at=self.replied_at,
            accepted=self.accepted,
            appeal_decided_at=self.appeal_decided_at,
            transfer_decision_at=self.transfer_decision_at,
            transferred_at=self.transferred_at,
            extension=self.extension or None,
        )

    def schedule(self, now: dt.datetime | None = None) -> Schedule:
        """The procedure's deadlines as at ``now``, in the node's time zone (no holiday calendar
        is configured: docs/deadlines.md)."""
        return schedule(self.facts(), RULES, timezone.get_current_timezone(), now=now or timezone.now())
