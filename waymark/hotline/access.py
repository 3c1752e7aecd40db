"""Fetch and authorise for hotline intake: who may record a call, what a name looked up shows, and
reading a recorded call — every read decided by the policy for locate_missing_child and audited.

A lookup shows three things and no more: the cases the operator may see (decided and audited per
row), the organisations on this node that hold a possible match the operator may not see (the
discovery rule, ``cases.discovery``: "held by ⟨organisation⟩", never the child), and the open
alerts other countries sent here whose child's name agrees (each alert decided and audited like
the alert page). A call is read by the hotline that took it and by the organisation it was passed
to, decided on its case when it has one, else as data that organisation holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.audit.service import Subject
from waymark.cases.access import PageAccess, cases_visible_to, decide_page, probe
from waymark.cases.discovery import possible_matches
from waymark.cases.models import Case
from waymark.cases.ranked import rank
from waymark.cases.roles import CALL_ROLES
from waymark.core import namematch, names
from waymark.errors import NotFound, Refused
from waymark.exchange.access import decide_threads, threads_of
from waymark.exchange.models import Direction, Thread
from waymark.policy import service as policy
from waymark.vocab import AuditDecision, AuditKind, CaseStatus, DataCategory, Purpose, Sector

from .models import Call

PURPOSE = Purpose.LOCATE_MISSING_CHILD
# How well a name must agree to be offered (the discovery rule's threshold).
MATCH_MIN = 0.75
LOOKUP_LIMIT = 10
ALERT_KIND = "missing_alert"
# What a lookup row shows of a case the operator may see: who, and where last seen.
ROW_CATEGORIES = (DataCategory.IDENTITY, DataCategory.CONTACT_LOCATION)


def is_operator(user: User) -> bool:
    org = user.organisation
    return (
        user.is_active
        and org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and user.role in CALL_ROLES
    )


def check_operator(user: User, purpose: str) -> None:
    """Only a 116 000 operator records calls, and only to locate a missing child (``Refused``)."""
    if not is_operator(user):
        raise Refused("only a 116 000 hotline operator records calls")
    if purpose != PURPOSE:
        raise Refused(
            "hotline calls are recorded for the purpose locate_missing_child", field="Waymark-Purpose"
        )


# --- a lookup -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertMatch:
    """An open alert from another country whose child's name agrees with the caller's."""

    alert: Thread
    child_name: str
    last_seen: str


@dataclass
class Lookup:
    cases: list[Case]
    decisions: PageAccess
    holders: list[Organisation]
    alerts: list[AlertMatch]

    def shown(self, case: Case, category: str) -> bool:
        return self.decisions.shown(case, category)


def _agrees(query: str, name: str) -> bool:
    units = names.query_units(query)
    return bool(units) and namematch.score_name(units, names.name_forms(name)).score >= MATCH_MIN


def _alert_child(alert: Thread) -> tuple[str, str]:
    held: dict[str, Any] = alert.data.doc("alert")
    child = held.get("child") or {}
    name = " ".join(
        p for p in (child.get("given_names"), child.get("family_name"), child.get("name_latin")) if p
    )
    place = (held.get("last_seen_place") or {}).get("description", "")
    return name, place


def open_alerts(user: User) -> QuerySet[Thread]:
    """The alerts other organisations sent this user's organisation that are still open."""
    return (
        threads_of(user)
        .filter(kind=ALERT_KIND, direction=Direction.INCOMING, status="alerted")
        .select_related("case__organisation", "case__child", "local_org")
        .order_by("-created_at")
    )


def matching_alerts(user: User, child_name: str) -> list[AlertMatch]:
    """Open alerts whose child's name agrees with ``child_name``; each alert read is decided and
    audited (its identity must be open to the user, as on the alert page)."""
    rows = list(open_alerts(user)[:200])
    if not rows:
        return []
    decided = decide_threads(user, rows)
    out = []
    for alert in rows:
        d = decided[alert.pk].get(DataCategory.IDENTITY)
        if d is None or not d.allowed:
            continue
        name, place = _alert_child(alert)
        if name and _agrees(child_name, name):
            shows_place = decided[alert.pk].get(DataCategory.CONTACT_LOCATION)
            out.append(AlertMatch(alert, name, place if shows_place and shows_place.allowed else ""))
    return out


def lookup(user: User, purpose: str, child_name: str) -> Lookup:
    """What the operator may do with a call about ``child_name`` (see the module docstring)."""
    visible = cases_visible_to(user, purpose)
    ranked = [
        r.case
        for r in rank(visible.exclude(status=CaseStatus.TRANSFERRED), child_name, limit=LOOKUP_LIMIT)
        if r.evidence.name.score >= MATCH_MIN
    ]
    decisions = decide_page(user, ranked, purpose, ROW_CATEGORIES)
    cases = [c for c in ranked if decisions.shown(c, DataCategory.IDENTITY)]
    holders = [m.holder for m in possible_matches(user, purpose, child_name, visible)]
    return Lookup(cases, decisions, holders, matching_alerts(user, child_name))


# --- a recorded call ------------------------------------------------------------------------------


@dataclass
class CallAccess:
    call: Call
    decisions: dict[str, policy.Decision]

    @property
    def is_holder(self) -> bool:
        """Read by the organisation the call was passed to (not the hotline that took it)."""
        return self.call.passed_to_id is not None and self.call.organisation_id != self._org

    _org: int | None = None


def subject_of(call: Call) -> Subject:
    if call.case is not None:
        return call.case.audit_subject
    return Subject(child_public_id=call.seal_key)


def access_call(user: User, public_id: uuid.UUID | str, purpose: str) -> CallAccess:
    """The call and the policy's decision on reading it (audited); ``NotFound`` for anyone but the
    hotline that took it and the organisation it was passed to — the same as no such call."""
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound from exc
    call = (
        Call.objects.select_related("case__child", "case__organisation", "organisation", "passed_to", "alert")
        .filter(public_id=pid)
        .first()
    )
    org = user.organisation
    if call is None or org is None or org.pk not in (call.organisation_id, call.passed_to_id):
        raise NotFound
    # The hotline that passed a call reads it as its own record even once the holder has added it
    # to a child's case: that says nothing of the child. Otherwise a call on a case is decided on it.
    on_case = call.case is not None and (call.passed_to_id is None or call.passed_to_id == org.pk)
    resource = call.case if on_case and call.case is not None else probe(org)
    decisions = policy.authorize(user, resource, purpose=purpose, categories=Call.CATEGORIES)
    allowed = all(d.allowed for d in decisions.values())
    audit.record(
        AuditKind.ACCESS_DECISION,
        actor=user,
        purpose=purpose,
        decision=AuditDecision.ALLOW if allowed else AuditDecision.DENY,
        reasons=sorted({r for d in decisions.values() for r in d.reasons}),
        agreement=next((d.agreement_id for d in decisions.values() if d.agreement_id), "") or "",
        subject=subject_of(call),
        categories=list(decisions),
        details={"action": "read", "call": str(call.public_id)},
    )
    if not allowed:
        raise NotFound
    return CallAccess(call, decisions, _org=org.pk)
