"""Actions of hotline intake: the only writers of calls. Each ``do_*`` records the call and does
its one outcome in one transaction — added to a case, passed to the organisation holding a
possible match, passed as a sighting in another country's alert, a new case opened — or nothing;
``ActionError`` names the field at fault. Callers fetch and authorise first (``access.py`` and
``cases.access``); what is written here is audited here.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.cases import actions as case_actions
from waymark.cases.access import CaseAccess, access_case, cases_visible_to, check_may_register
from waymark.cases.discovery import held_elsewhere
from waymark.cases.models import Case
from waymark.cases.schemas import CaseIn, ChildIn, RegisterChildIn
from waymark.core.protocol.messages import Confidence
from waymark.errors import ActionError, NotFound, Refused
from waymark.exchange.access import ThreadAccess
from waymark.exchange.models import Thread
from waymark.exchange.registry import ExchangeUnavailable, current_registry
from waymark.exchange.threads import missing_alert as alerts
from waymark.exchange.threads import referral
from waymark.missing import actions as missing_actions
from waymark.missing.models import Disappearance
from waymark.missing.schemas import DisappearanceIn
from waymark.vault import service as vault
from waymark.vocab import (
    AuditKind,
    CallerRelationship,
    CallOutcome,
    CaseStatus,
    DataCategory,
    EventSource,
    EventType,
    PolicyAction,
    Purpose,
    Role,
    Sector,
)

from .access import ALERT_KIND, PURPOSE, subject_of
from .models import Call
from .schemas import CallIn, HandOverIn, NewCaseIn

# What adding a call to a case writes: a timeline entry about where the child is or was seen.
ATTACH_CATEGORIES = (DataCategory.CONTACT_LOCATION,)
_SEALED = ("caller_name", "caller_phone", "child_name", "known", "seen_place")


def _url(call: Call) -> str:
    return reverse("hotline:call", args=[call.public_id])


def _fictional(user: User, case: Case | None) -> bool:
    if case is not None:
        return case.is_fictional
    return bool(user.organisation and user.organisation.is_fictional)


def _new_call(
    user: User,
    data: CallIn,
    outcome: CallOutcome,
    now: dt.datetime,
    *,
    case: Case | None = None,
    passed_to: Organisation | None = None,
    alert: Thread | None = None,
) -> Call:
    """The call row, its free text sealed under the child's key when it lands on a case here, else
    under its own; and the audit entry saying what was done with it."""
    assert user.organisation is not None
    call = Call(
        organisation=user.organisation,
        operator=user,
        received_at=data.received_at or now,
        relationship=data.relationship,
        seen_at=data.seen_at,
        outcome=outcome,
        case=case,
        passed_to=passed_to,
        alert=alert,
        is_fictional=_fictional(user, case),
    )
    call.seal_key = case.child.public_id if case is not None else call.public_id
    for name in _SEALED:
        setattr(call, name, getattr(data, name))
    call.save(force_insert=True)
    audit.record(
        AuditKind.OTHER,
        actor=user,
        purpose=PURPOSE,
        peer_org=passed_to.slug if passed_to else (alert.peer_org if alert else ""),
        subject=subject_of(call),
        details={"action": "hotline_call", "outcome": str(outcome), "call": str(call.public_id)},
    )
    return call


def _timeline(case: Case, call: Call, user: User) -> None:
    """The call on the case's timeline: a sighting when the caller saw the child, else a note; who
    rang is said by relationship only (their name and number stay in the sealed call record)."""
    relationship = CallerRelationship(call.relationship).label
    seen = call.seen_place or call.seen_at is not None
    summary = f"116 000 call ({relationship})"
    if call.seen_place:
        summary += f": seen at {call.seen_place}"
    details = "\n".join(p for p in (call.known, f"Call record: {_url(call)}") if p)
    case_actions.create_event(
        case,
        type=EventType.SIGHTING if seen else EventType.NOTE,
        occurred_at=call.seen_at or call.received_at,
        category=DataCategory.CONTACT_LOCATION,
        summary=summary[:300],
        details=details,
        location=call.seen_place[:200],
        author=user,
        source=EventSource.HOTLINE,
    )


# --- (a) add the call to a case the hotline may see ----------------------------------------------


@transaction.atomic
def do_attach_call(user: User, seen: CaseAccess, data: CallIn, *, now: dt.datetime | None = None) -> Call:
    """Record the call on a case the caller may update (``seen``: ``access_case`` for update of
    ``ATTACH_CATEGORIES``): the call, and a timeline entry on the case."""
    now = now or timezone.now()
    case = seen.case
    if case.status == CaseStatus.TRANSFERRED:
        raise ActionError("this case was transferred: add the call where the child is now", field="case")
    call = _new_call(user, data, CallOutcome.ATTACHED, now, case=case)
    _timeline(case, call, user)
    return call


def check_attach(user: User, case_id: object, purpose: str) -> CaseAccess:
    """The case the call is added to, if the policy lets ``user`` write a timeline entry about
    where the child is (audited); ``ActionError`` on the field ``case`` otherwise — the same for a
    case that does not exist."""
    try:
        return access_case(
            user, str(case_id), purpose, action=PolicyAction.UPDATE, categories=ATTACH_CATEGORIES
        )
    except NotFound as exc:
        raise ActionError("no case you may add a call to", field="case") from exc


# --- (b) pass it to the organisation holding a possible match ------------------------------------


def _people_of(holder: Organisation, cases: list[Case]) -> list[User]:
    """Who hears of a passed call: each matched child's caseworker, else the organisation's
    caseworkers and supervisors."""
    people = {c.caseworker for c in cases if c.caseworker is not None and c.caseworker.is_active}
    if not people:
        people = set(
            User.objects.filter(
                organisation=holder, role__in=[Role.CASEWORKER, Role.SUPERVISOR], is_active=True
            )
        )
    return sorted(people, key=lambda u: u.pk)


@transaction.atomic
def do_pass_call(user: User, data: CallIn, to_org: str, *, now: dt.datetime | None = None) -> Call:
    """Pass the call to ``to_org``, which holds a child whose name agrees and whom the operator may
    not see (the discovery rule, checked again here): its people are notified and may read the
    call; the operator learns nothing more of the child. Audited per child it concerns."""
    now = now or timezone.now()
    if not data.child_name:
        raise ActionError("give the child's name to look for a possible match", field="call.child_name")
    visible = cases_visible_to(user, PURPOSE)
    hits = [
        c for c in held_elsewhere(user, PURPOSE, data.child_name, visible) if c.organisation.slug == to_org
    ]
    if not hits:
        raise ActionError(f"no possible match for this name is held by {to_org}", field="to_org")
    holder = hits[0].organisation
    call = _new_call(user, data, CallOutcome.PASSED, now, passed_to=holder)
    assert user.organisation is not None
    missing_actions.notify(
        _people_of(holder, hits),
        f"A 116 000 call was passed to you by {user.organisation.name}: "
        "it may concern a child your organisation holds",
        _url(call),
    )
    audit.record_many(
        AuditKind.OTHER,
        [
            {
                "actor": user,
                "purpose": PURPOSE,
                "peer_org": holder.slug,
                "subject": case.audit_subject,
                "details": {
                    "action": "hotline_call_passed",
                    "call": str(call.public_id),
                    "holder": holder.slug,
                },
            }
            for case in hits
        ],
    )
    return call


def _reseal(call: Call, case: Case) -> None:
    """Move the call's free text under the child's key (it lands on their case)."""
    values = {name: getattr(call, name) for name in _SEALED}
    old_key = call.seal_key
    call.seal_key = case.child.public_id
    for name, value in values.items():
        setattr(call, name, value)
    if old_key != call.seal_key:
        vault.shred(old_key, actor=None)


@transaction.atomic
def do_take_passed_call(user: User, call: Call, seen: CaseAccess, *, now: dt.datetime | None = None) -> Call:
    """The organisation a call was passed to adds it to its own case (``seen``: access for update
    of ``ATTACH_CATEGORIES``): the call lands on the child's timeline, sealed under their key."""
    call = Call.objects.select_for_update(of=("self",)).get(pk=call.pk)
    case = seen.case
    if call.passed_to_id is None or call.passed_to_id != user.organisation_id:
        raise ActionError("this call was not passed to your organisation", field="case")
    if call.case_id is not None:
        raise ActionError("this call is already on a case", field="case")
    if case.organisation_id != user.organisation_id:
        raise ActionError("add it to a case of your organisation", field="case")
    _reseal(call, case)
    call.case = case
    call.save(update_fields=["case", "seal_key", *(f"{n}_sealed" for n in _SEALED)])
    _timeline(case, call, user)
    audit.record(
        AuditKind.OTHER,
        actor=user,
        purpose=PURPOSE,
        peer_org=call.organisation.slug,
        subject=case.audit_subject,
        details={"action": "hotline_call_taken", "call": str(call.public_id)},
    )
    return call


