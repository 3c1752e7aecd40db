"""Missing-child alerts: the owner of a missing child's case alerts organisations along the route
(``core.protocol.threads.MISSING_ALERT``), one conversation per recipient.

The alert carries only what the agreement grants for locate_missing_child (``plumbing.prepare``
refuses before anything is sealed otherwise): identity always, the last-seen context, the
missing category and risk, and — if asked for and granted — a physical description and the
photo. Each recipient node acknowledges on receipt with its signed receipt (the machine's part,
shown per recipient from the outbox); a person there marks it seen (``missing_alert_seen``, the
human part, on the ``alert_seen`` clock). Recipients report sightings and a found report in the
same conversation; they land on the owner's timeline at once. The owner updates, withdraws, or —
the child found — closes the disappearance and sends ``case_closed`` to every recipient, which
shreds what it held of the child (the thread's sealed data and its own key) and keeps the
thread's bare row (who, when, states) as the exchange's evidence.

A recipient holds no case for the child: it holds the alert thread, its child data sealed under
the thread's own key, shown on the alert page through the policy for locate_missing_child
(``exchange/access.py``) and listed on its exchange dashboard while the alert is open.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field, StringConstraints

from waymark.accounts.models import User
from waymark.cases.access import access_case
from waymark.cases.models import Case, Event
from waymark.cases.photos import PhotoUnavailable, read_photo
from waymark.cases.schemas import DateTime, in_utc
from waymark.core.clocks import ALERT_SEEN
from waymark.core.codes import is_country
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import CloseReason, Confidence, MessageType, WithdrawReason, body_json
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import MISSING_ALERT, Outcome, Received
from waymark.errors import ActionError, NotFound
from waymark.missing.acknowledgements import Acknowledgement
from waymark.missing.actions import do_close_disappearance
from waymark.missing.models import Disappearance
from waymark.vault import service as vault
from waymark.vocab import (
    CaseStatus,
    ContextSource,
    DataCategory,
    DisappearanceOutcome,
    EventSource,
    EventType,
    PolicyAction,
    Purpose,
    RiskLevel,
)

from .. import plumbing as p
from ..labels import choices
from ..models import AlertNotice, Direction, OutboxMessage, Thread
from ..node import LocalNode
from ..payloads import child_summary
from ..schemas import In, OrgSlug, Short, Text, ToPeer, not_blank
from ..timeline import add_event, add_thread_event
from . import register
from .base import Action, Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "alert"
# The human acknowledgement: a person at the recipient marks the alert seen within an hour for a
# child at high risk, four hours otherwise (docs/clocks.md).
SEEN = ALERT_SEEN
SEEN_HIGH_RISK = dt.timedelta(hours=1)
# What an alert may carry besides identity, the missing category and risk (always sent).
ALERT_OPTIONAL = (
    DataCategory.CONTACT_LOCATION,
    DataCategory.PHYSICAL_DESCRIPTION,
    DataCategory.PHOTO,
    DataCategory.LEGAL_STATUS,
)
OPEN = frozenset({"alerted", "found"})


def seen_due(risk_level: str, start: dt.datetime) -> dt.datetime:
    within = SEEN_HIGH_RISK if risk_level == RiskLevel.HIGH else None
    return SEEN.start(start, within=within).due_at


# --- the last-seen context ---------------------------------------------------------------------


@dataclass(frozen=True)
class LastSeen:
    at: dt.datetime | None
    place: str
    summary: str


# What of a disappearance or sighting entry travels as its summary (never a special category).
_SUMMARY_CATEGORIES = frozenset({DataCategory.CONTACT_LOCATION, DataCategory.CASE_NOTES})


def last_seen(case: Case) -> LastSeen:
    """When and where the child was last seen, from the case's latest disappearance or sighting
    entry. The one place the alert learns it: point it at the missing app's record when there is one."""
    event = (
        Event.objects.filter(case=case, type__in=[EventType.DISAPPEARANCE, EventType.SIGHTING])
        .select_related("case__child")
        .order_by("-occurred_at", "-id")
        .first()
    )
    if event is None:
        return LastSeen(None, "", "")
    summary = event.summary_text if event.category in _SUMMARY_CATEGORIES else ""
    return LastSeen(event.occurred_at, event.location, summary[:1000])


