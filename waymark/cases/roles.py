"""What a role can use, asked of the policies: the purposes to offer, the menu, the hidden counts.

Nothing here is a rule of its own. ``capabilities`` asks the policy service about *probes* —
unsaved cases standing for "a case of my organisation" and "a case I am guardian of" — and reads
the agreements in force for "a partner's case we share a context about", so a change to a Cedar
policy or an agreement changes the menu with it. A probe names no child, so these questions are
not audited (the decisions about real cases still are, where they are made). The answer is kept
in the session for a few minutes: it changes only when an agreement or the user's role does.

``hidden_elsewhere`` counts, for the page's "N cases are not shown for this purpose — switch
to …", only cases the user could open under one of *their* other purposes: it never tells anyone
about a child they may not know about.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from waymark.accounts.models import User
from waymark.policy import service as policy
from waymark.policy.purpose import parse_purpose
from waymark.vocab import CaseStatus, DataCategory, PolicyAction, Purpose, Role

from .access import REGISTER_CATEGORIES, cases_visible_for, cases_visible_to, partner_organisations, probe
from .models import Case

_SESSION_KEY = "waymark.capabilities"
_TTL_SECONDS = 300
# Purposes in the order the purpose page lists them; immigration enforcement is always listed
# last, so that choosing it is refused visibly and audited (views.purpose_choose).
_ORDER = [p for p in Purpose if p != Purpose.IMMIGRATION_ENFORCEMENT]
# Roles whose home shows a caseload (their own and their team's cases).
CASELOAD_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
# Roles that take reports of missing children: their home is the open disappearances.
MISSING_ROLES = frozenset({Role.HOTLINE_OPERATOR, Role.POLICE_OFFICER})
# Roles that record 116 000 calls (waymark.hotline; "Record a call" in includes/nav.html).
CALL_ROLES = frozenset({Role.HOTLINE_OPERATOR})
# Roles that hold no caseload of their own but read the cases open to them (Dublin units).
READER_ROLES = frozenset({Role.DUBLIN_OFFICER})


@dataclass(frozen=True)
class Capabilities:
    """What the policies would open to this user, by purpose (no child named)."""

    purposes: tuple[str, ...]  # purposes under which some case could be opened to them
    register: tuple[str, ...]  # purposes under which they may register a child in their organisation

    def offers(self, purpose: str | None) -> bool:
        return purpose in self.purposes

    def may_register(self, purpose: str | None) -> bool:
        return purpose in self.register


def _decide(user: User) -> Capabilities:
    org = user.organisation
    if org is None or not user.is_active:
        return Capabilities((), ())
    own, ward = probe(org), probe(org, guardian=user)
    own.pk, ward.pk = -1, -2
    now = timezone.now()
    purposes: list[str] = []
    register: list[str] = []
    for purpose in _ORDER:
        # A partner's child opens only through a context shared for this purpose (and, to locate
        # a child, while missing): the probes are the most a partner's case can be.
        probes = [own, ward]
        shared: dict[int, frozenset[tuple[str, str]]] = {}
        for i, partner in enumerate(partner_organisations(user, org, purpose, now, action=PolicyAction.READ)):
            p = probe(partner)
            p.pk, p.status = -(i + 3), CaseStatus.MISSING
            shared[p.pk] = frozenset({(org.slug, purpose)})
            probes.append(p)
        # Identity, as ``cases_visible_to`` lists by it: a purpose that opens no child's identity
        # lists no case (and every policy that opens a case opens its identity).
        decided = policy.authorize_cases(
            user, probes, purpose=purpose, categories=[DataCategory.IDENTITY], now=now, shared=shared
        )
        if any(d.allowed for by_case in decided.values() for d in by_case.values()):
            purposes.append(purpose)
        # "New child" opens the registration form: every category it writes (REGISTER_CATEGORIES).
        writes = policy.authorize(
            user,
            own,
            purpose=purpose,
            categories=list(REGISTER_CATEGORIES),
            action=PolicyAction.UPDATE,
            now=now,
        )
        if all(d.allowed for d in writes.values()):
            register.append(purpose)
    return Capabilities(tuple(purposes), tuple(register))


def capabilities(request: HttpRequest) -> Capabilities:
    """``_decide`` for the signed-in user, kept in the session for ``_TTL_SECONDS``."""
    user = request.user
    if not isinstance(user, User):
        return Capabilities((), ())
    key = [user.pk, user.role, user.organisation_id]
    kept = request.session.get(_SESSION_KEY)
    now = time.time()
    if kept and kept["key"] == key and 0 <= now - kept["at"] < _TTL_SECONDS:
        return Capabilities(tuple(kept["purposes"]), tuple(kept["register"]))
    caps = _decide(user)
    request.session[_SESSION_KEY] = {
        "key": key,
        "at": now,
        "purposes": list(caps.purposes),
        "register": list(caps.register),
    }
    return caps


def offered_purposes(caps: Capabilities) -> list[Purpose]:
    """What the purpose page lists: the role's purposes, then immigration enforcement (refused)."""
    return [*(Purpose(p) for p in caps.purposes), Purpose.IMMIGRATION_ENFORCEMENT]


@dataclass(frozen=True)
class Elsewhere:
    purpose: Purpose
    count: int


def hidden_elsewhere(
    user: User, caps: Capabilities, purpose: str, here: QuerySet[Case] | None = None
) -> list[Elsewhere]:
    """For each other purpose of this user: how many cases it would show that ``purpose`` does not.

    Counted only over ``cases_visible_to`` the user under that other purpose, so nothing is said
    about a child they could not open anyway. ``here``: ``cases_visible_to(user, purpose)`` when
    the caller has it already (a page asks the policies once per purpose)."""
    others = [p for p in caps.purposes if p != purpose]
    if not others:
        return []
    if purpose not in caps.purposes:
        here = None  # nothing is shown here to leave out of the counts
    wanted = [(other, DataCategory.IDENTITY) for other in others]
    if here is None and purpose in caps.purposes:
        wanted.append((purpose, DataCategory.IDENTITY))
    # Every purpose's visible cases from one read of the agreements.
    visible = cases_visible_for(user, wanted)

    def of(p: str) -> QuerySet[Case]:
        return visible[(str(parse_purpose(p)), str(DataCategory.IDENTITY))]

    if purpose in caps.purposes and here is None:
        here = of(purpose)
    here_sql = str(here.query) if here is not None else None
    found: list[Elsewhere] = []
    for other in others:
        there = of(other)
        if here is not None:
            if str(there.query) == here_sql:
                continue  # the same cases (e.g. the whole own caseload under both): nothing hidden
            there = there.exclude(pk__in=here.values("pk"))
        n = there.count()
        if n:
            found.append(Elsewhere(Purpose(other), n))
    return sorted(found, key=lambda e: -e.count)


def where_visible(user: User, caps: Capabilities, purpose: str, case_pk: int) -> list[Purpose]:
    """The user's other purposes under which they could open this case (for a refusal that tells
    them what to do). Empty when they could not open it under any: then nothing may be said."""
    return [
        Purpose(other)
        for other in caps.purposes
        if other != purpose and cases_visible_to(user, other).filter(pk=case_pk).exists()
    ]
