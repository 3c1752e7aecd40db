"""Protection that follows the child: age assessments (each kept, never overwritten by a later
one, with its challenges and their outcomes)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case

ADULTHOOD = Decimal(18)


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
