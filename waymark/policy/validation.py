"""The registry validator: layer 2 of the firewall, and the guard against agreements that lie.

One set of functions used by the admin forms, the federation loader and the models' ``clean``.
Each problem is one sentence naming what is wrong. An agreement is refused when:

- a party is an immigration-enforcement organisation (firewall, layer 2);
- it has fewer than two parties;
- its validity ends before, or when, it starts;
- a grant is for the purpose ``immigration_enforcement`` (firewall, layer 1);
- a grant is given to an organisation that is not a party;
- a grant is listed twice (the same organisation × role × category × purpose × action);
- a grant **contradicts the firewall**: the fixed ``forbid`` rules (firewall.cedar, limits.cedar)
  would refuse it in every circumstance, so the agreement would promise what Waymark never does
  — e.g. anything to a node administrator, a case-level grant for statistics, special categories
  to the DPO. This is decided by asking the Cedar engine itself about the grant under an ideal
  agreement (active, in date, holding only that grant), so the validator and the policies can
  never disagree.

Grants carry no conditions and only ever add permissions, so two grants (in one agreement or in
two overlapping agreements) cannot contradict each other; what can go wrong is a duplicate, or a
grant that contradicts the firewall — both refused here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cedarpy

from waymark.vocab import AgreementStatus, Purpose, Sector

from . import engine
from .facts import AgreementFacts, GrantFacts, Resource, Subject

if TYPE_CHECKING:
    from waymark.accounts.models import Organisation


@dataclass(frozen=True)
class GrantLine:
    """A grant as a form or a file states it, before it is saved."""

    organisation: Organisation
    role: str
    category: str
    purpose: str
    action: str

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.organisation.slug, self.role, self.category, self.purpose, self.action)

    def describe(self) -> str:
        return f"{self.organisation.slug} {self.role} {self.action} {self.category} for {self.purpose}"


def party_problems(parties: Sequence[Organisation]) -> list[str]:
    problems = [
        f"organisation '{org.slug}' is an immigration-enforcement organisation and can never be "
        "a party to a cooperation agreement (firewall, layer 2)"
        for org in parties
        if org.sector == Sector.IMMIGRATION_ENFORCEMENT
    ]
    if len({org.slug for org in parties}) < 2:
        problems.append("an agreement needs at least two parties")
    return problems


def validity_problems(valid_from: dt.datetime | None, valid_until: dt.datetime | None) -> list[str]:
    if valid_from is None or valid_until is None:
        return []
    if valid_until <= valid_from:
        return [
            f"the validity ends ({valid_until.isoformat()}) before or when it starts "
            f"({valid_from.isoformat()})"
        ]
    return []


def _firewall_refusals(line: GrantLine) -> list[str]:
    """The fixed forbid rules that would refuse this grant whatever the agreement says."""
    eng = engine.get_engine()
    now = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    grant = GrantFacts(line.organisation.slug, line.role, line.category, line.purpose, line.action)
    other = "waymark-validator-other-party"  # any organisation but the grantee; never stored
    ideal = AgreementFacts(
        identifier="waymark-validator-ideal",
        status=AgreementStatus.ACTIVE,
        valid_from=now - dt.timedelta(days=1),
        valid_until=now + dt.timedelta(days=1),
        parties=frozenset({grant.org, other}),
        grants=frozenset({grant}),
    )
    subject = Subject(
        "validator-user", grant.org, line.organisation.sector, line.organisation.country, line.role
    )
    # The most favourable case: the two organisations share a context about the child for this
    # purpose, and the child is missing (so every purpose fits).
    case = Resource(
        "validator-case",
        other,
        Sector.CHILD_PROTECTION,
        "ZZ",
        missing=True,
        shared=frozenset({(grant.org, line.purpose)}),
    )
    req = engine.request(
        subject,
        case,
        action=line.action,
        purpose=line.purpose,
        category=line.category,
        now=engine.cedar_datetime(now),
        agreement=ideal.identifier,
    )
    ents = engine.entities(subject, (case,), (ideal,))
    result = cedarpy.is_authorized(req, eng.policies, ents, eng.schema)
    if result.allowed:
        return []
    return [r for r in result.diagnostics.reasons if eng.info.get(r) and eng.info[r].effect == "forbid"] or [
        "default-deny"
    ]


def grant_problems(line: GrantLine, *, parties: Sequence[Organisation]) -> list[str]:
    """What is wrong with one grant of an agreement with these parties."""
    what = f"grant '{line.describe()}'"
    if line.purpose == Purpose.IMMIGRATION_ENFORCEMENT:
        return [f"{what}: the purpose immigration_enforcement is never granted (firewall-purpose)"]
    problems: list[str] = []
    if line.organisation.slug not in {p.slug for p in parties}:
        problems.append(f"{what}: organisation '{line.organisation.slug}' is not a party to this agreement")
    if line.organisation.sector == Sector.IMMIGRATION_ENFORCEMENT:
        # Reported as a party problem when it is a party; the engine's answer would repeat it.
        return problems or [f"{what}: organisation '{line.organisation.slug}' is immigration enforcement"]
    info = engine.get_engine().info
    for rule in _firewall_refusals(line):
        text = info[rule].description if rule in info else "no policy would ever permit it"
        problems.append(f"{what} contradicts the firewall rule '{rule}': {text}")
    return problems


def duplicate_problems(grants: Sequence[GrantLine]) -> list[str]:
    seen: set[tuple[str, str, str, str, str]] = set()
    problems: list[str] = []
    for line in grants:
        if line.key() in seen:
            problems.append(f"grant '{line.describe()}' is listed twice")
        seen.add(line.key())
    return problems


def agreement_problems(
    *,
    parties: Sequence[Organisation] | None,
    grants: Sequence[GrantLine],
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
) -> list[str]:
    """Every problem of an agreement; ``parties=None`` when they are not known yet (skips those checks)."""
    problems = validity_problems(valid_from, valid_until)
    if parties is not None:
        problems += party_problems(parties)
    problems += duplicate_problems(grants)
    for line in dict.fromkeys(grants):
        problems += grant_problems(line, parties=parties if parties is not None else [line.organisation])
    return problems
