"""Field-level minimisation of API outputs: what a decision withholds is nulled and named.

Each output type maps its fields to the data category they carry (the same categories as the
models' ``FIELD_CATEGORIES``). ``redact`` returns a copy whose withheld fields are null (lists
empty) and whose ``withheld`` says why — "not shared with you under agreement X" — so a client
never mistakes a redaction for an empty value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel

from waymark.errors import Refused
from waymark.policy.service import Decision
from waymark.vocab import DataCategory as C

from .access import withheld_note
from .api_schemas import (
    AwaitingGuardianOut,
    CarePlanOut,
    CaseDetailOut,
    CaseSummaryOut,
    ChildOut,
    ChildSummaryOut,
    ConsentOut,
    EventOut,
)

M = TypeVar("M", bound=BaseModel)

_CHILD_SUMMARY = {
    "given_names": C.IDENTITY,
    "family_name": C.IDENTITY,
    "name_latin": C.IDENTITY,
    "sex": C.IDENTITY,
    "birth_date": C.IDENTITY,
    "birth_date_precision": C.IDENTITY,
    "nationality": C.LEGAL_STATUS,
}
_CHILD = {
    **_CHILD_SUMMARY,
    "assessed_age_min": C.IDENTITY,
    "assessed_age_max": C.IDENTITY,
    "assessed_on": C.IDENTITY,
    "languages": C.IDENTITY,
    "has_photo": C.PHOTO,
    "names": C.IDENTITY,
    "identifiers": C.LEGAL_STATUS,
}
_CASE_SUMMARY = {"status": C.CASE_NOTES, "missing_category": C.CASE_NOTES, "risk_level": C.CASE_NOTES}
_CASE_DETAIL: dict[str, str | tuple[str, ...]] = {
    **_CASE_SUMMARY,
    "unaccompanied": C.FAMILY,
    "separated": C.FAMILY,
    "risk_reasons": C.CASE_NOTES,
    "caseworker": C.CASE_NOTES,
    "guardian": C.GUARDIAN,
    "care_plan": C.CASE_NOTES,
    "review_clock": C.CASE_NOTES,
    # Says whether the child travels alone (family) and when a guardian was appointed (guardian).
    "guardian_clock": (C.GUARDIAN, C.FAMILY),
    "guardian_escalated_at": (C.GUARDIAN, C.FAMILY),
}
# A field carrying several categories (a tuple) is shown only when every one of them is allowed.
FIELD_MAP: dict[type[BaseModel], Mapping[str, str | tuple[str, ...]]] = {
    ChildSummaryOut: _CHILD_SUMMARY,
    ChildOut: _CHILD,
    CaseSummaryOut: _CASE_SUMMARY,
    CaseDetailOut: _CASE_DETAIL,
    AwaitingGuardianOut: {
        "guardian_clock": (C.GUARDIAN, C.FAMILY),
        "guardian_escalated_at": (C.GUARDIAN, C.FAMILY),
    },
    CarePlanOut: {
        "needs": C.CASE_NOTES,
        "objectives": C.CASE_NOTES,
        "services": C.CASE_NOTES,
        "responsible": C.CASE_NOTES,
        "review_date": C.CASE_NOTES,
    },
    ConsentOut: {"childs_views": C.CASE_NOTES},
    EventOut: {"location": C.CONTACT_LOCATION},
}


class Withheld(Refused):
    """A whole resource of a category the caller may not see (e.g. the care plan)."""

    def __init__(self, note: str) -> None:
        super().__init__(note, field="")


def _allowed(decision: Decision | None) -> bool:
    return decision is not None and decision.allowed


def _blank(value: object) -> object:
    return [] if isinstance(value, list) else None


def redact(out: M, decisions: Mapping[str, Decision], prefix: str = "") -> M:
    """``out`` with every field of a category not allowed by ``decisions`` withheld."""
    fields = FIELD_MAP.get(type(out), {})
    update: dict[str, object] = {}
    withheld: dict[str, str] = {}
    for name, categories in fields.items():
        needed = (categories,) if isinstance(categories, str) else categories
        refused = [decisions.get(c) for c in needed if not _allowed(decisions.get(c))]
        if not refused:
            continue
        decision = refused[0]
        update[name] = _blank(getattr(out, name))
        withheld[prefix + name] = withheld_note(decision, decisions.values())
    # Nested outputs (the child of a case) are redacted on their own and report up.
    for name in type(out).model_fields:
        value = getattr(out, name)
        if name not in update and isinstance(value, BaseModel) and type(value) in FIELD_MAP:
            inner = redact(value, decisions, prefix=f"{prefix}{name}.")
            update[name] = inner
            withheld.update(getattr(inner, "withheld", {}))
    if "withheld" in type(out).model_fields:
        update["withheld"] = withheld
    return out.model_copy(update=update)


def redact_event(out: EventOut, decisions: Mapping[str, Decision]) -> EventOut:
    """An event's summary and details carry the event's own category."""
    out = redact(out, decisions)
    decision = decisions.get(str(out.category))
    if decision is not None and decision.allowed:
        return out
    note = withheld_note(decision, decisions.values())
    withheld = {**out.withheld, "summary": note, "details": note}
    return out.model_copy(update={"summary": None, "details": None, "withheld": withheld})
