"""What the police side's requests may hold (the API and the pages both parse into these). What
the document states is a 400; the rules it cannot state raise ``ActionError`` in the actions."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from waymark.cases.schemas import Name, ShortText, _text, _trimmed
from waymark.core.police import POLICE_CATEGORIES
from waymark.vocab import DataCategory, PoliceAlertKind, PoliceAlertState, SisCategory

MediumText = Annotated[str, _text(max_length=2000), AfterValidator(_trimmed)]
Description = Annotated[str, _text(max_length=1000), AfterValidator(_trimmed)]
Reference = Annotated[str, _text(max_length=100), AfterValidator(_trimmed)]


def _police_category(value: DataCategory) -> DataCategory:
    if value not in POLICE_CATEGORIES:
        allowed = ", ".join(sorted(POLICE_CATEGORIES))
        raise ValueError(f"a police request asks only about {allowed}")
    return value


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("write the question")
    return value


Question = Annotated[
    str, _text(min_length=1, max_length=2000), AfterValidator(_trimmed), AfterValidator(_not_blank)
]
PoliceCategory = Annotated[DataCategory, AfterValidator(_police_category)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlertRequestIn(_In):
    """Ask a police unit to issue an alert on the missing child of a case."""

    kind: PoliceAlertKind
    police_org: Name = Field(description="the police unit asked: its federation identifier (slug)")
    sis_category: SisCategory | None = Field(
        default=None, description="for an SIS alert: the Art. 32(1) category proposed to the police"
    )
    physical_description: Description = Field(
        default="", description="for the police: clothes, height, distinctive marks"
    )


class TransitionIn(_In):
    """Move an alert along its lifecycle (``waymark/core/police.py``)."""

    to: PoliceAlertState
    reference: Reference = Field(default="", description="issued: the police's reference (required)")
    place: ShortText = Field(default="", description="hit: where the child was found (required)")
    note: MediumText = ""


class QuestionIn(_In):
    category: PoliceCategory
    text: Question


class SireneAskIn(_In):
    """A SIRENE-style request about a police alert: the police ask the care side, or the care side
    asks the police (the asker's organisation says which); a reply is due within 12 hours."""

    alert: uuid.UUID = Field(description="the public id of the police alert the request is about")
    questions: list[QuestionIn] = Field(min_length=1, max_length=20)


class SireneAnswerIn(_In):
    question_id: Annotated[str, _text(max_length=32)]
    text: MediumText = ""
    declined: Annotated[str, _text(max_length=200)] = ""


class SireneAnswersIn(_In):
    answers: list[SireneAnswerIn] = Field(min_length=1, max_length=20)
