"""The police side of a missing child, as data: the kinds of police alert, the lifecycle every
one follows (``TRANSITIONS``, asked by the actions, the pages and the API alike), and the
extract — the only child data a police record holds — built field by field from an allow-list.

Pure Python: the care side's categories are plain strings here (``waymark.vocab.DataCategory``
values); a test checks them against the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# The kinds of police alert a case may carry.
SIS_MISSING_MINOR = "sis_missing_minor"  # SIS alert on a missing child, Reg. (EU) 2018/1862 Art. 32
INTERPOL_YELLOW = "interpol_yellow"  # a request for an Interpol yellow notice (missing person)
NATIONAL_REPORT = "national_report"  # the national police missing-person report
KINDS = (SIS_MISSING_MINOR, INTERPOL_YELLOW, NATIONAL_REPORT)

# The states of an alert.
REQUESTED = "requested"  # the care side asked the police to issue it
ISSUED = "issued"  # the police issued it (with their reference)
HIT = "hit"  # the child was found through it (a hit reported)
CLOSED = "closed"  # the police ended it (the child found or the case over)
WITHDRAWN = "withdrawn"  # the request was withdrawn before or after issue
STATES = (REQUESTED, ISSUED, HIT, CLOSED, WITHDRAWN)
ENDED = frozenset({CLOSED, WITHDRAWN})


@dataclass(frozen=True)
class Transition:
    """One step of the lifecycle: from ``source`` to ``target``, and what it must carry."""

    source: str
    target: str
    needs_reference: bool = False  # issuing names the police's own reference
    needs_place: bool = False  # a hit says where (and when) the child was found


TRANSITIONS: tuple[Transition, ...] = (
    Transition(REQUESTED, ISSUED, needs_reference=True),
    Transition(REQUESTED, WITHDRAWN),
    Transition(ISSUED, HIT, needs_place=True),
    Transition(ISSUED, CLOSED),
    Transition(ISSUED, WITHDRAWN),
    Transition(HIT, CLOSED),
)


class TransitionRefused(ValueError):
    """A transition the table does not allow, or one missing what it must carry."""

    def __init__(self, message: str, field: str = "to") -> None:
        super().__init__(message)
        self.field = field


def next_states(state: str) -> tuple[str, ...]:
    """Where an alert in ``state`` may go next (the page's buttons, the API's choices)."""
    return tuple(t.target for t in TRANSITIONS if t.source == state)


def transition(state: str, target: str, *, reference: str = "", place: str = "") -> Transition:
    """The transition from ``state`` to ``target``, or ``TransitionRefused`` naming the field."""
    if target not in STATES:
        raise TransitionRefused(f"{target!r} is not a state of a police alert")
    found = next((t for t in TRANSITIONS if t.source == state and t.target == target), None)
    if found is None:
        allowed = ", ".join(next_states(state)) or "none: it has ended"
        raise TransitionRefused(f"an alert that is {state} cannot become {target} (next: {allowed})")
    if found.needs_reference and not reference.strip():
        raise TransitionRefused("give the police's reference of the issued alert", field="reference")
    if found.needs_place and not place.strip():
        raise TransitionRefused("say where the child was found (the hit)", field="place")
    return found


# The countries that run the Schengen Information System (the Schengen states, Ireland and
# Cyprus; as of 2025 — secondary, check before relying on it for a new country).
SIS_AREA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def kind_fits(kind: str, countries: Iterable[str]) -> bool:
    """An Interpol yellow notice is for a child who may be outside the SIS area: a route or
    destination country outside it, or none known. SIS and the national report fit every case."""
    known = [c for c in countries if c]
    return kind != INTERPOL_YELLOW or not known or any(c not in SIS_AREA for c in known)


# ---------------------------------------------------------------------------------------------
# The extract: what a police record may hold of the child.

IDENTITY = "identity"
PHYSICAL_DESCRIPTION = "physical_description"
PHOTO = "photo"
CONTACT_LOCATION = "contact_location"
# The minimal identifiers of a police alert: who the child is, what they look like, their
# photo, where and when last seen. Never health, disclosures, case notes, family, legal or
# immigration status — whatever an agreement grants.
POLICE_CATEGORIES = frozenset({IDENTITY, PHYSICAL_DESCRIPTION, PHOTO, CONTACT_LOCATION})

# Every field the extract may hold, with its category: nothing outside this list ever enters it.
EXTRACT_FIELDS: Mapping[str, str] = {
    "given_names": IDENTITY,
    "family_name": IDENTITY,
    "name_latin": IDENTITY,
    "aliases": IDENTITY,
    "sex": IDENTITY,
    "birth_date": IDENTITY,
    "birth_date_precision": IDENTITY,
    "assessed_age_min": IDENTITY,
    "assessed_age_max": IDENTITY,
    "languages": IDENTITY,
    "physical_description": PHYSICAL_DESCRIPTION,
    "belongings": PHYSICAL_DESCRIPTION,
    "has_photo": PHOTO,
    "last_seen_at": CONTACT_LOCATION,
    "last_seen_place": CONTACT_LOCATION,
    "destination_country": CONTACT_LOCATION,
    "route_countries": CONTACT_LOCATION,
}


@dataclass(frozen=True)
class Extract:
    """The police-facing extract: the fields shown, and the categories withheld (not granted)."""

    fields: Mapping[str, Any]
    withheld: frozenset[str]


def police_extract(source: Mapping[str, Any], granted: Iterable[str]) -> Extract:
    """The extract of ``source`` (field → value, from the case) for a reader ``granted`` these
    categories: only ``EXTRACT_FIELDS`` whose category is both a police category and granted.
    Any other key of ``source`` — health, disclosures, notes, status — is never copied."""
    allowed = POLICE_CATEGORIES & frozenset(granted)
    fields = {
        name: source[name]
        for name, category in EXTRACT_FIELDS.items()
        if category in allowed and name in source
    }
    return Extract(fields, frozenset(POLICE_CATEGORIES - allowed))
