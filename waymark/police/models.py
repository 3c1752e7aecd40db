"""The police side of a missing child, kept apart from the care record: police alerts on a case
(their lifecycle, ``waymark/core/police.py``) and SIRENE-style requests with their reply clock.

A police record holds no child data of its own beyond a physical description typed for the
police: what the police see of the child is the extract (``extract.py``), built from the case
for each reader under the policy. Rows are written only by ``actions.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case
from waymark.core.clocks import POLICE_ALERT_ISSUE, SIRENE_REPLY, Clock
from waymark.vocab import DataCategory, PoliceAlertKind, PoliceAlertState, SireneDirection, SisCategory


def _empty_list() -> list[Any]:
    return []


class PoliceAlert(models.Model):
    """One police alert on a case (an SIS alert, an Interpol yellow notice request, the national
    report), asked of one police unit; its state moves only along ``core.police.TRANSITIONS``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="police_alerts")
    kind = models.CharField(_("kind"), max_length=32, choices=PoliceAlertKind.choices)
    sis_category = models.CharField(_("SIS category"), max_length=32, choices=SisCategory.choices, blank=True)
    # The police unit asked (an organisation of sector police on this node).
    police_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=PoliceAlertState.choices)
    # Typed for the police (category physical_description): clothes, height, marks.
    physical_description = models.CharField(_("physical description"), max_length=1000, blank=True)
    reference = models.CharField(_("police reference"), max_length=100, blank=True)
    hit_place = models.CharField(_("hit: where"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issue_due_at = models.DateTimeField()
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    hit_at = models.DateTimeField(_("hit"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    updated_at = models.DateTimeField()
    is_fictional = models.BooleanField(default=False)

    # What holds data about the child: plain, like the last-seen place (no special category).
    FIELD_CATEGORIES = {
        "physical_description": DataCategory.PHYSICAL_DESCRIPTION,
        "hit_place": DataCategory.CONTACT_LOCATION,
        "reference": DataCategory.IDENTITY,  # a police reference identifies the child to the police
    }

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            # One live alert of each kind per case: a second request would be a duplicate alert.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(closed_at__isnull=True, withdrawn_at__isnull=True),
                name="one_live_police_alert_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id} ({self.state})"

    @property
    def issue_clock(self) -> Clock:
        """Requested → issued: met when issued, stopped if withdrawn first."""
        clock = POLICE_ALERT_ISSUE.until(self.issue_due_at, started_at=self.requested_at)
        if self.issued_at is not None:
            return clock.met(self.issued_at)
        ended = self.withdrawn_at or self.closed_at
        return clock.stop(ended) if ended is not None else clock


class SireneRequest(models.Model):
    """A SIRENE-style request about a missing child between a police unit and the case's
    organisation, either way, with its 12-hour reply clock. Each question names a category of
    the police extract; an answer is only ever given in a category the police may read."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sirene_requests")
    alert = models.ForeignKey(PoliceAlert, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    direction = models.CharField(_("direction"), max_length=16, choices=SireneDirection.choices)
    police_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"))
    due_at = models.DateTimeField(_("reply due"))
    # [{"id", "category", "text"}] and [{"question_id", "category", "text" | "declined"}]: each
    # item carries its own police category (never a special one: ``core.police.POLICE_CATEGORIES``).
    questions = models.JSONField(default=_empty_list)
    answers = models.JSONField(default=_empty_list, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the overdue notice went out (claimed by a conditional update: sent once).
    notified_at = models.DateTimeField(null=True, blank=True)
    is_fictional = models.BooleanField(default=False)

    class Meta:
        ordering = ["asked_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=models.Q(answered_at__isnull=True), name="open_sirene_due"
            )
        ]

    def __str__(self) -> str:
        return f"SIRENE request {self.public_id}"

    @property
    def clock(self) -> Clock:
        clock = SIRENE_REPLY.until(self.due_at, started_at=self.asked_at)
        return clock.met(self.answered_at) if self.answered_at is not None else clock
