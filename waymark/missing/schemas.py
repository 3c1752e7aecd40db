"""What a disappearance report, a risk checklist and a step mark may hold (the API and the pages
both parse into these, so a rule is written once). What the document states is a 400; the rules
it cannot state raise ``ValueError`` (a 422 naming the field)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)

from waymark.cases.schemas import Code, DateTime, LongText, Name, ShortText, _json_integer, _text, _trimmed
from waymark.core.codes import is_country
from waymark.vocab import MissingCategory, MissingTrigger, RiskLevel

Phone = Annotated[str, _text(max_length=40), AfterValidator(_trimmed)]
MediumText = Annotated[str, _text(max_length=2000), AfterValidator(_trimmed)]
Count = Annotated[int, Field(ge=0, le=50), BeforeValidator(_json_integer)]


def _country(value: str) -> str:
    value = value.strip().upper()
    if value and not is_country(value):
        raise ValueError("an ISO 3166-1 alpha-2 country code (e.g. FR, SE)")
    return value


Country = Annotated[Code, AfterValidator(_country)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_In):
    name: Name = ""
    phone: Phone = ""
    relationship: Name = ""


class DisappearanceIn(_In):
    """A disappearance report: only when last seen and the 116 000 category are required, so a
    hotline operator or a night worker can send it at once and complete it later."""

    last_seen_at: DateTime
    missing_category: MissingCategory
    last_seen_place: ShortText = ""
    circumstances: LongText = ""
    belongings: MediumText = Field(default="", description="what the child took with them")
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)
    destination_country: Country = ""
    destination: ShortText = Field(default="", description="the intended destination: town, address")
    route_countries: list[Country] = Field(default_factory=list, max_length=15)
    family_abroad: MediumText = ""
    triggers: list[MissingTrigger] = Field(default_factory=list, max_length=len(MissingTrigger))
    trigger_notes: MediumText = ""

    @field_validator("last_seen_at")
    @classmethod
    def _past(cls, v: dt.datetime) -> dt.datetime:
        if v > timezone.now() + dt.timedelta(minutes=5):
            raise ValueError("cannot be in the future")
        return v

    @field_validator("route_countries")
    @classmethod
    def _unique_countries(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(c for c in v if c))

    @field_validator("triggers")
    @classmethod
    def _unique_triggers(cls, v: list[MissingTrigger]) -> list[MissingTrigger]:
        return list(dict.fromkeys(v))

    @field_validator("contacts")
    @classmethod
    def _contacts(cls, v: list[ContactIn]) -> list[ContactIn]:
        return [c for c in v if c.name or c.phone]


class RiskIn(_In):
    """The risk checklist (what a person knows), and an override with its reason."""

    health_needs: StrictBool = False
    urgent_health_needs: StrictBool = False
    exploitation_indicators: StrictBool = False
    contact_with_suspected_traffickers: StrictBool = False
    debt: StrictBool = False
    previous_disappearances: Count = 0
    override: RiskLevel | None = Field(default=None, description="a level chosen by a person")
    override_reason: MediumText = Field(
        default="", description="required with an override", validate_default=True
    )

    @field_validator("override_reason")
    @classmethod
    def _reason_with_override(cls, v: str, info: ValidationInfo) -> str:
        if info.data.get("override") is not None and not v:
            raise ValueError("say why you override the checklist")
        return v