# --- input -------------------------------------------------------------------------------------


def _country(v: str) -> str:
    if v and not is_country(v):
        raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
    return v


class AlertFields(In):
    """What the sender adds to the case's data: what is not in the record."""

    include: list[DataCategory] = Field(
        default_factory=lambda: [DataCategory.CONTACT_LOCATION, DataCategory.PHYSICAL_DESCRIPTION]
    )
    physical_description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    circumstances: Text = ""
    # Who to call: the issuing organisation's duty line.
    contact_point: Short = ""


class AlertIn(AlertFields, ToPeer):
    """Alert one organisation (the case's exchange page)."""

    purpose: Purpose = Purpose.LOCATE_MISSING_CHILD


class AlertsIn(AlertFields):
    """Alert several organisations at once (the API): all or nothing."""

    to_orgs: list[OrgSlug] = Field(min_length=1, max_length=50)
    purpose: Purpose = Purpose.LOCATE_MISSING_CHILD


class SeenIn(In):
    pass


Country = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2})?$"), AfterValidator(_country)]


class SightingIn(In):
    seen_at: Annotated[dt.datetime, AfterValidator(in_utc)]
    place: Annotated[str, StringConstraints(min_length=1, max_length=400), AfterValidator(not_blank)]
    country: Country = ""
    with_whom: Text = ""
    confidence: Confidence = Confidence.MEDIUM
    description: Text = ""


class FoundIn(In):
    found_at: Annotated[dt.datetime, AfterValidator(in_utc)]
    place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)] = ""
    country: Country = ""
    safe: bool | None = None
    immediate_needs: Text = ""
    now_in_care_of: Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)] = ""
    note: Text = ""


class CloseFoundIn(In):
    """The owner: the child is found; close the disappearance and every alert."""

    found_at: dt.datetime | None = None
    note: Text = ""


class CloseMissingIn(In):
    """The owner: the disappearance ends without a found report (``closeFound`` is for that)."""

    outcome: Literal["returned", "withdrawn"] = Field(
        description="returned: the child came back by themselves; withdrawn: the report was made in error"
    )
    closed_at: DateTime | None = None
    note: Text = ""


class WithdrawIn(In):
    reason_code: WithdrawReason = WithdrawReason.SENT_IN_ERROR


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ActionError("give the time with its time zone", field=field)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ActionError("this is in the future", field=field)
    return value


# --- building the alert ------------------------------------------------------------------------


def _photo(case: Case) -> str:
    try:
        return base64.b64encode(read_photo(case.child)).decode()
    except PhotoUnavailable:
        return ""


def alert_body(case: Case, data: AlertFields, revision: int = 0) -> m.MissingAlert:
    """The alert as the case says it, with only the categories ``data.include`` names."""
    if not case.missing_category:
        raise ActionError("record the missing-child category on the case first", field="missing_category")
    wanted = set(data.include)
    child = child_summary(case, wanted).model_dump()
    if DataCategory.PHYSICAL_DESCRIPTION in wanted:
        child["physical_description"] = data.physical_description
    if DataCategory.PHOTO in wanted:
        child["photo_base64"] = _photo(case)
    fields: dict[str, Any] = {
        "revision": revision,
        "child": m.ChildSummary.model_validate(child),
        "missing_category": case.missing_category,
        "risk_level": case.risk_level,
        "circumstances": data.circumstances,
        "contact_point": data.contact_point,
    }
    if DataCategory.CONTACT_LOCATION in wanted:
        seen = last_seen(case)
        fields["last_seen_at"] = seen.at
        if seen.place:
            fields["last_seen_place"] = m.Place(description=seen.place[:400])
        if seen.summary and not data.circumstances:
            fields["circumstances"] = seen.summary
    schema = m.MissingAlertUpdate if revision else m.MissingAlert
    return schema.model_validate(fields)


# --- the owner: alert, update, withdraw, close -------------------------------------------------


