"""Input schemas for the case record: the one place where input is validated.

The JSON API uses them directly; the web forms feed their data through them, so a rule is
written once and both edges name the same field in their error messages.

What the OpenAPI document states (types, formats, lengths, enums) is checked as the client sent
it — a boolean is true or false (not 0), an integer is not "3" (3.0 is 3), a date is text in ISO 8601
(never a number of seconds), a date-time carries its offset, a length counts the spaces around a
text, which is trimmed afterwards — and a failure is a 400.
Rules the document cannot state (a name or an alias, a known country, not blank once trimmed,
not in the future...) raise ``ValueError`` ("value_error"), which the API answers with a 422.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from django.utils import timezone
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from waymark.core.codes import is_country, is_language
from waymark.vocab import (
    CaseStatus,
    DataCategory,
    DatePrecision,
    EventSource,
    EventType,
    IdentifierScheme,
    MissingCategory,
    Purpose,
    RiskLevel,
    Sex,
)

from . import event_kinds


def _trimmed(value: str) -> str:
    return value.strip()


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# No text holds U+0000: PostgreSQL cannot store it. The document says so with this pattern.
NO_NUL = r"^[^\x00]*$"


def _text(*, min_length: int | None = None, max_length: int | None = None) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)


# Texts: the length is checked as sent (the document's maxLength), then the text is trimmed.
Name = Annotated[str, _text(max_length=200), AfterValidator(_trimmed)]
ShortText = Annotated[str, _text(max_length=300), AfterValidator(_trimmed)]
LongText = Annotated[str, _text(max_length=20000), AfterValidator(_trimmed)]
LatinName = Annotated[str, _text(max_length=400), AfterValidator(_trimmed)]
Username = Annotated[str, _text(max_length=150), AfterValidator(_trimmed)]
Code = Annotated[str, _text(max_length=20)]  # a country or language code, checked by a validator
# Required texts: at least one character as sent (else a 400), not blank once trimmed (a 422).
FullName = Annotated[str, _text(min_length=1, max_length=400), AfterValidator(_not_blank)]
IdentifierValue = Annotated[str, _text(min_length=1, max_length=100), AfterValidator(_not_blank)]
Summary = Annotated[str, _text(min_length=1, max_length=300), AfterValidator(_not_blank)]
OrgSlug = Annotated[str, _text(min_length=1, max_length=64), AfterValidator(_not_blank)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _date_as_text(value: object) -> object:
    """Dates as the document says (``format: date``): text YYYY-MM-DD, not pydantic's lax
    coercion of a number of seconds (``0`` was 1 January 1970) or of a date-time."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # from a web form, already parsed
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "give a date as text, YYYY-MM-DD (e.g. 2026-03-01)")


def _datetime_as_text(value: object) -> object:
    """Date-times as the document says (``format: date-time``, RFC 3339): text with its offset."""
    if isinstance(value, dt.datetime):
        return value  # from a web form, already parsed
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        return value
    raise PydanticCustomError(
        "datetime_type", "give a date and time as text with its offset (e.g. 2026-03-01T14:30:00+01:00)"
    )