# --- (b') pass it as a sighting in another country's alert ----------------------------------------


def do_pass_as_sighting(
    user: User, found: ThreadAccess, data: CallIn, *, now: dt.datetime | None = None
) -> Call:
    """The caller saw the child of an alert another country sent here: a sighting goes back in that
    alert (the issuer's case gets it at once) and the call is recorded — all or nothing."""
    now = now or timezone.now()
    alert = found.thread
    if alert.kind != ALERT_KIND or DataCategory.IDENTITY in found.refused:
        raise ActionError("no open alert you may answer", field="alert")
    if not data.seen_place:
        raise ActionError(
            "say where the caller saw the child: a sighting needs a place", field="call.seen_place"
        )
    relationship = CallerRelationship(data.relationship).label
    sighting = alerts.SightingIn(
        seen_at=data.seen_at or data.received_at or now,
        place=data.seen_place[:400],
        confidence=Confidence.MEDIUM,
        description=f"Reported by a 116 000 caller ({relationship}). {data.known}".strip()[:20000],
    )
    with transaction.atomic():
        alerts.do_report_sighting(user, alert, sighting)
        return _new_call(user, data, CallOutcome.SIGHTING_SENT, now, alert=alert)


# --- (c) open a new case -------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return " ".join(parts[:-1]), parts[-1]


