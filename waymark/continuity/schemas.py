"""What an age assessment, its challenge and a take-charge request are made of, parsed at the
edge (pydantic)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from waymark.cases.schemas import Date, DateTime, LongText, ShortText

from .models import AgeAssessmentMethod, ChallengeOutcome, TransferExtension

Years = Annotated[Decimal, Field(ge=0, le=40, max_digits=4, decimal_places=1)]
Margin = Annotated[Decimal, Field(ge=0, le=10, max_digits=3, decimal_places=1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgeAssessmentIn(_In):
    methods: list[AgeAssessmentMethod] = Field(min_length=1)
    medical_consent: StrictBool = False
    assessors: ShortText
    assessed_on: Date
    age_min: Years
    age_max: Years
    margin: Margin = Decimal(0)
    child_informed: StrictBool = False
    informed_language: ShortText = ""
    country: ShortText = ""  # where it was done; default: the recording organisation's country


class ChallengeIn(_In):
    lodged_on: Date
    grounds: LongText


class ChallengeOutcomeIn(_In):
    outcome: ChallengeOutcome
    decided_on: Date


class TakeChargeIn(_In):
    """A take-charge request's dates so far (aware date-times, RFC 3339)."""

    requested_country: ShortText
    basis: ShortText = "Art. 8"
    registered_at: DateTime
    hit_at: DateTime | None = None
    request_sent_at: DateTime | None = None
    request_received_at: DateTime | None = None
    urgent_reply_days: Annotated[int, Field(ge=1, le=62)] | None = None
    replied_at: DateTime | None = None
    accepted: StrictBool | None = None
    appeal_decided_at: DateTime | None = None
    transfer_decision_at: DateTime | None = None
    transferred_at: DateTime | None = None
    extension: TransferExtension | None = None
