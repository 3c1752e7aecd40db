"""Fetch-and-authorise: the only way views, API handlers and jobs obtain child data.

Every access declares a purpose. ``access_case`` asks the policy service (Cedar) about every
data category of the case, writes the decision to the audit log — allow and deny — and returns
a ``CaseAccess`` that says which categories may be shown; the rest is redacted with a visible
marker, never silently dropped. A case of which nothing may be seen raises ``NotFound``: "not
found" and "not allowed" look the same from outside. If the audit entry cannot be written the
access is refused (``AuditUnavailable`` propagates).

``cases_visible_to`` narrows a list to the cases the policies would open for the purpose (one
decision per organisation, not per row), and ``decide_page`` decides and audits the rows shown.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.errors import NotFound
from waymark.policy import service as policy
from waymark.policy.breakglass import live_break_glass
from waymark.policy.contexts import fits, shared_with
from waymark.policy.models import Agreement
from waymark.policy.purpose import parse_purpose
from waymark.vocab import (
    SPECIAL_CATEGORIES,
    AgreementStatus,
    AuditDecision,
    AuditKind,
    CaseStatus,
    DataCategory,
    PolicyAction,
)

from .models import Case

ALL_CATEGORIES: tuple[str, ...] = tuple(DataCategory.values)
# What a row of a case list shows: names and birth date (identity), nationality (legal status).
LIST_CATEGORIES: tuple[str, ...] = (DataCategory.IDENTITY, DataCategory.LEGAL_STATUS)
# Policy ids that no break-glass can ever lift.
FIREWALL_POLICIES = frozenset({"firewall-purpose", "firewall-sector"})


@dataclass
class CaseAccess:
    """A case together with what this user may do with each of its data categories.

    ``can_update`` (what the page may offer to edit) is decided only when asked for: an API
    read never pays for it.
    """

    case: Case
    purpose: str
    decisions: Mapping[str, policy.Decision]
    break_glass: bool = False
    user: User | None = None
    _can_update: frozenset[str] | None = field(default=None, repr=False)

    @property
    def can_update(self) -> frozenset[str]:
        if self._can_update is None:
            if self.user is None:
                self._can_update = frozenset()
            else:
                decided = policy.authorize(
                    self.user,
                    self.case,
                    purpose=self.purpose,
                    categories=ALL_CATEGORIES,
                    action=PolicyAction.UPDATE,
                )
                self._can_update = frozenset(c for c, d in decided.items() if d.allowed)
        return self._can_update

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(c for c, d in self.decisions.items() if d.allowed)

    @property
    def shown(self) -> dict[str, bool]:
        """``{category: may be shown}`` for templates: ``access.shown.health``."""
        return {c: d.allowed for c, d in self.decisions.items()}

    @property
    def editable(self) -> dict[str, bool]:
        return {c: c in self.can_update for c in ALL_CATEGORIES}

    def can(self, category: str) -> bool:
        decision = self.decisions.get(str(category))
        return bool(decision and decision.allowed)

    def withheld_note(self, category: str) -> str:
        """Why a category is not shown, in words a caseworker understands."""
        return withheld_note(self.decisions.get(str(category)), self.decisions.values())


def withheld_note(decision: policy.Decision | None, others: Iterable[policy.Decision] = ()) -> str:
    """ "not shared with you under agreement X" when an agreement opened other categories."""
    if decision is None:
        return gettext("not shown on this page")
    if FIREWALL_POLICIES & set(decision.reasons):
        return gettext("never shared for immigration enforcement")
    agreements = sorted({d.agreement_id for d in others if d.allowed and d.agreement_id})
    if agreements:
        return gettext("not shared with you under agreement %(agreement)s") % {
            "agreement": ", ".join(agreements)
        }
    return gettext("not shared with you for this purpose")


# ---------------------------------------------------------------------------------------------
# Audit


def _audit_rows(
    user: User, case: Case | None, purpose: str, decisions: Mapping[str, policy.Decision], action: str
) -> list[dict[str, object]]:
    """One entry for what was allowed, one for what was refused (if anything)."""
    rows: list[dict[str, object]] = []
    allowed = [d for d in decisions.values() if d.allowed]
    denied = [d for d in decisions.values() if not d.allowed]
    for group, verdict in ((allowed, AuditDecision.ALLOW), (denied, AuditDecision.DENY)):
        if not group:
            continue
        rows.append(
            {
                "actor": user,
                "purpose": purpose,
                "decision": verdict,
                "reasons": sorted({r for d in group for r in d.reasons}),
                "agreement": next((d.agreement_id for d in group if d.agreement_id), "") or "",
                "subject": case.audit_subject if case is not None else None,
                "categories": [d.category for d in group],
                "details": {"action": action},
            }
        )
    return rows


def _audit(
    user: User, case: Case | None, purpose: str, decisions: Mapping[str, policy.Decision], action: str
) -> None:
    audit.record_many(AuditKind.ACCESS_DECISION, _audit_rows(user, case, purpose, decisions, action))


# ---------------------------------------------------------------------------------------------
# One case


def _fetch(public_id: uuid.UUID | str) -> Case:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    case = (
        Case.objects.select_related("child", "organisation", "caseworker", "guardian")
        .filter(public_id=pid)
        .first()
    )
    if case is None:
        raise NotFound
    return case


def access_case(
    user: User,
    public_id: uuid.UUID | str,
    purpose: str,
    *,
    action: str = PolicyAction.READ,
    categories: Iterable[str] | None = None,
) -> CaseAccess:
    """The case and the categories this user may ``action`` for ``purpose``; audited.

    For ``read`` (the default) every category is decided and the case is returned when at least
    one is allowed. For ``update``, ``categories`` names what the caller will write and *all* of
    them must be allowed (and the case readable), or ``NotFound``: nothing is half-applied.
    """
    purpose = str(parse_purpose(purpose))
    case = _fetch(public_id)
    read = policy.authorize(user, case, purpose=purpose, categories=ALL_CATEGORIES)
    read, glass = _with_break_glass(user, case, read)
    # The audit rows commit whatever the outcome: a refusal is recorded, then raised.
    if action == PolicyAction.READ:
        _audit(user, case, purpose, read, PolicyAction.READ)
        if not any(d.allowed for d in read.values()):
            raise NotFound
        return CaseAccess(case, purpose, read, glass, user=user)
    wanted = list(dict.fromkeys(str(c) for c in categories or ()))
    if not wanted:
        raise ValueError("an update must name the categories it writes")
    writes = policy.authorize(user, case, purpose=purpose, categories=wanted, action=PolicyAction.UPDATE)
    _audit(user, case, purpose, writes, PolicyAction.UPDATE)
    if not any(d.allowed for d in read.values()) or not all(d.allowed for d in writes.values()):
        raise NotFound
    return CaseAccess(case, purpose, read, glass, user=user, _can_update=frozenset(wanted))


def _with_break_glass(
    user: User, case: Case, decisions: dict[str, policy.Decision]
) -> tuple[dict[str, policy.Decision], bool]:
    """Open what deny-by-default closed while the user holds a live break-glass on this case.

    Never lifts a ``forbid`` (the firewall and fixed role limits): only categories refused for
    want of a permit, for the purpose the break-glass was opened for; the special categories only
    once it is confirmed.
    """
    if not any(not d.allowed and d.reasons == [policy.DEFAULT_DENY] for d in decisions.values()):
        return decisions, False  # nothing a break-glass could open: spare the query
    purpose = next(iter(decisions.values())).purpose
    glass = live_break_glass(user, case, purpose)
    if glass is None:
        return decisions, False
    # Until someone confirms it, the special categories stay closed.
    closed = frozenset() if glass.confirmed_at is not None else SPECIAL_CATEGORIES
    opened: dict[str, policy.Decision] = {}
    for category, d in decisions.items():
        if not d.allowed and d.reasons == [policy.DEFAULT_DENY] and category not in closed:
            opened[category] = policy.Decision(
                True, category, d.purpose, d.action, [f"break-glass:{glass.pk}"], agreement_id=None
            )
        else:
            opened[category] = d
    return opened, True


# ---------------------------------------------------------------------------------------------
# Lists


def probe(org: Organisation, *, guardian: User | None = None) -> Case:
    """An unsaved case of ``org`` to ask the policies about "a case of this organisation"."""
    probe = Case(organisation=org, guardian=guardian)
    probe.pk = -1
    return probe


def partner_organisations(
    user: User, org: Organisation, purpose: str, now: dt.datetime, **grant: str
) -> QuerySet[Organisation]:
    """The other parties of the agreements in force for ``org`` that grant ``user``'s role
    something for ``purpose`` (narrowed by ``grant``: ``category=``, ``action=``)."""
    agreement_ids = Agreement.objects.filter(
        status=AgreementStatus.ACTIVE,
        valid_from__lte=now,
        valid_until__gt=now,
        parties=org,
        grants__organisation=org,
        grants__role=user.role,
        grants__purpose=purpose,
        **{f"grants__{k}": v for k, v in grant.items()},
    ).values("pk")
    # A separate query for the parties: reusing the filter's join would return only ``org``.
    return Organisation.objects.filter(agreements__in=agreement_ids).exclude(pk=org.pk).distinct()


def cases_visible_to(user: User, purpose: str, category: str = DataCategory.IDENTITY) -> QuerySet[Case]:
    """Cases this user may list for ``purpose``: those whose identity (or ``category``) the
    policies would open. ``Case.objects.none()`` when they would open it on no case.

    The policies decide on the case's organisation, guardian, status and the contexts it shares,
    so one decision per organisation (own; each agreement partner, for "a child of theirs we
    share a context about"), and one for "my wards", decide the whole list. Another
    organisation's children are listed only where a context about that child is open with the
    user's organisation for this purpose (need to know), and for locate_missing_child only while
    missing: partners cannot browse each other's caseloads. ``decide_page`` decides every row
    shown again. ``cases_visible_for`` answers several purposes or categories at once.
    """
    purpose = str(parse_purpose(purpose))
    return cases_visible_for(user, [(purpose, category)])[(purpose, str(category))]


def _partners_for(
    user: User, org: Organisation, wanted: Sequence[tuple[str, str]], now: dt.datetime
) -> tuple[list[Organisation], dict[tuple[str, str], list[Organisation]]]:
    """``partner_organisations(user, org, purpose, now, category=, action=read)`` for every
    (purpose, category) of ``wanted``, from the registry's agreements as the policy service holds
    them (``policy.registry_agreements``: the facts Cedar decides on, re-read whenever the
    registry changes) and, if there are any partners, their rows in one query. Returns every
    partner found (in ``Organisation``'s order) and the partners of each pair."""
    asked = set(wanted)
    via: dict[tuple[str, str], set[str]] = {}
    parties: dict[str, frozenset[str]] = {}
    for agreement in policy.registry_agreements():
        if (
            agreement.status != AgreementStatus.ACTIVE
            or not agreement.valid_from <= now < agreement.valid_until
            or org.slug not in agreement.parties
        ):
            continue
        for grant in agreement.grants:
            pair = (grant.purpose, grant.category)
            if (
                grant.org == org.slug
                and grant.role == user.role
                and grant.action == PolicyAction.READ
                and pair in asked
            ):
                via.setdefault(pair, set()).add(agreement.identifier)
                parties[agreement.identifier] = agreement.parties
    slugs = {slug for ids in via.values() for i in ids for slug in parties[i]} - {org.slug}
    if not slugs:
        return [], {pair: [] for pair in wanted}
    order = list(Organisation.objects.filter(slug__in=slugs).order_by("country", "name", "pk"))
    return order, {
        pair: [o for o in order if any(o.slug in parties[i] for i in via.get(pair, ()))] for pair in wanted
    }


def cases_visible_for(user: User, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], QuerySet[Case]]:
    """``cases_visible_to(user, purpose, category)`` for every (purpose, category) of ``wanted``:
    the agreement partners of all of them from the registry facts at once, and one policy batch
    per purpose (a page that needs the cases visible under several purposes, or several
    categories, asks once)."""
    pairs = list(dict.fromkeys((str(parse_purpose(p)), str(c)) for p, c in wanted))
    org = user.organisation
    if not user.is_authenticated or not user.is_active or org is None:
        return {pair: Case.objects.none() for pair in pairs}
    now = timezone.now()
    if not pairs:
        return {}
    order, partners = _partners_for(user, org, pairs, now)
    out: dict[tuple[str, str], QuerySet[Case]] = {}
    for purpose in dict.fromkeys(p for p, _c in pairs):
        categories = [c for p, c in pairs if p == purpose]
        # Every partner of any of this purpose's categories is asked about all of them (a decision
        # about one case is the same whatever else is in the batch); each category then reads the
        # answers for its own partners only.
        # (In the order the query returned them, as ``partner_organisations`` lists them.)
        union = {o.pk: o for c in categories for o in partners[(purpose, c)]}
        orgs = [org, *(o for o in order if o.pk in union)]
        probes = [probe(o) for o in orgs] + [probe(org, guardian=user)]
        shared: dict[int, frozenset[tuple[str, str]]] = {}
        for i, p in enumerate(probes):
            p.pk = -(i + 1)
            if p.organisation_id != org.pk:
                # The most a partner's child can be: shared with us for this purpose, and missing.
                p.status = CaseStatus.MISSING
                shared[p.pk] = frozenset({(org.slug, purpose)})
        decided = policy.authorize_cases(
            user, probes, purpose=purpose, categories=categories, now=now, shared=shared
        )
        for category in categories:
            mine = {org.pk, *(o.pk for o in partners[(purpose, category)])}
            opened = [
                p.organisation_id
                for p in probes[:-1]
                if p.organisation_id in mine and decided[p.pk][category].allowed
            ]
            wards = decided[probes[-1].pk][category].allowed
            out[(purpose, category)] = _visible_cases(org, purpose, opened, wards=wards, user=user)
    return out


def _visible_cases(
    org: Organisation, purpose: str, opened: list[int], *, wards: bool, user: User
) -> QuerySet[Case]:
    if not opened and not wards:
        return Case.objects.none()
    cond = Q(pk__in=[])
    if org.pk in opened:
        cond |= Q(organisation_id=org.pk)
    partner_orgs = [pk for pk in opened if pk != org.pk]
    if partner_orgs:
        need_to_know = Q(organisation_id__in=partner_orgs) & Q(
            pk__in=shared_with(org.slug, purpose).values("case_id")
        )
        if not fits(purpose, CaseStatus.OPEN):
            need_to_know &= Q(status=CaseStatus.MISSING)
        cond |= need_to_know
    if wards:
        cond |= Q(guardian_id=user.pk)
    return Case.objects.filter(cond)


# What the registration form and ``registerChild`` write besides the name: nationality and
# identifiers (legal status), travelling alone or separated (family). A role that may register
# only the name a caller gives (a hotline, ``own-org-hotline-register``) does so from the call.
REGISTER_CATEGORIES: tuple[str, ...] = (DataCategory.IDENTITY, DataCategory.LEGAL_STATUS, DataCategory.FAMILY)


def check_may_register(
    user: User, purpose: str, categories: Sequence[str] = (DataCategory.IDENTITY,)
) -> bool:
    """May this user register a child in their own organisation for ``purpose``, writing every one
    of ``categories``? Audited."""
    purpose = str(parse_purpose(purpose))
    org = user.organisation
    if org is None:
        return False
    new_case = probe(org)
    decided = policy.authorize(
        user, new_case, purpose=purpose, categories=list(categories), action=PolicyAction.UPDATE
    )
    _audit(user, None, purpose, decided, PolicyAction.UPDATE)
    return all(d.allowed for d in decided.values())


@dataclass
class PageAccess:
    """Decisions for the rows of one list page: ``page.shown(case, category)``."""

    purpose: str
    by_case: dict[int, dict[str, policy.Decision]]

    def shown(self, case: Case, category: str) -> bool:
        d = self.by_case.get(case.pk, {}).get(str(category))
        return bool(d and d.allowed)


def decide_page(
    user: User, cases: Sequence[Case], purpose: str, categories: Sequence[str] = LIST_CATEGORIES
) -> PageAccess:
    """Decide (in one batch) and audit what a list page shows of each of its cases."""
    purpose = str(parse_purpose(purpose))
    cases = list(cases)
    by_case = policy.authorize_cases(user, cases, purpose=purpose, categories=categories) if cases else {}
    # One append for the whole page: every child on it gets its own entry, under one lock.
    rows = [
        row for case in cases for row in _audit_rows(user, case, purpose, by_case[case.pk], PolicyAction.READ)
    ]
    audit.record_many(AuditKind.ACCESS_DECISION, rows)
    return PageAccess(purpose, by_case)


def without_guardian(user: User, purpose: str, *, limit: int = 20) -> list[Case]:
    """Unaccompanied children still without a guardian, oldest first, among the open cases this
    user may see: the supervisors' list of appointments to make (their clocks: ``guardian_clock``;
    the escalated ones are marked ``guardian_escalated_at``). Whether a child is unaccompanied is
    family data and the guardian is guardian data, so both must be seen. Decide the page after."""
    purpose = str(parse_purpose(purpose))
    needed = [DataCategory.IDENTITY, DataCategory.GUARDIAN, DataCategory.FAMILY]
    visible = cases_visible_for(user, [(purpose, c) for c in needed])  # one read of the agreements
    listed, guardian, family = (visible[(purpose, str(c))] for c in needed)
    seen = guardian.filter(pk__in=family.values("pk"))
    return list(
        listed.filter(pk__in=seen.values("pk"), unaccompanied=True, guardian__isnull=True)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.TRANSFERRED])
        .select_related("child", "organisation")
        .order_by("opened_at", "id")[:limit]
    )
