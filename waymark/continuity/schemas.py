"""What an age assessment, its challenge, a take-charge request, a best-interests assessment, a
relative and a reunification plan are made of, parsed at the edge (pydantic)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from waymark.cases.schemas import NO_NUL, Date, DateTime, FullName, LongText, Name, ShortText

from .models import (
    AgeAssessmentMethod,
    BestInterestsKind,
    ChallengeOutcome,
    ContactStatus,
    DurableSolution,
    PlanStatus,
    Relationship,
    TransferExtension,
)


def _tenths(value: object) -> object:
    """Years as the document says: a JSON number with at most one decimal (15, 15.5), not text."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("number_type", "give a number of years, e.g. 15.5")
    tenths = round(float(value) * 10)
    if abs(float(value) * 10 - tenths) > 1e-6:
        raise PydanticCustomError("number_type", "give years to one decimal at most, e.g. 15.5")
    return Decimal(tenths) / 10


def _years(maximum: int) -> Any:
    return WithJsonSchema({"type": "number", "minimum": 0, "maximum": maximum, "multipleOf": 0.1})


Years = Annotated[Decimal, BeforeValidator(_tenths), Field(ge=0, le=40), _years(40)]
Margin = Annotated[Decimal, BeforeValidator(_tenths), Field(ge=0, le=10), _years(10)]
# ISO codes as the document states them (the action checks the code exists).
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
OptionalCountryCode = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2})?$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
OptionalLanguageCode = Annotated[str, StringConstraints(pattern=r"^([a-z]{2,3})?$")]


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
    informed_language: OptionalLanguageCode = ""
    country: OptionalCountryCode = ""  # where it was done; default: the recording organisation's country


class ChallengeIn(_In):
    lodged_on: Date
    grounds: LongText


class ChallengeOutcomeIn(_In):
    outcome: ChallengeOutcome
    decided_on: Date


class TakeChargeIn(_In):
    """A take-charge request's dates so far (aware date-times, RFC 3339), kept as instants in UTC
    like every API date-time (``DateTime``): PostgreSQL refuses an offset beyond ±15:59 that RFC
    3339 allows (a fuzzer finding)."""

    requested_country: CountryCode
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
    best_interests: uuid.UUID | None = Field(
        None,
        description="the public id of the child's best-interests assessment the request rests on; "
        "left out: the latest one that stands (an assessment, or an approved determination)",
    )
    relative: uuid.UUID | None = Field(
        None,
        description="the family-tracing result the request rests on: the public id of the child's "
        "relative whose family link is confirmed (with the child's consent and the guardian's "
        "agreement); left out: none",
    )


class PanelMember(_In):
    name: Name = Field(min_length=1)
    discipline: ShortText = Field(min_length=1, description="e.g. social work, psychology, law")


class BestInterestsIn(_In):
    """A best-interests assessment (BIA) or determination (BID), following UNHCR's guidelines:
    each section as written by the assessor, the child's views in their own words and the
    language they gave them in, the guardian's consultation, the options considered and the
    durable solution recommended. A determination needs a multidisciplinary panel (two people of
    different disciplines at least) and a supervisor's approval; only a determination may
    recommend a return."""

    kind: BestInterestsKind
    safety: LongText = Field("", description="safety and risks")
    family: LongText = Field("", description="family and relationships")
    child_views: LongText = Field(description="the child's views, in their own words")
    child_views_language: LanguageCode = Field(description="ISO 639 code of the language the child spoke")
    health: LongText = ""
    education: LongText = ""
    identity_culture: LongText = Field("", description="identity, culture, religion, language")
    legal_status: LongText = ""
    options: LongText = Field(description="the options considered and why each was kept or not")
    recommendation: DurableSolution
    recommendation_country: OptionalCountryCode = Field(
        "", description="ISO 3166-1 alpha-2, for a reunification or return"
    )
    recommendation_reason: LongText = ""
    guardian_consulted: StrictBool
    guardian_views: LongText = ""
    panel: list[PanelMember] = Field(default_factory=list, max_length=12)
    review_on: Date | None = None


# --- family tracing ----------------------------------------------------------------------------


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


# One step of a plan: at least one character as sent (else a 400), not blank once trimmed (a 422).
Step = Annotated[
    str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL), AfterValidator(_not_blank)
]


class RelativeIn(_In):
    """A relative of the child: the name as the child or the documents write it (any script),
    its Latin form if known (else transliterated), the relationship, the country (ISO 3166-1
    alpha-2), where they were last known to be, how to reach them, and where the search stands."""

    full_name: FullName = Field(description="as written, in any script")
    name_latin: Name = ""
    relationship: Relationship
    country: OptionalCountryCode = ""
    last_known_place: ShortText = ""
    contact: ShortText = Field("", description="phone, address, how to reach them")
    contact_status: ContactStatus = ContactStatus.NOT_TRACED
    contact_consent: StrictBool = Field(
        False, description="the relative's own agreement to their contact details being shared"
    )
    contact_consent_on: Date | None = Field(
        None, description="when the relative agreed (with contact_consent)"
    )


class RelativeUpdateIn(_In):
    """What changes about a relative; a field left out stays as it is. The family link is not
    changed here: confirming it is its own operation."""

    full_name: FullName | None = None
    name_latin: Name | None = None
    relationship: Relationship | None = None
    country: OptionalCountryCode | None = None
    last_known_place: ShortText | None = None
    contact: ShortText | None = None
    contact_status: ContactStatus | None = None
    contact_consent: StrictBool | None = None
    contact_consent_on: Date | None = None


class ReunificationPlanIn(_In):
    """A plan for the child to join a confirmed relative: where, the steps in order, the
    best-interests assessment it rests on (default: the latest recommending family reunification,
    if any), a target date."""

    relative: uuid.UUID = Field(description="the confirmed relative's public id")
    country: CountryCode
    place: ShortText = ""
    steps: list[Step] = Field(min_length=1, max_length=30)
    best_interests: uuid.UUID | None = None
    target_date: Date | None = None


class ReunificationPlanUpdateIn(_In):
    status: PlanStatus | None = None
    place: ShortText | None = None
    steps: list[Step] | None = Field(None, min_length=1, max_length=30)
    target_date: Date | None = None
