"""What every exchange form shares: the bases of the thread modules' input schemas (each kind
keeps its own schemas beside its actions, in ``threads/<kind>.py``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from waymark.vocab import Purpose

OrgSlug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


def not_blank(value: str) -> str:
    """Required texts: at least one character as sent (the document's ``minLength``, else a 400),
    then trimmed and not blank — a rule the document cannot state: a 422 naming the field."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# A case this organisation already holds, by its reference.
ExistingCase = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class In(BaseModel):
    # Each text type trims itself (above); a blanket trim before the length checks made a
    # schema-valid "\r" a 400 (a fuzzer finding: test_fuzz_finding_blank_question).
    model_config = ConfigDict(extra="forbid")


class ToPeer(In):
    """What opens a thread: to whom, for what purpose, under which agreement."""

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
