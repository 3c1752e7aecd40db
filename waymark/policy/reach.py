"""What a role can ever reach, derived from the Cedar policies (not from a list kept by hand).

Two things depend on it:

- **Who must have a second factor** in production (``roles_requiring_second_factor``): every role
  the policies let read a special category (health, psychosocial, trafficking indicators,
  disclosure, case notes) in some circumstance, every role that can open or confirm break-glass,
  and the two administrative roles (the DPO reads the audit log and access reports of every
  child; the node administrator edits agreements and users).
- **Which purposes an API token may declare by default** (``purposes_for_role``): the purposes
  under which the policies could let the role read or record anything.

"In some circumstance" means any of the three ways the policies open a case (docs/firewall.md):
a case of the user's own organisation, the user's ward as guardian, or a grant in an agreement
between two organisations. For the last, the question is whether an agreement *could* grant it —
the same "ideal agreement" and most favourable case (the child missing, a need-to-know context
shared for the purpose) the registry validator uses (validation.py): if no ``forbid`` rule
refuses it, a node administrator may write that grant tomorrow, and the role's second factor must
not wait for that day. The answer is computed by the engine once per process (a few hundred
evaluations in batches, about 0.1 s per role) and cached per role; it changes only when the
policy files do.
"""

from __future__ import annotations

import datetime as dt
import functools

from waymark.vocab import (
    SPECIAL_CATEGORIES,
    AgreementStatus,
    DataCategory,
    PolicyAction,
    Purpose,
    Role,
    Sector,
)

from . import breakglass, service
from .facts import AgreementFacts, GrantFacts, Resource, Subject

# Administrative roles: they see no child's case data, but the DPO reads every child's audit
# trail and access report, and the node administrator decides what every organisation may see.
ADMINISTRATIVE_ROLES = frozenset({Role.DPO, Role.NODE_ADMIN})

_OWN = "reach-own-organisation"
_OTHER = "reach-other-organisation"
_AGREEMENT = "reach-ideal-agreement"
_NOW = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_CATEGORIES = tuple(DataCategory)
_ACTIONS = tuple(PolicyAction)


def _subject(role: Role) -> Subject:
    return Subject(f"reach-{role.value}", _OWN, Sector.CHILD_PROTECTION, "ZZ", role.value)


def _situations(role: Role) -> list[tuple[Resource, tuple[AgreementFacts, ...]]]:
    """The case as the user's own organisation's, as their ward's, and under an ideal agreement."""
    subject = _subject(role)
    ideal = AgreementFacts(
        identifier=_AGREEMENT,
        status=AgreementStatus.ACTIVE,
        valid_from=_NOW - dt.timedelta(days=1),
        valid_until=_NOW + dt.timedelta(days=1),
        parties=frozenset({_OWN, _OTHER}),
        grants=frozenset(
            GrantFacts(_OWN, role.value, c.value, p.value, a.value)
            for c in _CATEGORIES
            for p in Purpose
            if p != Purpose.IMMIGRATION_ENFORCEMENT
            for a in _ACTIONS
        ),
    )
    # The most favourable case, as the registry validator takes it: the child is missing (so every
    # purpose fits), and shares a need-to-know context with the user's organisation for every purpose.
    shared = frozenset((_OWN, p.value) for p in Purpose)
    return [
        (Resource("reach-own-case", _OWN, Sector.CHILD_PROTECTION, "ZZ", missing=True), ()),
        (
            Resource("reach-ward", _OTHER, Sector.CHILD_PROTECTION, "ZZ", guardian=subject.uid, missing=True),
            (),
        ),
        (
            Resource(
                "reach-partner-case", _OTHER, Sector.CHILD_PROTECTION, "ZZ", missing=True, shared=shared
            ),
            (ideal,),
        ),
    ]


@functools.cache
def _reach(role: Role) -> frozenset[tuple[str, str, str]]:
    """Every (purpose, category, action) the policies could allow this role, in some situation."""
    subject = _subject(role)
    out: set[tuple[str, str, str]] = set()
    for resource, agreements in _situations(role):
        for purpose in Purpose:
            for action in _ACTIONS:
                [decisions] = service.evaluate(
                    subject,
                    [resource],
                    agreements,
                    purpose=purpose.value,
                    categories=[c.value for c in _CATEGORIES],
                    action=action.value,
                    now=_NOW,
                )
                out.update((purpose.value, c, action.value) for c, d in decisions.items() if d.allowed)
    return frozenset(out)


def purposes_for_role(role: Role | str) -> frozenset[Purpose]:
    """The purposes under which the policies could let this role read or record anything."""
    return frozenset(Purpose(p) for p, _c, _a in _reach(Role(role)))


def roles_reading_special_categories() -> frozenset[Role]:
    return frozenset(
        role
        for role in Role
        if any(c in SPECIAL_CATEGORIES and a == PolicyAction.READ for _p, c, a in _reach(role))
    )


def roles_opening_break_glass() -> frozenset[Role]:
    """Who may open emergency access, and who confirms it (and so keeps it open)."""
    return frozenset(Role(r) for r in breakglass.OPENER_ROLES | breakglass.CONFIRMER_ROLES)


def roles_requiring_second_factor() -> frozenset[Role]:
    """The roles that cannot use Waymark without a second factor when it is enforced."""
    return frozenset(role for role in Role if role_requires_second_factor(role))


@functools.cache
def role_requires_second_factor(role: str) -> bool:
    """One role's answer, computed on its own (a login needs one role, not all eight)."""
    try:
        known = Role(role)
    except ValueError:
        return False  # no role (or an unknown one): the policies open nothing to it
    if known in ADMINISTRATIVE_ROLES or known in roles_opening_break_glass():
        return True
    return any(c in SPECIAL_CATEGORIES and a == PolicyAction.READ for _p, c, a in _reach(known))