def do_send_alerts(user: User, case: Case, data: AlertsIn, *, node: LocalNode | None = None) -> list[Thread]:
    """Alert every organisation of ``data.to_orgs`` about the missing child, all or nothing: each
    is checked as its node will check it before anything is sealed; a refusal names the
    organisation, and nothing leaves this node."""
    if case.status != CaseStatus.MISSING:
        raise ActionError(
            "the child is not recorded as missing: record the disappearance first", field="status"
        )
    orgs = list(dict.fromkeys(data.to_orgs))
    open_to = set(
        Thread.objects.filter(
            kind=MISSING_ALERT.kind, case=case, direction=Direction.OUTGOING, status__in=OPEN
        ).values_list("peer_org", flat=True)
    )
    again = sorted(open_to & set(orgs))
    if again:
        raise ActionError(
            f"an alert to {', '.join(again)} is already open: update it instead", field="to_orgs"
        )
    body = alert_body(case, data)
    prepared = []
    for org in orgs:
        to = ToPeer(to_org=org, purpose=data.purpose)
        try:
            prepared.append(p.prepare(user, case, T.MISSING_ALERT, body, to, node=node))
        except ActionError as exc:
            raise ActionError(f"{org}: {exc}", field="to_orgs") from exc
    sent: list[Thread] = []
    with transaction.atomic():
        for ready in prepared:
            due = seen_due(case.risk_level, ready.ctx.now)
            alert, _row = p.open_thread(
                ready,
                MISSING_ALERT,
                user=user,
                case=case,
                body=body,
                summary="Missing-child alert to",
                data={"alert": body_json(body)},
                facts={"revision": 0},
                due_at=due,
            )
            sent.append(alert)
        add_event(
            case,
            type=EventType.DISAPPEARANCE,
            summary="Missing-child alert sent to " + ", ".join(t.peer_org_name for t in sent),
            user=user,
            at=prepared[0].ctx.now,
        )
    return sent


def do_send_alert(user: User, case: Case, data: AlertIn, *, node: LocalNode | None = None) -> Thread:
    """Alert one organisation (the form on the case's exchange page)."""
    many = AlertsIn(
        to_orgs=[data.to_org],
        purpose=data.purpose,
        include=data.include,
        physical_description=data.physical_description,
        circumstances=data.circumstances,
        contact_point=data.contact_point,
    )
    return do_send_alerts(user, case, many, node=node)[0]


def open_alerts(case: Case, statuses: Iterable[str] = ("alerted",)) -> QuerySet[Thread]:
    return Thread.objects.filter(
        kind=MISSING_ALERT.kind, case=case, direction=Direction.OUTGOING, status__in=list(statuses)
    ).order_by("id")


def _to_each(
    user: User,
    case: Case,
    alerts: Sequence[Thread],
    type: MessageType,
    body_for: Any,
    *,
    verb: str,
    node: LocalNode | None,
) -> list[Thread]:
    """Send ``body_for(thread)`` to every thread of ``alerts`` in one transaction."""
    if not alerts:
        raise ActionError("no alert about this child is open")
    ctx = p.context(node)
    bodies = [(alert, body_for(alert)) for alert in alerts]
    for alert, body in bodies:
        p.check_reply(user, alert, MISSING_ALERT, type, WHAT, verb)
        p.authorise_sending(user, case, alert.purpose, m.categories_used(type, body))
    done = []
    with transaction.atomic():
        for alert, body in bodies:
            locked = p.lock(alert, WHAT)
            p.answer(
                ctx,
                locked,
                MISSING_ALERT,
                user=user,
                from_org=p.require_member(user),
                type=type,
                body=body,
                summary=f"Alert {verb} → {locked.peer_org_name}",
            )
            locked.save()
            done.append(locked)
    return done


def do_update_alerts(
    user: User, case: Case, data: AlertFields, *, node: LocalNode | None = None
) -> list[Thread]:
    """Send what is known now to every organisation the open alert went to."""
    alerts = list(open_alerts(case))
    revision = max((int(a.facts.get("revision", 0)) for a in alerts), default=0) + 1
    body = alert_body(case, data, revision)
    with transaction.atomic():
        done = _to_each(
            user, case, alerts, T.MISSING_ALERT_UPDATE, lambda _a: body, verb="updated", node=node
        )
        for alert in done:
            alert.facts = {**alert.facts, "revision": revision}
            alert.data.put(alert=body_json(body))
            alert.save(update_fields=["facts", "sealed"])
        add_event(
            case,
            type=EventType.DISAPPEARANCE,
            summary=f"Missing-child alert updated (revision {revision})",
            user=user,
        )
    return done


