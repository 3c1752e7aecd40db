"""What a recorded call and its outcomes may hold (the page and the API parse into these, so a
rule is written once). A rule the document cannot state raises ``ValueError``: a 422 naming the
field."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, field_validator

from waymark.cases.schemas import DateTime, LongText, Name, ShortText
from waymark.exchange.schemas import OrgSlug
from waymark.missing.schemas import Phone
from waymark.vocab import CallerRelationship, MissingCategory, Sex

_GRACE = dt.timedelta(minutes=5)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _not_future(v: dt.datetime | None) -> dt.datetime | None:
    if v is not None and v > timezone.now() + _GRACE:
        raise ValueError("cannot be in the future")
    return v


class CallIn(_In):
    """One call: who rang, what they are to the child, what they know. Only the relationship is
    required, so the operator can record while the caller is still on the line."""

    relationship: CallerRelationship
    caller_name: Name = ""
    caller_phone: Phone = ""
    child_name: Name = Field(default="", description="the child's name as the caller gives it")
    known: LongText = Field(default="", description="what the caller knows")
    received_at: DateTime | None = Field(default=None, description="when the call came in (default: now)")
    seen_at: DateTime | None = Field(default=None, description="when the caller saw the child, if they did")
    seen_place: ShortText = Field(default="", description="where the caller saw the child")

    _past = field_validator("received_at", "seen_at")(_not_future)


class LookupIn(_In):
    child_name: Name = Field(min_length=1)


class AttachIn(_In):
    """Add the call to a case the hotline may see (a child of its own organisation, or one a
    partner shares with it)."""

    call: CallIn
    case: uuid.UUID


class PassIn(_In):
    """Pass the call to the organisation on this node that holds a possible match."""

    call: CallIn
    to_org: OrgSlug


class CallSightingIn(_In):
    """Pass the call as a sighting in an alert another country sent here."""

    call: CallIn
    alert: uuid.UUID


class NewCaseIn(_In):
    """Open a case for the child in the hotline's own organisation and record the disappearance."""

    call: CallIn
    missing_category: MissingCategory = MissingCategory.UNACCOMPANIED_MIGRANT
    sex: Sex = Sex.UNKNOWN
    confirm_not_duplicate: bool = Field(
        default=False, description="register even though a child who may be the same is held here"
    )
    last_seen_at: DateTime | None = Field(
        default=None, description="when the child was last seen (default: when seen, else the call)"
    )

    _past = field_validator("last_seen_at")(_not_future)


class HandOverIn(_In):
    """Hand the call's case to the hotline of another country (a referral between hotlines)."""

    to_org: OrgSlug
    note: LongText = ""
    agreement_id: str = Field(default="", max_length=64)
