"""What each kind of timeline event is about, and what it says about the case.

One table, asked by the form that offers a data category, the action that writes the event and
the page that offers a status change: an event's data category follows from its type (a
sighting is about where the child is, a health event is health data) unless the person recording
it chooses another category the policy lets them write; a disappearance or a finding implies a
new case status, offered in the same step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from waymark.vocab import CaseStatus, DataCategory, EventType

# The data category an event of each type is about (what decides who may read it).
CATEGORY_OF: dict[str, DataCategory] = {
    EventType.REGISTRATION: DataCategory.IDENTITY,
    EventType.INTERVIEW: DataCategory.CASE_NOTES,
    EventType.GUARDIAN_APPOINTED: DataCategory.GUARDIAN,
    EventType.RISK_ASSESSMENT: DataCategory.CASE_NOTES,
    EventType.DISAPPEARANCE: DataCategory.CONTACT_LOCATION,
    EventType.SIGHTING: DataCategory.CONTACT_LOCATION,
    EventType.FOUND: DataCategory.CONTACT_LOCATION,
    EventType.REFERRAL: DataCategory.CASE_NOTES,
    EventType.TRANSFER: DataCategory.CASE_NOTES,
    EventType.HEALTH: DataCategory.HEALTH,
    EventType.NOTE: DataCategory.CASE_NOTES,
}


@dataclass(frozen=True)
class StatusChange:
    """The status an event implies, and the statuses from which it is offered."""

    to: CaseStatus
    offered_from: frozenset[CaseStatus]


# A disappearance makes the child missing (with a missing-child category); a finding ends it.
IMPLIED_STATUS: dict[str, StatusChange] = {
    EventType.DISAPPEARANCE: StatusChange(CaseStatus.MISSING, frozenset({CaseStatus.OPEN, CaseStatus.FOUND})),
    EventType.FOUND: StatusChange(CaseStatus.FOUND, frozenset({CaseStatus.MISSING})),
}


def category_of(event_type: str) -> DataCategory:
    """The category an event of this type is about (case notes for a type not in the table)."""
    return CATEGORY_OF.get(str(event_type), DataCategory.CASE_NOTES)


def status_change_for(event_type: str, current: str) -> StatusChange | None:
    """The status change this event offers on a case in ``current`` status, if any."""
    change = IMPLIED_STATUS.get(str(event_type))
    if change is None or current not in change.offered_from:
        return None
    return change


def writable_categories(can_update: Iterable[str]) -> list[DataCategory]:
    """The categories, in vocabulary order, among those the policy lets the user write."""
    allowed = {str(c) for c in can_update}
    return [c for c in DataCategory if c.value in allowed]