def do_withdraw_alerts(
    user: User, case: Case, data: WithdrawIn, *, node: LocalNode | None = None
) -> list[Thread]:
    """Withdraw the alert from every organisation it went to (they purge their copies)."""
    body = m.MissingAlertWithdraw(reason_code=data.reason_code)
    with transaction.atomic():
        done = _to_each(
            user,
            case,
            list(open_alerts(case, OPEN)),
            T.MISSING_ALERT_WITHDRAW,
            lambda _a: body,
            verb="withdrawn",
            node=node,
        )
        add_event(case, type=EventType.DISAPPEARANCE, summary="Missing-child alert withdrawn", user=user)
    return done


def do_close_found(user: User, case: Case, data: CloseFoundIn, *, node: LocalNode | None = None) -> Case:
    """The child is found: the disappearance is closed here (status found) and ``case_closed``
    goes to every organisation that received the alert, which ends its context and purges."""
    if case.status == CaseStatus.FOUND:
        raise ActionError("this child is already recorded as found", field="status")
    return _close(user, case, DisappearanceOutcome.FOUND, data.found_at, data.note, node)


def do_close_missing(user: User, case: Case, data: CloseMissingIn, *, node: LocalNode | None = None) -> Case:
    """The disappearance ends without a found report: the child came back by themselves, or the
    report was made in error. The case is open again here and ``case_closed`` goes to every
    organisation that received the alert, as when the child is found: nobody keeps looking."""
    return _close(user, case, DisappearanceOutcome(data.outcome), data.closed_at, data.note, node)


# What each way of ending tells the recipients (the wire has no "came back": ``other``).
_CLOSE_REASON = {
    DisappearanceOutcome.FOUND: CloseReason.CHILD_FOUND,
    DisappearanceOutcome.RETURNED: CloseReason.OTHER,
    DisappearanceOutcome.WITHDRAWN: CloseReason.OTHER,
}
_CLOSED_AS = {
    DisappearanceOutcome.FOUND: "Found",
    DisappearanceOutcome.RETURNED: "Came back",
    DisappearanceOutcome.WITHDRAWN: "Report withdrawn",
}


def _close(
    user: User,
    case: Case,
    outcome: DisappearanceOutcome,
    at: dt.datetime | None,
    note: str,
    node: LocalNode | None,
) -> Case:
    """End the disappearance here (its report's clocks stop) and send ``case_closed`` to every
    recipient of an open alert, in one transaction."""
    if case.status != CaseStatus.MISSING:
        raise ActionError("this child is not recorded as missing", field="status")
    try:
        # Closing the disappearance changes the case (its status): decided and audited as such.
        access_case(
            user,
            case.public_id,
            Purpose.LOCATE_MISSING_CHILD,
            action=PolicyAction.UPDATE,
            categories=[DataCategory.CASE_NOTES],
        )
    except NotFound as exc:
        raise ActionError("you may not close this child's disappearance", field="status") from exc
    field = "found_at" if outcome == DisappearanceOutcome.FOUND else "closed_at"
    closed_at = _aware(at, field) if at else timezone.now()
    body = m.CaseClosed(closed_at=closed_at, reason_code=_CLOSE_REASON[outcome])
    alerts = list(open_alerts(case, OPEN))
    with transaction.atomic():
        if alerts:
            _to_each(user, case, alerts, T.CASE_CLOSED, lambda _a: body, verb="closed", node=node)
        report = Disappearance.objects.filter(case=case, closed_at__isnull=True).first()
        if report is not None:
            # The disappearance report ends with it: its protocol clocks stop (waymark.missing).
            # That writes the case's entry ("found" or a note); here only what the alerts add.
            do_close_disappearance(user, report, outcome, now=closed_at)
        status = CaseStatus.FOUND if outcome == DisappearanceOutcome.FOUND else CaseStatus.OPEN
        Case.objects.filter(pk=case.pk).update(status=status, updated_at=timezone.now())
        if report is None or alerts or note:
            found = outcome == DisappearanceOutcome.FOUND and report is None
            add_event(
                case,
                type=EventType.FOUND if found else EventType.NOTE,
                summary=f"{_CLOSED_AS[outcome]}: the disappearance is closed"
                + (" and every alert with it" if alerts else ""),
                details=note,
                user=user,
                at=closed_at,
            )
    case.refresh_from_db()
    return case


