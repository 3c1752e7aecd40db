"""Candidate pairs of records that may be the same child, and a person's decision on each.

An accepted review *is* the link between the two records (``linked_cases``); nothing is linked
without a person's decision, and every proposal and decision is audited (``actions.py``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from waymark.cases.models import Case
from waymark.vocab import MatchStatus


class MatchReview(models.Model):
    """Two cases (``left`` the older by id) that may be one child: the score and reasons that
    proposed them, and the review."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Cascade: erasing a child's case erases the reviews naming it.
    left = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)  # which name forms agreed, how the dates compare
    names_version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=MatchStatus.choices, default=MatchStatus.PENDING)
    reason = models.TextField(_("reason"), blank=True)  # the reviewer's
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="matchreview_pair_unique"),
            models.CheckConstraint(condition=Q(left__lt=models.F("right")), name="matchreview_left_first"),
        ]
        indexes = [models.Index(fields=["status", "left"], name="matchreview_status_left")]

    def __str__(self) -> str:
        return f"{self.left_id}~{self.right_id} ({self.status})"


def linked_cases(case: Case) -> list[Case]:
    """The cases a person accepted as the same child as ``case``."""
    accepted = MatchReview.objects.filter(status=MatchStatus.ACCEPTED)
    ids = [r.right_id for r in accepted.filter(left=case)] + [r.left_id for r in accepted.filter(right=case)]
    return list(Case.objects.filter(pk__in=ids))


class RemoteStatus(models.TextChoices):
    """A person's steps with a candidate another node returned for a match query: ask the
    partner who the candidate is (an information request), then decide once it answered."""

    PENDING = "pending", _("Waiting for review")
    ASKED = "asked", _("Information requested")
    ACCEPTED = "accepted", _("Same child")
    REJECTED = "rejected", _("Not the same child")
    UNSURE = "unsure", _("Unsure")


class RemoteCandidate(models.Model):
    """A candidate token a partner returned for one of our match queries, and what a person did
    with it. Holds nothing about the partner's child: the token, the score, and the information
    request that asked about it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The sent match query (exchange Thread of kind match_query); its case is ours.
    query = models.ForeignKey("exchange.Thread", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=48)
    score = models.FloatField()
    status = models.CharField(max_length=16, choices=RemoteStatus.choices, default=RemoteStatus.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    # The information request that asked the partner about this candidate.
    request = models.ForeignKey(
        "exchange.Thread", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["query", "token"], name="remotecandidate_once")]

    def __str__(self) -> str:
        return f"{self.token} ({self.status})"