def do_open_case(user: User, data: NewCaseIn, *, now: dt.datetime | None = None) -> Call:
    """Register the child in the hotline's own organisation from the call and record the
    disappearance at once (its protocol clocks start): the hotline now holds the case and may hand
    it to another country's hotline. Both writes are decided by the policy first; all or nothing."""
    now = now or timezone.now()
    call = data.call
    if not call.child_name:
        raise ActionError("give the child's name to open a case", field="call.child_name")
    if not check_may_register(user, PURPOSE):
        raise Refused(f"you may not register a child for {Purpose(PURPOSE).label}")
    given, family = _split(call.child_name)
    with transaction.atomic():
        case = case_actions.do_register_child(
            user,
            RegisterChildIn(
                child=ChildIn(given_names=given, family_name=family, sex=data.sex),
                case=CaseIn(),
                confirm_not_duplicate=data.confirm_not_duplicate,
            ),
            fictional=_fictional(user, None),
        )
        try:
            seen = access_case(
                user,
                case.public_id,
                PURPOSE,
                action=PolicyAction.UPDATE,
                categories=Disappearance.REPORT_CATEGORIES,
            )
        except NotFound as exc:
            raise Refused("you may not record this child's disappearance") from exc
        missing_actions.do_report_disappearance(
            user,
            seen.case,
            DisappearanceIn(
                last_seen_at=data.last_seen_at or call.seen_at or call.received_at or now,
                missing_category=data.missing_category,
                last_seen_place=call.seen_place,
                circumstances=call.known,
            ),
            now=now,
        )
        seen.case.refresh_from_db()
        recorded = _new_call(user, call, CallOutcome.NEW_CASE, now, case=seen.case)
        _timeline(seen.case, recorded, user)
    return recorded


# --- hand the case to another country's hotline --------------------------------------------------


def hotlines_abroad(user: User) -> list[tuple[str, str]]:
    """(slug, "name (country)") of the 116 000 hotlines of other countries in the federation
    registry (empty if the exchange is unavailable)."""
    org = user.organisation
    try:
        registry = current_registry()
    except ExchangeUnavailable:
        return []
    return sorted(
        (o.slug, f"{o.name} ({o.country})")
        for o in registry.organisations
        if o.sector == Sector.HOTLINE and org is not None and o.country != org.country
    )


def do_hand_over(user: User, call: Call, data: HandOverIn) -> Thread:
    """Refer the call's case (held by this hotline) to another country's hotline, for
    locate_missing_child, under an agreement that allows it: the referral carries the child's
    identity, whether they travel alone (family) and the reason — this note, else what the caller
    knew (case notes)."""
    case = call.case
    if case is None or case.organisation_id != user.organisation_id:
        raise ActionError("only a call on a case of your hotline can be handed over", field="")
    try:
        registry = current_registry()
    except ExchangeUnavailable as exc:
        raise ActionError(f"the exchange is unavailable: {exc.reason}") from exc
    to = registry.organisation(data.to_org)
    if to is None or to.sector != Sector.HOTLINE:
        raise ActionError(
            "hand the case to a 116 000 hotline (the case's exchange page reaches others)", field="to_org"
        )
    if user.organisation is not None and to.country == user.organisation.country:
        raise ActionError("a hand-over goes to the hotline of another country", field="to_org")
    reason = data.note or f"116 000 call: {call.known}".strip()
    thread = referral.do_offer_referral(
        user,
        case,
        referral.ReferralIn(
            to_org=data.to_org,
            purpose=Purpose.LOCATE_MISSING_CHILD,
            agreement_id=data.agreement_id,
            reason=reason[:20000],
            include=[DataCategory.FAMILY, DataCategory.CASE_NOTES],
        ),
    )
    return thread
