"""Input schemas for what people send to other nodes (the web forms feed these)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from waymark.core.protocol.messages import ReferralOutcome, RejectReason, RevokeReason
from waymark.vocab import DataCategory, Purpose

OrgSlug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]

# What a referral may carry, beyond the child's identity (always sent).
REFERRAL_OPTIONAL = (DataCategory.LEGAL_STATUS, DataCategory.FAMILY, DataCategory.CASE_NOTES)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _ToPeer(_In):
    to_org: OrgSlug
    purpose: Purpose = Purpose.CHILD_PROTECTION
    # Empty: the first agreement in force that allows the message.
    agreement_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""

    @field_validator("purpose")
    @classmethod
    def _firewall(cls, v: Purpose) -> Purpose:
        if v == Purpose.IMMIGRATION_ENFORCEMENT:
            raise ValueError("nothing is ever shared for immigration enforcement")
        return v


class ReferralIn(_ToPeer):
    """Refer the case's child to an organisation on another node."""

    reason: Text = ""
    services_requested: list[Short] = Field(default_factory=list, max_length=20)
    # Categories sent besides identity: nationality and identifiers (legal status), whether the
    # child is unaccompanied or separated (family), the reason and risk (case notes).
    include: list[DataCategory] = Field(default_factory=lambda: [DataCategory.CASE_NOTES])

    @model_validator(mode="after")
    def _coherent(self) -> ReferralIn:
        extra = [c for c in self.include if c not in REFERRAL_OPTIONAL]
        if extra:
            raise ValueError(f"include: a referral does not carry {', '.join(extra)}")
        if (self.reason or self.services_requested) and DataCategory.CASE_NOTES not in self.include:
            raise ValueError("include: the reason and services are case notes; include case notes")
        return self


class ReferralAcceptIn(_In):
    note: Text = ""
    contact: Short = ""
    # Accept into a case this organisation already holds (its reference), instead of registering one.
    existing_case: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""


class ReferralRejectIn(_In):
    reason_code: RejectReason
    note: Text = ""


class ReferralDoneIn(_In):
    outcome: ReferralOutcome
    note: Text = ""


class ReferralRevokeIn(_In):
    reason_code: RevokeReason
    note: Text = ""


class QuestionIn(_In):
    category: DataCategory
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class InfoRequestIn(_ToPeer):
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)
    legal_basis: Short = ""


class AnswerIn(_In):
    question_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    text: Text = ""
    declined: Annotated[str, StringConstraints(pattern=r"^[a-z_]{0,32}$")] = ""

    @model_validator(mode="after")
    def _one(self) -> AnswerIn:
        if bool(self.text) == bool(self.declined):
            raise ValueError("text: answer, or say why you decline")
        return self


class InfoAnswerIn(_In):
    answers: list[AnswerIn] = Field(min_length=1, max_length=50)


class NoticeIn(_ToPeer):
    category: DataCategory = DataCategory.CASE_NOTES
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    text: Text = ""


# What a transfer may carry besides identity, the case summary and the care plan (always sent).
TRANSFER_OPTIONAL = (DataCategory.LEGAL_STATUS, DataCategory.GUARDIAN)
# The history categories offered by default: what the next organisation needs to continue care.
TRANSFER_HISTORY_DEFAULT = (
    DataCategory.IDENTITY,
    DataCategory.CONTACT_LOCATION,
    DataCategory.FAMILY,
    DataCategory.CASE_NOTES,
)


class TransferIn(_ToPeer):
    """Hand the case over to an organisation on another node."""

    purpose: Purpose = Purpose.CARE_CONTINUITY
    reason: Text = ""
    include: list[DataCategory] = Field(default_factory=lambda: [DataCategory.LEGAL_STATUS])
    # Timeline events of these categories travel (the sender chooses the history); none: no history.
    history: list[DataCategory] = Field(default_factory=lambda: list(TRANSFER_HISTORY_DEFAULT))

    @field_validator("include")
    @classmethod
    def _optional(cls, v: list[DataCategory]) -> list[DataCategory]:
        extra = [c for c in v if c not in TRANSFER_OPTIONAL]
        if extra:
            raise ValueError(f"a transfer does not carry {', '.join(extra)} besides its history")
        return v


class TransferAcceptIn(_In):
    note: Text = ""
    # Add the transfer to a case this organisation already holds (its reference), instead of
    # opening one.
    existing_case: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""


class TransferRejectIn(_In):
    reason_code: RejectReason
    note: Text = ""