def _json_integer(value: object) -> object:
    """Integers as JSON Schema has them: 3 or 3.0, not "3", 3.5 or true (pydantic's lax mode
    takes "3" and true)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("int_type", "give a whole number")


# Bounds before the validator, or pydantic writes them into the document as "ge"/"le" (which
# JSON Schema ignores) instead of minimum/maximum.
Age = Annotated[int, Field(ge=0, le=25), BeforeValidator(_json_integer)]
Date = Annotated[dt.date, BeforeValidator(_date_as_text)]


def in_utc(value: dt.datetime) -> dt.datetime:
    """The same instant in UTC: RFC 3339 allows an offset up to ±23:59, PostgreSQL refuses one
    beyond ±15:59 (a fuzzer finding), and the offset a client wrote carries nothing we keep."""
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value


DateTime = Annotated[dt.datetime, BeforeValidator(_datetime_as_text), AfterValidator(in_utc)]


if TYPE_CHECKING:
    from .models import Case


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AliasIn(_In):
    full_name: FullName
    note: ShortText = ""


class IdentifierIn(_In):
    scheme: IdentifierScheme
    value: IdentifierValue
    issued_by: Name = ""


# The most other names a child holds: the most a message between nodes carries (the protocol's
# ``ChildSummary.aliases``), so a case can always be referred (a fuzzer finding).
MAX_ALIASES = 50


class ChildIn(_In):
    """A child's identity: names in any script, date of birth with its precision."""

    given_names: Name = ""
    family_name: Name = ""
    name_latin: LatinName = ""
    aliases: list[AliasIn] = Field(default_factory=list, max_length=MAX_ALIASES)
    sex: Sex = Sex.UNKNOWN
    birth_date: Date | None = None
    birth_date_precision: DatePrecision = DatePrecision.EXACT
    assessed_age_min: Age | None = None
    assessed_age_max: Age | None = None
    assessed_on: Date | None = None
    nationality: Code = ""
    languages: list[Code] = Field(default_factory=list, max_length=20)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)

    @field_validator("nationality")
    @classmethod
    def _country(cls, v: str) -> str:
        v = v.strip().upper()
        if v and not is_country(v):
            raise ValueError(f"'{v}' is not an ISO 3166-1 alpha-2 country code (e.g. ER, AF, IT)")
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for code in v:
            code = code.strip().lower()
            if not code:
                continue
            if not is_language(code):
                raise ValueError(f"'{code}' is not an ISO 639 language code (e.g. ar, ti, prs, ps, so)")
            if code not in out:
                out.append(code)
        return out

    @field_validator("birth_date", "assessed_on")
    @classmethod
    def _not_future(cls, v: dt.date | None) -> dt.date | None:
        if v is not None and v > timezone.localdate():
            raise ValueError("cannot be in the future")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> ChildIn:
        if not (self.given_names or self.family_name or self.aliases):
            raise ValueError("given_names: give at least one name or an alias")
        if self.birth_date_precision == DatePrecision.ESTIMATED:
            if self.assessed_age_min is None or self.assessed_age_max is None:
                raise ValueError("assessed_age_min: an estimated date of birth needs the assessed age range")
            if self.assessed_age_min > self.assessed_age_max:
                raise ValueError("assessed_age_max: must not be below assessed_age_min")
        elif self.birth_date is None and (
            self.assessed_age_min is not None or self.assessed_age_max is not None
        ):
            raise ValueError("birth_date_precision: an assessed age range needs precision 'estimated'")
        return self


class CaseIn(_In):
    """The case: status, category, flags, risk and people."""

    status: CaseStatus = CaseStatus.OPEN
    missing_category: MissingCategory | None = None
    unaccompanied: StrictBool = True
    separated: StrictBool = False
    risk_level: RiskLevel = RiskLevel.MEDIUM
    risk_reasons: LongText = ""
    caseworker: Username | None = Field(
        default=None, description="username of a user of the organisation holding the case"
    )
    guardian: Username | None = Field(default=None, description="username of a guardian")

    @model_validator(mode="after")
    def _missing(self) -> CaseIn:
        if self.status == CaseStatus.MISSING and not self.missing_category:
            raise ValueError("missing_category: a missing child's case needs a missing-child category")
        return self

    @staticmethod
    def values_of(case: Case) -> dict[str, Any]:
        """The case's current values, as this schema names them."""
        return {
            "status": case.status,
            "missing_category": case.missing_category or None,
            "unaccompanied": case.unaccompanied,
            "separated": case.separated,
            "risk_level": case.risk_level,
            "risk_reasons": case.risk_reasons_text,
            "caseworker": case.caseworker.get_username() if case.caseworker else None,
            "guardian": case.guardian.get_username() if case.guardian else None,
        }

    @classmethod
    def from_case(cls, case: Case, **changes: Any) -> CaseIn:
        """The case's current values with ``changes``, validated as a whole."""
        return cls.model_validate({**cls.values_of(case), **changes})


# How far back a registration may be dated: a child's, so within a childhood.
REGISTERED_WITHIN = dt.timedelta(days=20 * 365)


