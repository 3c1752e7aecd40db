"""A 116 000 call: who rang, their relationship to the child, what they know, and what the
operator did with it (one outcome per call, ``vocab.CallOutcome``).

What the caller said is child data about a child who may not be known here yet: it is sealed at
rest (``waymark.vault.sealed``) under the child's key once the call lands on a case here (added
to one, or a new case opened), else under a key of the call's own, so that erasing the child —
or the call — shreds it. Rows are written only by ``actions.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import Organisation
from waymark.cases.models import Case
from waymark.vault.sealed import sealed_text
from waymark.vocab import CallerRelationship, CallOutcome, DataCategory


class Call(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The hotline that took the call, and who answered it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(_("call received"))
    relationship = models.CharField(
        _("caller's relationship to the child"), max_length=16, choices=CallerRelationship.choices
    )
    # When and where the child was seen, if the caller says (a sighting); plain like a timeline
    # entry's place, sealed text below.
    seen_at = models.DateTimeField(_("child seen at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    # Where it went: a case here (added to, or opened), the organisation holding a possible match
    # (passed; the hotline never sees that child), or an alert from another node (a sighting).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="calls")
    passed_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    alert = models.ForeignKey(
        "exchange.Thread", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seal_key = models.UUIDField(editable=False)
    is_fictional = models.BooleanField(default=False)

    caller_name_sealed = models.TextField(blank=True)
    caller_phone_sealed = models.TextField(blank=True)
    child_name_sealed = models.TextField(blank=True)
    known_sealed = models.TextField(blank=True)
    seen_place_sealed = models.TextField(blank=True)

    caller_name = sealed_text("caller_name")
    caller_phone = sealed_text("caller_phone")
    child_name = sealed_text("child_name")  # the child's name as the caller gives it
    known = sealed_text("known")  # what the caller knows
    seen_place = sealed_text("seen_place")

    # What reading a call opens, decided like a case's categories: who the child is, where and
    # with whom (the caller is a contact).
    CATEGORIES = (DataCategory.IDENTITY, DataCategory.CONTACT_LOCATION)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "received_at"]),
            models.Index(fields=["passed_to", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"Call {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sealing_key()
        super().save(*args, **kwargs)

    def sealing_key(self) -> uuid.UUID:
        if self.seal_key is None:
            self.seal_key = self.public_id
        return self.seal_key
