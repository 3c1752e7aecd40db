"""What an age assessment and its challenge are made of, parsed at the edge (pydantic)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from waymark.cases.schemas import Date, LongText, ShortText

from .models import AgeAssessmentMethod, ChallengeOutcome

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