def _owned_case(user: User, alert: Thread) -> Case:
    if (
        alert.direction != Direction.OUTGOING
        or alert.case is None
        or alert.local_org_id != user.organisation_id
    ):
        raise ActionError("only the organisation that sent this alert may do that")
    return alert.case


def do_withdraw_alert(
    user: User, alert: Thread, data: WithdrawIn, *, node: LocalNode | None = None
) -> Thread:
    """Withdraw the alert from this one recipient (the alert page's button)."""
    case = _owned_case(user, alert)
    body = m.MissingAlertWithdraw(reason_code=data.reason_code)
    with transaction.atomic():
        [done] = _to_each(
            user, case, [alert], T.MISSING_ALERT_WITHDRAW, lambda _a: body, verb="withdrawn", node=node
        )
        add_event(
            case,
            type=EventType.DISAPPEARANCE,
            summary=f"Missing-child alert to {done.peer_org_name} withdrawn",
            user=user,
        )
    return done


def do_close_from_alert(
    user: User, alert: Thread, data: CloseFoundIn, *, node: LocalNode | None = None
) -> Thread:
    """The child is found: close the disappearance and every alert (the alert page's button)."""
    do_close_found(user, _owned_case(user, alert), data, node=node)
    alert.refresh_from_db()
    return alert


def do_close_missing_from_alert(
    user: User, alert: Thread, data: CloseMissingIn, *, node: LocalNode | None = None
) -> Thread:
    """The child came back, or the report was made in error (the alert page's button)."""
    do_close_missing(user, _owned_case(user, alert), data, node=node)
    alert.refresh_from_db()
    return alert


# --- a recipient: seen, sighting, found --------------------------------------------------------


def do_mark_seen(
    user: User, alert: Thread, _data: SeenIn | None = None, *, node: LocalNode | None = None
) -> Thread:
    """A person here has read the alert: the issuer sees it, per recipient."""
    now = timezone.now()
    with transaction.atomic():
        locked = p.reply(
            user,
            alert,
            MISSING_ALERT,
            T.MISSING_ALERT_SEEN,
            m.MissingAlertSeen(seen_at=now),
            what=WHAT,
            verb="marked seen",
            summary=f"Alert seen → {alert.peer_org_name}",
            node=node,
        )
        locked.facts = {**locked.facts, "seen_at": now.isoformat()}
        locked.answered_at = now
        locked.answered_by = user
        locked.save(update_fields=["facts", "answered_at", "answered_by"])
    return locked


def _place(description: str, country: str) -> m.Place | None:
    if not description and not country:
        return None
    return m.Place(description=description, country=country)


def do_report_sighting(
    user: User, alert: Thread, data: SightingIn, *, node: LocalNode | None = None
) -> Thread:
    """Tell the issuer where and when the child was seen (it reaches their case at once)."""
    body = m.Sighting(
        seen_at=_aware(data.seen_at, "seen_at"),
        place=_place(data.place, data.country) or m.Place(),
        source=EventSource.PARTNER,
        confidence=data.confidence,
        description=data.description,
        with_whom=data.with_whom,
    )
    with transaction.atomic():
        locked = p.reply(
            user,
            alert,
            MISSING_ALERT,
            T.SIGHTING,
            body,
            what=WHAT,
            verb="answered with a sighting",
            summary=f"Sighting → {alert.peer_org_name}",
            node=node,
        )
        locked.facts = {**locked.facts, "sightings": int(locked.facts.get("sightings", 0)) + 1}
        locked.save(update_fields=["facts"])
    return locked


