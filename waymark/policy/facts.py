"""What a decision is made from, as plain frozen values (no Django, no database).

The service turns users, cases and agreements from the database into these facts; the engine
turns facts into Cedar entities and requests. Tests and benchmarks build facts directly.
Every string is a value of a vocabulary in waymark/vocab.py; organisations are named by their
federation slug.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Subject:
    """The user asking: who, in which organisation, with which role."""

    uid: str
    org: str
    org_sector: str
    org_country: str
    role: str


@dataclass(frozen=True, slots=True)
class Resource:
    """A case: the organisation that owns it, the child's guardian (a user uid) if any, whether
    it is the closed copy of a case transferred away, whether the child is missing, and the
    need-to-know contexts it shares with other organisations."""

    uid: str
    org: str
    org_sector: str
    org_country: str
    guardian: str | None = None
    # A closed copy kept after the case moved to another organisation (read-only).
    transferred: bool = False
    # A disappearance is open: locate_missing_child fits the case only then.
    missing: bool = False
    # (organisation, purpose) pairs with an open need-to-know context about this child.
    shared: frozenset[tuple[str, str]] = frozenset()
    # (organisation, purpose, category) the child consents to share, valid now.
    consents: frozenset[tuple[str, str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class GrantFacts:
    org: str
    role: str
    category: str
    purpose: str
    action: str

    def describe(self) -> str:
        return f"{self.org} {self.role} may {self.action} {self.category} for {self.purpose}"


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    """An agreement as the registry holds it; validity is ``valid_from <= now < valid_until``."""

    identifier: str
    status: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    parties: frozenset[str]
    grants: frozenset[GrantFacts]
    # Grants open a child's data only with the child's consent (Resource.consents).
    requires_consent: bool = False

    def binds(self, org_a: str, org_b: str) -> bool:
        """Both organisations are parties (and they are two different organisations)."""
        return org_a != org_b and org_a in self.parties and org_b in self.parties
