"""The federation file (``manage.py load_federation``): organisations, users, agreements.

Validated here before anything touches the database. Dates: a plain date (``2026-01-01``)
means midnight UTC of that day; ``valid_until`` is exclusive, so ``valid_until: 2027-01-01``
covers the whole of 2026-12-31. A date-time must carry its offset (``...T08:00:00+01:00``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from waymark.core.codes import is_country
from waymark.vocab import AgreementStatus, DataCategory, PolicyAction, Purpose, Role, Sector

Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _midnight_utc(value: Any) -> Any:
    """A date (or ``YYYY-MM-DD`` text) means midnight UTC of that day."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        value = dt.date.fromisoformat(value.strip())
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("give the time zone offset, e.g. 2026-01-01T00:00:00+00:00")
    return value.replace(microsecond=0)


Instant = Annotated[dt.datetime, BeforeValidator(_midnight_utc), AfterValidator(_aware)]


class OrganisationIn(_In):
    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    country: str
    sector: Sector
    fictional: bool = False

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not is_country(value):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return value


class UserIn(_In):
    username: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[\w.@+-]+$", max_length=150)]
    organisation: Slug
    role: Role
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    # Demo and training nodes only; without it a new account gets an unusable password.
    password: str | None = None


class GrantIn(_In):
    organisation: Slug
    role: Role
    purpose: Purpose
    action: PolicyAction = PolicyAction.READ
    categories: list[DataCategory] = Field(min_length=1)


class AgreementIn(_In):
    identifier: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)
    ]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    status: AgreementStatus = AgreementStatus.DRAFT
    valid_from: Instant
    valid_until: Instant
    lawful_basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    acknowledge_within_hours: int | None = Field(default=None, ge=0)
    reply_within_hours: int | None = Field(default=None, ge=0)
    requires_consent: bool = False
    parties: list[Slug] = Field(min_length=1)
    grants: list[GrantIn] = []


class FederationIn(_In):
    organisations: list[OrganisationIn] = []
    users: list[UserIn] = []
    agreements: list[AgreementIn] = []
