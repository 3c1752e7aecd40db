"""A disappearance on a case, its risk assessment, its protocol steps with their clocks, and the
in-app notifications the clocks raise.

Every field carries a data category (``FIELD_CATEGORIES``) so reads and writes are decided per
category by the policy; the free text about the child is sealed at rest under the child's key
(``waymark.vault.sealed``). Rows are written only by ``actions.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case, Child
from waymark.core.clocks import Clock
from waymark.vault.sealed import sealed_json, sealed_text
from waymark.vocab import DataCategory, DisappearanceOutcome, MissingCategory, RiskLevel, Role

C = DataCategory


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


class Disappearance(models.Model):
    """A child reported missing from one case: what is known of when, where and why, what
    the risk is, and which protocol (name and version) its steps follow. Open until closed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disappearances")
    reported_at = models.DateTimeField(_("reported"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_by_org = models.ForeignKey(Organisation, on_delete=models.SET_NULL, null=True, related_name="+")
    # Plain columns: queried for the board, the alert's route and the measures.
    last_seen_at = models.DateTimeField(_("last seen"))
    destination_country = models.CharField(_("intended destination (country)"), max_length=2, blank=True)
    route_countries = models.JSONField(_("route countries"), default=list, blank=True)
    missing_category = models.CharField(
        _("missing-child category"), max_length=40, choices=MissingCategory.choices
    )
    triggers = models.JSONField(_("recent triggers"), default=list, blank=True)
    # Plain like the timeline's place (Event.location, contact_location is no special category):
    # the board shows it on every row without opening fifty children's keys.
    last_seen_place = models.CharField(_("last seen where"), max_length=300, blank=True)
    # Sealed columns (read and written through the attributes below).
    circumstances_sealed = models.TextField(blank=True)
    belongings_sealed = models.TextField(blank=True)
    contacts_sealed = models.TextField(blank=True)
    destination_sealed = models.TextField(blank=True)
    family_abroad_sealed = models.TextField(blank=True)
    trigger_notes_sealed = models.TextField(blank=True)

    # The protocol its steps follow ("it-missing-child@1").
    protocol = models.CharField(_("protocol"), max_length=80)

    # The risk assessment: the checklist, what it gives, and a person's override.
    risk_checklist_sealed = models.TextField(blank=True)
    risk_computed = models.CharField(
        _("risk (checklist)"), max_length=16, choices=RiskLevel.choices, blank=True
    )
    risk_reasons_sealed = models.TextField(blank=True)
    risk_override = models.CharField(
        _("risk (overridden)"), max_length=16, choices=RiskLevel.choices, blank=True
    )
    risk_override_reason_sealed = models.TextField(blank=True)
    risk_assessed_at = models.DateTimeField(null=True, blank=True)
    risk_assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=DisappearanceOutcome.choices, blank=True)
    is_fictional = models.BooleanField(default=False)
    # The earliest due time of its open steps (null once every step is done or stopped): kept
    # by the actions that start, settle and stop steps, so that the board orders and pages its
    # rows from one index instead of grouping every step of every open disappearance.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    circumstances = sealed_text("circumstances")
    belongings = sealed_text("belongings")
    contacts = sealed_json("contacts", _empty_list)  # [{"name", "phone", "relationship"}]
    destination = sealed_text("destination")
    family_abroad = sealed_text("family_abroad")
    trigger_notes = sealed_text("trigger_notes")
    risk_checklist = sealed_json("risk_checklist", _empty_dict)
    risk_reasons = sealed_json("risk_reasons", _empty_list)  # [{"code", "level", "text"}]
    risk_override_reason = sealed_text("risk_override_reason")

    FIELD_CATEGORIES = {
        "last_seen_at": C.CONTACT_LOCATION,
        "last_seen_place": C.CONTACT_LOCATION,
        "circumstances": C.CASE_NOTES,
        "belongings": C.PHYSICAL_DESCRIPTION,
        "contacts": C.CONTACT_LOCATION,
        "destination_country": C.CONTACT_LOCATION,
        "destination": C.CONTACT_LOCATION,
        "route_countries": C.CONTACT_LOCATION,
        "family_abroad": C.FAMILY,
        "triggers": C.CASE_NOTES,
        "trigger_notes": C.CASE_NOTES,
        "missing_category": C.CASE_NOTES,
        "risk_checklist": C.TRAFFICKING_INDICATORS,
        "risk_computed": C.CASE_NOTES,
        "risk_reasons": C.TRAFFICKING_INDICATORS,
        "risk_override": C.CASE_NOTES,
        "risk_override_reason": C.CASE_NOTES,
    }
    # What reporting writes: the policy must allow the reporter to update each of these.
    REPORT_CATEGORIES = (C.CONTACT_LOCATION, C.PHYSICAL_DESCRIPTION, C.FAMILY, C.CASE_NOTES)
    RISK_CATEGORIES = (C.TRAFFICKING_INDICATORS, C.CASE_NOTES)
    # What an alert may carry for locate_missing_child (the alerts' part reads it).
    ALERT_CATEGORIES = (C.CONTACT_LOCATION, C.PHYSICAL_DESCRIPTION)

    class Meta:
        indexes = [
            models.Index(fields=["closed_at", "reported_at"]),
            # The Missing-now board's order, over the open disappearances only.
            models.Index(
                fields=["next_due_at", "-reported_at", "id"],
                condition=models.Q(closed_at__isnull=True),
                name="missing_open_board_order",
            ),
        ]
        constraints = [
            # One open disappearance per case at a time.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(closed_at__isnull=True), name="one_open_disappearance"
            )
        ]

    def __str__(self) -> str:
        return f"Disappearance {self.public_id}"

    def sealing_key(self) -> Child:
        return self.case.child

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def risk_level(self) -> str:
        """The level in force: the person's override, else the checklist's (blank if neither)."""
        return self.risk_override or self.risk_computed

    def last_seen_summary(self) -> dict[str, Any]:
        """What a missing-child alert may carry of this report, for purpose locate_missing_child:
        the last-seen context only (contact_location and physical_description) — never the
        circumstances, triggers, family, contacts or risk (case notes, trafficking indicators).
        The caller still decides those two categories for the recipient under its agreement."""
        return {
            "last_seen_at": self.last_seen_at.isoformat(),
            "last_seen_place": self.last_seen_place,
            "destination_country": self.destination_country,
            "route_countries": list(self.route_countries),
            "belongings": self.belongings,
            "categories": [str(c) for c in self.ALERT_CATEGORIES],
        }


class StepStatus(models.Model):
    """One protocol step of one disappearance: its clock (started at the report) and who did it."""

    disappearance = models.ForeignKey(Disappearance, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=Role.choices)
    position = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    # When the overdue notice went out (claimed by a conditional update: sent once).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["disappearance", "key"], name="one_step_per_key")]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(done_at__isnull=True), name="open_step_due")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def clock(self) -> Clock:
        return Clock(
            f"missing:{self.key}",
            self.started_at,
            self.due_at,
            self.warn_at,
            met_at=self.done_at,
            stopped_at=self.stopped_at,
        )


class Notification(models.Model):
    """Something a person must see in the app (an overdue step); counted in the page header."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    step = models.ForeignKey(StepStatus, on_delete=models.CASCADE, null=True, related_name="notifications")
    # No child data: the case reference and the step's label.
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text
