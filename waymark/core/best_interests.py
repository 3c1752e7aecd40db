"""What of a best-interests assessment (BIA / BID) may travel to another organisation: built field
by field from an allow-list, as the police extract is (``core.police``).

A BIA travels with a case transfer under the agreement (issue 13 item 4): each section only if
the agreement grants the receiving organisation its category, and — to a Dublin unit, whatever
the agreement says — only its recommendation and its family and legal-status parts, never
health, disclosures (the child's views) or case notes. Nothing outside ``EXTRACT_FIELDS`` is ever
copied, whatever the source holds.

Pure Python: the categories are plain strings (``waymark.vocab.DataCategory`` values); a test
checks them against the vocabulary and against ``continuity.models.BestInterests.SECTION_CATEGORIES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FAMILY = "family"
LEGAL_STATUS = "legal_status"
HEALTH = "health"
DISCLOSURE = "disclosure"
CASE_NOTES = "case_notes"
EDUCATION = "education"
PSYCHOSOCIAL = "psychosocial"
GUARDIAN = "guardian"

# Every field a travelling BIA may hold, with its category (as ``BestInterests.SECTION_CATEGORIES``).
# The header — what the record is and what it recommends — is legal status: without legal status
# granted, no BIA travels at all.
HEADER_FIELDS: Mapping[str, str] = {
    "kind": LEGAL_STATUS,
    "approved": LEGAL_STATUS,
    "recorded_on": LEGAL_STATUS,
    "recommendation": LEGAL_STATUS,
    "recommendation_country": LEGAL_STATUS,
}
EXTRACT_FIELDS: Mapping[str, str] = {
    **HEADER_FIELDS,
    "recommendation_reason": LEGAL_STATUS,
    "review_on": LEGAL_STATUS,
    "legal_status": LEGAL_STATUS,
    "family": FAMILY,
    "education": EDUCATION,
    "identity_culture": PSYCHOSOCIAL,
    "guardian_consulted": GUARDIAN,
    "guardian_views": GUARDIAN,
    "health": HEALTH,
    "child_views": DISCLOSURE,
    "child_views_language": DISCLOSURE,
    "safety": CASE_NOTES,
    "options": CASE_NOTES,
}
# What a Dublin unit ever receives of a BIA: its recommendation, family and legal-status parts
# (issue 13: "to a Dublin officer only its recommendation and its family and legal-status parts,
# never health or disclosures"; policy limit-dublin-officer-no-special-categories).
DUBLIN_CATEGORIES = frozenset({LEGAL_STATUS, FAMILY})
NEVER_TO_DUBLIN = frozenset({HEALTH, DISCLOSURE, CASE_NOTES})


@dataclass(frozen=True)
class Extract:
    """The fields that travel (None: nothing, legal status not granted), and the categories of
    the BIA's sections left behind."""

    fields: Mapping[str, Any] | None
    withheld: frozenset[str]


def allowed_categories(granted: Iterable[str], *, dublin: bool) -> frozenset[str]:
    """The categories of a BIA that may travel to a reader ``granted`` these categories."""
    allowed = frozenset(EXTRACT_FIELDS.values()) & frozenset(granted)
    return allowed & DUBLIN_CATEGORIES if dublin else allowed


def bia_extract(source: Mapping[str, Any], granted: Iterable[str], *, dublin: bool) -> Extract:
    """The travelling BIA of ``source`` (field → value) for a receiver ``granted`` these
    categories; ``dublin`` for a Dublin unit. Only ``EXTRACT_FIELDS`` whose category is allowed;
    nothing at all without legal status (the header)."""
    allowed = allowed_categories(granted, dublin=dublin)
    withheld = frozenset(EXTRACT_FIELDS.values()) - allowed
    if LEGAL_STATUS not in allowed:
        return Extract(None, frozenset(EXTRACT_FIELDS.values()))
    fields = {
        name: source[name]
        for name, category in EXTRACT_FIELDS.items()
        if category in allowed and name in source
    }
    return Extract(fields, withheld)