class RegisterChildIn(_In):
    """Register a child and open their case in one action."""

    child: ChildIn
    case: CaseIn = Field(default_factory=CaseIn)
    # A probable duplicate is refused with a warning unless the caller confirms.
    confirm_not_duplicate: StrictBool = False
    registered_at: DateTime | None = Field(
        default=None,
        description="when the child was registered (as unaccompanied: the start of the "
        "guardian-appointment clock), if earlier than this request, e.g. at the reception centre "
        "days before the case is entered; not in the future, nor more than twenty years ago. "
        "Left out: now",
    )

    @field_validator("registered_at")
    @classmethod
    def _registered_past(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is not None and v > timezone.now() + dt.timedelta(minutes=5):
            raise ValueError("cannot be in the future")
        if v is not None and v < timezone.now() - REGISTERED_WITHIN:
            raise ValueError("a child's registration is within the last twenty years")
        return v


class EventIn(_In):
    type: EventType
    occurred_at: DateTime | None = None
    source: EventSource = EventSource.STAFF
    category: DataCategory = Field(
        default=DataCategory.CASE_NOTES,
        description="what the summary and details are about (who may read them); left out, the "
        "category the type is about (a sighting or a disappearance: contact_location; health: health; "
        "a note: case_notes)",
    )

    @model_validator(mode="before")
    @classmethod
    def _category_from_type(cls, data: Any) -> Any:
        # Only when left out: an explicit null breaks the document (a category, not nullable) and
        # is refused like any other wrong type (the fuzzer found it accepted).
        if isinstance(data, dict) and "category" not in data and "type" in data:
            return {**data, "category": event_kinds.category_of(str(data["type"]))}
        return data

    summary: Summary
    details: LongText = ""
    location: Name = ""

    @field_validator("occurred_at")
    @classmethod
    def _aware_past(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is None:
            return v
        if timezone.is_naive(v):
            v = timezone.make_aware(v)
        if v > timezone.now() + dt.timedelta(minutes=5):
            raise ValueError("cannot be in the future")
        return v


class CarePlanIn(_In):
    needs: LongText = ""
    objectives: LongText = ""
    services: LongText = ""
    responsible: Username | None = Field(
        default=None, description="username of a user of the organisation holding the case"
    )
    review_date: Date | None = None


CONSENT_PURPOSES = [p for p in Purpose.values if p != Purpose.IMMIGRATION_ENFORCEMENT]


class ConsentIn(_In):
    recipient_org: OrgSlug
    recipient_name: Name = ""
    # The document lists the purposes consent can be for: never immigration enforcement.
    purpose: Annotated[Purpose, WithJsonSchema({"type": "string", "enum": CONSENT_PURPOSES})]
    categories: list[DataCategory] = Field(min_length=1)
    valid_from: Date
    valid_until: Date | None = None
    childs_views: LongText = ""
    given_by: Annotated[str, _text(max_length=100), AfterValidator(_trimmed)] = ""  # its column holds 100

    @model_validator(mode="after")
    def _period(self) -> ConsentIn:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until: ends before it starts")
        if self.purpose == Purpose.IMMIGRATION_ENFORCEMENT:
            raise ValueError("purpose: consent can never be recorded for immigration enforcement")
        return self


class AccountIn(_In):
    """The child's account from an interview (category disclosure), for the purpose declared with
    the request; ``consent`` is the number of one of the case's consents that covers it."""

    interviewed_at: DateTime
    interviewer_name: Name = Field(default="", description="who interviewed; left out, the person recording")
    language: Code = Field(description="the language of the interview (ISO 639, e.g. ti, ar, prs)")
    interpreter: StrictBool = False
    interpreter_language: Code = Field(default="", description="the language the interpreter rendered it in")
    words: Annotated[str, _text(min_length=1, max_length=20000), AfterValidator(_not_blank)] = Field(
        description="the account in the child's own words"
    )
    summary: Annotated[str, _text(min_length=1, max_length=2000), AfterValidator(_not_blank)]
    consent: Annotated[int, Field(ge=1), BeforeValidator(_json_integer)] = Field(
        description="the consent it rests on (its number, from listConsents): to your organisation, "
        "for this purpose, covering disclosure, in date and not withdrawn"
    )
    corrects: uuid.UUID | None = Field(
        default=None, description="the account this corrects (a new version; the earlier one is kept)"
    )
    correction_note: LongText = ""

    @field_validator("interviewed_at")
    @classmethod
    def _aware_past(cls, v: dt.datetime) -> dt.datetime:
        if timezone.is_naive(v):
            v = timezone.make_aware(v)
        if v > timezone.now() + dt.timedelta(minutes=5):
            raise ValueError("cannot be in the future")
        return v

    @field_validator("language", "interpreter_language")
    @classmethod
    def _language(cls, v: str) -> str:
        v = v.strip().lower()
        if v and not is_language(v):
            raise ValueError(f"{v!r} is not an ISO 639 language code (e.g. ti, ar, prs)")
        return v

    @model_validator(mode="after")
    def _coherent(self) -> AccountIn:
        if not self.language:
            raise ValueError("language: give the language of the interview")
        if self.interpreter and not self.interpreter_language:
            raise ValueError("interpreter_language: say which language the interpreter used")
        if self.interpreter_language and not self.interpreter:
            raise ValueError("interpreter: an interpreter's language is given, but no interpreter")
        if self.corrects is not None and not self.correction_note:
            raise ValueError("correction_note: say what the correction changes, and why")
        if self.correction_note and self.corrects is None:
            raise ValueError("corrects: a correction note needs the account it corrects")
        return self