def do_report_found(user: User, alert: Thread, data: FoundIn, *, node: LocalNode | None = None) -> Thread:
    """Tell the issuer the child is found here: where, how, what they need, who has care."""
    if alert.direction == Direction.INCOMING and alert.status != "alerted":
        raise ActionError(
            f"this alert is {alert.status}: the child's case is no longer open to a found report"
        )
    body = m.Found(
        found_at=_aware(data.found_at, "found_at"),
        place=_place(data.place, data.country),
        safe=data.safe,
        immediate_needs=data.immediate_needs,
        now_in_care_of=data.now_in_care_of,
        note=data.note,
    )
    return p.reply(
        user,
        alert,
        MISSING_ALERT,
        T.FOUND,
        body,
        what=WHAT,
        verb="answered with a found report",
        summary=f"Found → {alert.peer_org_name}",
        node=node,
    )


# --- receiving ---------------------------------------------------------------------------------


def _on_alert(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.MissingAlert)
    alert = p.open_incoming(
        MISSING_ALERT,
        opened,
        registry,
        now,
        data={"alert": body_json(body)},
        facts={"revision": body.revision},
        due_at=seen_due(body.risk_level, now),
    )
    add_thread_event(
        alert, type=EventType.DISAPPEARANCE, summary=f"Missing-child alert from {alert.peer_org_name}", at=now
    )
    return alert


def _on_update(alert: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.MissingAlertUpdate)
    if received.outcome is Outcome.APPLY:
        alert.data.put(alert=body_json(body))
        alert.facts = {**alert.facts, "revision": body.revision}


def _on_seen(alert: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.MissingAlertSeen)
    alert.facts = {**alert.facts, "seen_at": body.seen_at.isoformat()}
    alert.answered_at = now


def _sighting_text(body: m.Sighting) -> str:
    lines = [f"Reliability: {body.confidence.value}"]
    if body.with_whom:
        lines.append(f"With: {body.with_whom}")
    if body.description:
        lines.append(body.description)
    return "\n".join(lines)


def _on_sighting(alert: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.Sighting)
    alert.facts = {**alert.facts, "sightings": int(alert.facts.get("sightings", 0)) + 1}
    if alert.case is None:
        return
    place = ", ".join(x for x in (body.place.description, body.place.country) if x)
    late = "" if received.outcome is Outcome.APPLY else f" (the alert was already {alert.status})"
    event = add_event(
        alert.case,
        type=EventType.SIGHTING,
        summary=f"Sighting reported by {alert.peer_org_name}: {place}{late}",
        details=_sighting_text(body),
        category=DataCategory.CONTACT_LOCATION,
        at=body.seen_at,
    )
    Event.objects.filter(pk=event.pk).update(location=place[:200])
    notify(alert, _("A sighting was reported"))


def _on_found(alert: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.Found)
    if alert.case is None:
        return
    late = "" if received.outcome is Outcome.APPLY else f" (the alert was already {alert.status})"
    place = (
        ", ".join(x for x in (body.place.description, body.place.country) if body.place and x)
        if body.place
        else ""
    )
    lines = [
        f"Safe: {'yes' if body.safe else 'no' if body.safe is False else 'not said'}",
        *([f"Now in the care of: {body.now_in_care_of}"] if body.now_in_care_of else []),
        *([f"Immediate needs: {body.immediate_needs}"] if body.immediate_needs else []),
        *([body.note] if body.note else []),
    ]
    add_event(
        alert.case,
        type=EventType.FOUND,
        summary=f"Found, reported by {alert.peer_org_name}" + (f": {place}" if place else "") + late,
        details="\n".join(lines),
        at=body.found_at,
    )
    notify(alert, _("The child was reported found"))


def purge(alert: Thread, now: dt.datetime) -> None:
    """The alert ended: keep the thread's bare row (parties, states, times — the exchange's
    evidence) and nothing of the child. What was received is shredded: its sealed data, the notes
    of its ledger, and the thread's own key when it was not sealed under a case held here."""
    alert.data.put(alert={})
    alert.messages.update(note_sealed="")
    alert.facts = {**alert.facts, "purged_at": now.isoformat()}
    if alert.case_id is None and alert.seal_key is not None:
        vault.shred(alert.seal_key, actor=None)


def _on_end(alert: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    """Withdrawn or closed by the issuer: the context ends (``contexts.on_received``), the copy goes."""
    body = opened.body
    if isinstance(body, m.CaseClosed):
        found = body.reason_code == CloseReason.CHILD_FOUND
        reason = "closed: the child was found" if found else "closed: the child is no longer missing"
    else:
        reason = "withdrawn"
    add_thread_event(
        alert, type=EventType.NOTE, summary=f"Missing-child alert {reason} by {alert.peer_org_name}", at=now
    )
    purge(alert, now)


def notify(alert: Thread, what: Any) -> None:
    """Tell the case's caseworker and guardian (an in-app notice on the exchange dashboard)."""
    case = alert.case
    if case is None:
        return
    people = {u for u in (case.caseworker_id, case.guardian_id) if u is not None}
    AlertNotice.objects.bulk_create(
        AlertNotice(user_id=u, case=case, thread=alert, text=str(what)[:200], created_at=timezone.now())
        for u in sorted(people)
    )


# --- per recipient ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    alert: Thread
    delivered_at: dt.datetime | None  # the signed receipt (the node's automatic acknowledgement)
    receipt: str  # accepted / rejected / "" (not yet)
    seen_at: str  # a person there marked it seen
    sightings: int


def recipients(case: Case) -> list[Recipient]:
    """Every organisation alerted about ``case``: the machine and the human acknowledgement."""
    alerts = list(
        Thread.objects.filter(kind=MISSING_ALERT.kind, case=case, direction=Direction.OUTGOING).order_by("id")
    )
    outbox = {
        o.message_id: o
        for o in OutboxMessage.objects.filter(message_id__in=[a.opened_message_id for a in alerts])
    }
    out = []
    for a in alerts:
        row = outbox.get(a.opened_message_id)
        receipted = row is not None and row.receipted_at is not None
        out.append(
            Recipient(
                alert=a,
                delivered_at=row.receipted_at if row is not None else None,
                receipt=(row.status if receipted else "") if row is not None else "",
                seen_at=str(a.facts.get("seen_at", "")),
                sightings=int(a.facts.get("sightings", 0)),
            )
        )
    return out


def acknowledgements(case_ids: Sequence[int]) -> dict[int, list[Acknowledgement]]:
    """Per case among ``case_ids``, each open alert sent about it with its machine and human
    acknowledgements (the Missing-now board): two queries, however many cases."""
    alerts = list(
        Thread.objects.filter(
            kind=MISSING_ALERT.kind,
            direction=Direction.OUTGOING,
            case_id__in=list(case_ids),
            status__in=list(OPEN),
        ).order_by("case_id", "id")
    )
    outbox = {
        o.message_id: o
        for o in OutboxMessage.objects.filter(message_id__in=[a.opened_message_id for a in alerts]).only(
            "message_id", "status", "receipted_at"
        )
    }
    out: dict[int, list[Acknowledgement]] = {}
    for a in alerts:
        row = outbox.get(a.opened_message_id)
        back = row is not None and row.receipted_at is not None
        seen = a.facts.get("seen_at")
        seen_at = dt.datetime.fromisoformat(seen) if isinstance(seen, str) and seen else None
        clock = SEEN.until(a.due_at or a.created_at, started_at=a.created_at)
        assert a.case_id is not None
        out.setdefault(a.case_id, []).append(
            Acknowledgement(
                organisation=a.peer_org,
                organisation_name=a.peer_org_name,
                status=a.status,
                sent_at=a.created_at,
                receipt=row.status if back and row is not None else "",
                received_at=row.receipted_at if row is not None else None,
                seen_at=seen_at,
                seen_clock=clock.met(max(seen_at, a.created_at)) if seen_at else clock,
            )
        )
    return out


# --- pages -------------------------------------------------------------------------------------


def _open_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {
        **peer_fields(post),
        "include": post.getlist("include"),
        "physical_description": post.get("physical_description", ""),
        "circumstances": post.get("circumstances", ""),
        "contact_point": post.get("contact_point", ""),
    }


# What of a held alert each category covers, for a reader refused it (identity is never
# redacted: a reader who may not know who the child is does not see the alert at all).
_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    DataCategory.CASE_NOTES: (("missing_category",), ("risk_level",), ("circumstances",)),
    DataCategory.CONTACT_LOCATION: (("last_seen_at",), ("last_seen_place",)),
    DataCategory.PHYSICAL_DESCRIPTION: (("child", "physical_description"),),
    DataCategory.PHOTO: (("child", "photo_base64"),),
    DataCategory.LEGAL_STATUS: (("child", "nationality"), ("child", "identifiers")),
}
REDACTABLE = frozenset(str(c) for c in _FIELDS)


def redact_alert(held: dict[str, Any], refused: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """The alert as held, without the fields of the ``refused`` categories; and which were removed."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in held.items()}
    removed: list[str] = []
    for category in sorted(set(refused) & REDACTABLE):
        for path in _FIELDS[category]:
            where = out
            for step in path[:-1]:
                where = where.get(step, {})
            if where.pop(path[-1], None) not in (None, "", [], {}):
                removed.append(".".join(path))
    return out, removed


def _redact(context: dict[str, Any], refused: frozenset[str]) -> dict[str, Any]:
    held, removed = redact_alert(context.get("alert", {}), refused)
    return {**context, "alert": held, "child": held.get("child", {}), "redacted": removed, "refused": refused}


def _page(alert: Thread) -> dict[str, Any]:
    held = alert.data.doc("alert")
    return {
        "alert": held,
        "child": held.get("child", {}),
        "confidences": choices(Confidence),
        "withdraw_reasons": choices(WithdrawReason),
        "seen_at": alert.facts.get("seen_at", ""),
    }


def _shown(user: User, case: Case, threads: Sequence[Thread]) -> bool:
    return case.status == CaseStatus.MISSING


def _received(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING, status__in=list(OPEN)).order_by("due_at")


def _sent(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status__in=list(OPEN)).order_by("-updated_at")[:50]


KIND = register(
    ThreadKind(
        conversation=MISSING_ALERT,
        slug="alert",
        shares=ContextSource.MISSING_ALERT,
        unshared_in=frozenset({"withdrawn", "closed"}),
        label=_("Missing-child alert"),
        line="exchange/missing_alert/_line.html",
        on_open=_on_alert,
        on_message={
            T.MISSING_ALERT_UPDATE: _on_update,
            T.MISSING_ALERT_SEEN: _on_seen,
            T.SIGHTING: _on_sighting,
            T.FOUND: _on_found,
            T.MISSING_ALERT_WITHDRAW: _on_end,
            T.CASE_CLOSED: _on_end,
        },
        clock=SEEN,
        actions={
            "seen": Action(T.MISSING_ALERT_SEEN, SeenIn, do_mark_seen, lambda _post, _t: {}),
            "sighting": Action(T.SIGHTING, SightingIn, do_report_sighting),
            "found": Action(T.FOUND, FoundIn, do_report_found),
            "withdraw": Action(T.MISSING_ALERT_WITHDRAW, WithdrawIn, do_withdraw_alert),
            "close": Action(T.CASE_CLOSED, CloseFoundIn, do_close_from_alert),
            "came_back": Action(T.CASE_CLOSED, CloseMissingIn, do_close_missing_from_alert),
        },
        opening=Opening(
            AlertIn,
            do_send_alert,
            _open_form,
            form="exchange/missing_alert/_open.html",
            shown=_shown,
            context={"alert_optional": ALERT_OPTIONAL},
        ),
        page="exchange/missing_alert.html",
        page_context=_page,
        redactable=REDACTABLE,
        redact=_redact,
        panels=(
            Panel(
                5,
                "alerts-in",
                _("Missing-child alerts received"),
                _("No alert is open."),
                _received,
                "exchange/missing_alert/_panel_line.html",
            ),
            Panel(
                6,
                "alerts-out",
                _("Missing-child alerts we sent"),
                _("None."),
                _sent,
                "exchange/missing_alert/_panel_line.html",
            ),
        ),
        states={
            "alerted": _("Open"),
            "found": _("Reported found"),
            "withdrawn": _("Withdrawn"),
            "closed": _("Closed"),
        },
        messages={
            T.MISSING_ALERT: _("Alert"),
            T.MISSING_ALERT_UPDATE: _("Update"),
            T.MISSING_ALERT_SEEN: _("Seen"),
            T.SIGHTING: _("Sighting"),
            T.FOUND: _("Found"),
            T.MISSING_ALERT_WITHDRAW: _("Withdrawal"),
            T.CASE_CLOSED: _("Case closed"),
        },
        order=5,
    )
)
