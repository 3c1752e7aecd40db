"""Guardian hand-overs: when a child moves to another country, their outgoing guardian hands them
over to the organisation that will appoint the next guardian; a person there acknowledges it
(``core.protocol.threads.GUARDIAN_HANDOVER``). Until then a clock runs on both sides' exchange
dashboards; both timelines show the hand-over and its acknowledgement.

The guardian sends for their own ward only (``plumbing.prepare(..., as_guardian=True)``): they
must be the case's appointed guardian, and read every category they send for the purpose
(``guardian-of-the-child``: child protection, best-interests assessment), and an agreement in
force must grant the receiving organisation each category — the child's views and wishes are a
disclosure, the open issues case notes. Nothing leaves otherwise.

At the receiving organisation a caseworker or supervisor (its coordinator of guardians) names the
incoming guardian on the hand-over (``do_assign_incoming_guardian``: here only, nothing is sent).
That guardian — outside the exchange's roles — then finds it (on "My wards" and in the API), reads
it as the child's guardian (``access.decide_threads``) and acknowledges it; no other guardian does.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import StringConstraints, model_validator

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.audit.service import Subject
from waymark.cases.models import Case
from waymark.core.clocks import ClockRule
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import GUARDIAN_HANDOVER, Received
from waymark.errors import ActionError, Refused
from waymark.missing import actions as notices
from waymark.vocab import AuditKind, DataCategory, EventType, Purpose, Role, Sector

from .. import guard, payloads
from .. import plumbing as p
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import In, Short, Text, ToPeer
from ..timeline import add_event, add_thread_event
from . import register
from .base import Action, Assignee, Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "hand-over"
# Without a response commitment in the agreement, a person acknowledges within three days.
ACKNOWLEDGE = ClockRule(
    "guardian_handover_ack", within=dt.timedelta(days=3), warn_before=dt.timedelta(hours=24)
)
# The purposes a hand-over travels for (what the guardian reads their ward's case for).
HANDOVER_PURPOSES = frozenset({Purpose.CHILD_PROTECTION, Purpose.BEST_INTERESTS_ASSESSMENT})
# Who acknowledges at the receiving organisation: its exchange roles, and the incoming guardian
# named on the hand-over (``INCOMING``; no other guardian).
ACKNOWLEDGING_ROLES = frozenset({*p.EXCHANGE_ROLES, Role.GUARDIAN})
# Who names the incoming guardian there: its caseworkers and supervisors (a coordinator of guardians).
ASSIGNING_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR})
# The incoming guardian, by user id in the thread's facts: they find, read and acknowledge it.
INCOMING = Assignee(Role.GUARDIAN, "incoming_guardian")


class HandoverIn(ToPeer):
    """Hand the ward over to ``to_org``: a summary, the child's views and wishes, the open issues."""

    purpose: Purpose = Purpose.BEST_INTERESTS_ASSESSMENT
    summary: Text = ""
    views_and_wishes: Text = ""
    open_issues: Text = ""
    effective: dt.datetime | None = None  # from when the next guardian takes over; default now

    @model_validator(mode="after")
    def _coherent(self) -> HandoverIn:
        if self.purpose not in HANDOVER_PURPOSES:
            raise ValueError("purpose: a hand-over is for child protection or a best-interests assessment")
        if not (self.summary or self.views_and_wishes or self.open_issues):
            raise ValueError("summary: say something of the child to the next guardian")
        if self.effective is not None and self.effective.tzinfo is None:
            raise ValueError("effective: give a date and time with its offset")
        return self


class HandoverAckIn(In):
    note: Text = ""
    contact: Short = ""
    # The case here the child's hand-over belongs to, if the conversation is not linked to one.
    existing_case: Short = ""


class AssignGuardianIn(In):
    """Name the incoming guardian of a hand-over received here (nothing is sent): they find it,
    read it and acknowledge it. ``guardian``: the username of an active guardian of your
    organisation; naming another replaces them."""

    guardian: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150)]


# --- sending -----------------------------------------------------------------------------------


def may_hand_over(user: User, case: Case) -> bool:
    """Is ``user`` the ward's appointed guardian, in an organisation that may exchange?"""
    org = user.organisation
    return (
        user.is_active
        and org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and user.role == Role.GUARDIAN
        and case.guardian_id is not None
        and case.guardian_id == user.pk
    )


def do_send_handover(user: User, case: Case, data: HandoverIn, *, node: LocalNode | None = None) -> Thread:
    """The outgoing guardian hands their ward over to the organisation appointing the next one."""
    if not may_hand_over(user, case):
        raise Refused("only the child's appointed guardian hands them over")
    guardian = payloads.guardian(case)
    assert guardian is not None
    effective = data.effective or dt.datetime.now(dt.UTC)
    include = [DataCategory.IDENTITY]

    def body(acknowledge_by: dt.datetime) -> m.GuardianHandover:
        return m.GuardianHandover(
            guardian=guardian,
            effective=effective,
            child=payloads.child_summary(case, include),
            summary=data.summary,
            views_and_wishes=data.views_and_wishes,
            open_issues=data.open_issues,
            acknowledge_by=acknowledge_by,
        )

    # As for an information request: the agreement is chosen on the categories (which do not
    # depend on the deadline), then its response commitment, if any, sets the clock.
    provisional = body(ACKNOWLEDGE.start(dt.datetime.now(dt.UTC)).due_at)
    prepared = p.prepare(user, case, T.GUARDIAN_HANDOVER, provisional, data, node=node, as_guardian=True)
    within = guard.reply_deadline(prepared.agreement, T.GUARDIAN_HANDOVER, data.to_org)
    clock = ACKNOWLEDGE.start(prepared.ctx.now, within=within)
    sent = body(clock.due_at)
    with transaction.atomic():
        handover, _row = p.open_thread(
            prepared,
            GUARDIAN_HANDOVER,
            user=user,
            case=case,
            body=sent,
            summary="Guardian hand-over to",
            data={
                "summary": data.summary,
                "views_and_wishes": data.views_and_wishes,
                "open_issues": data.open_issues,
            },
            due_at=clock.due_at,
        )
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Guardian hand-over sent to {handover.peer_org_name} "
            f"(acknowledgement due {clock.due_at:%Y-%m-%d %H:%M} UTC)",
            details=data.summary,
            category=DataCategory.GUARDIAN,
            user=user,
            at=prepared.ctx.now,
        )
    return handover


def do_acknowledge_handover(
    user: User, handover: Thread, data: HandoverAckIn, *, node: LocalNode | None = None
) -> Thread:
    """A person of the receiving organisation acknowledges the hand-over: both clocks stop."""
    org = user.organisation
    if not user.is_active or org is None or user.role not in ACKNOWLEDGING_ROLES:
        raise ActionError("your account may not acknowledge a hand-over")
    if handover.local_org_id != org.pk:
        raise ActionError(f"this {WHAT} belongs to another organisation")
    if user.role == Role.GUARDIAN and not INCOMING.named(user, handover):
        raise ActionError(f"only the incoming guardian named on this {WHAT} acknowledges it")
    if not GUARDIAN_HANDOVER.may_send(handover.status, p.side_of(handover), T.GUARDIAN_HANDOVER_ACK):
        raise ActionError(f"this {WHAT} cannot be acknowledged: it is {handover.status}")
    case = None
    if data.existing_case:
        case = payloads.check_case_for_offer(
            user,
            purpose=handover.purpose,
            writes=[DataCategory.GUARDIAN],
            existing_case=data.existing_case,
            linked=handover.case,
        )
    ctx = p.context(node)
    body = m.GuardianHandoverAck(acknowledged_at=ctx.now, contact=data.contact, note=data.note)
    with transaction.atomic():
        locked = p.lock(handover, WHAT)
        if case is not None and locked.case is None:
            locked.case = case
            p.link(case, locked.peer_node, locked.peer_org, locked.conversation_id)
            add_thread_event(
                locked,
                type=EventType.NOTE,
                summary=f"Guardian hand-over from {locked.peer_org_name}",
                details=locked.data.text("summary"),
                category=DataCategory.GUARDIAN,
                at=locked.created_at,
            )
        p.answer(
            ctx,
            locked,
            GUARDIAN_HANDOVER,
            user=user,
            from_org=org.slug,
            type=T.GUARDIAN_HANDOVER_ACK,
            body=body,
            summary=f"Hand-over acknowledged → {locked.peer_org_name}",
        )
        locked.answered_at = ctx.now
        locked.answered_by = user
        locked.save()
        add_thread_event(
            locked,
            type=EventType.NOTE,
            summary=f"Guardian hand-over from {locked.peer_org_name} acknowledged",
            details=data.note,
            category=DataCategory.GUARDIAN,
            user=user,
            at=ctx.now,
        )
    return locked


def may_assign(user: User, handover: Thread) -> bool:
    """May ``user`` name the incoming guardian on ``handover``: a caseworker or supervisor of the
    organisation that received it?"""
    org = user.organisation
    return (
        user.is_active
        and org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and user.role in ASSIGNING_ROLES
        and handover.kind == GUARDIAN_HANDOVER.kind
        and handover.direction == Direction.INCOMING
        and handover.local_org_id == org.pk
    )


def guardians_of(handover: Thread) -> QuerySet[User]:
    """Whom the receiving organisation may name: its active guardians."""
    return User.objects.filter(
        organisation_id=handover.local_org_id, role=Role.GUARDIAN, is_active=True
    ).order_by("display_name", "username")


def incoming_guardian(handover: Thread) -> User | None:
    """The incoming guardian named on the hand-over, if any (and still an account here)."""
    pk = handover.facts.get(INCOMING.fact)
    return User.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def do_assign_incoming_guardian(user: User, handover: Thread, data: AssignGuardianIn) -> Thread:
    """A caseworker or supervisor of the receiving organisation names the incoming guardian (a
    local action: nothing is sent); audited, and on the case's timeline if the hand-over has one."""
    if not may_assign(user, handover):
        raise Refused(
            f"only a caseworker or supervisor of the organisation that received the {WHAT} "
            "names its incoming guardian"
        )
    guardian = guardians_of(handover).filter(username=data.guardian).first()
    if guardian is None:
        raise ActionError("not an active guardian of your organisation", field="guardian")
    now = timezone.now()
    with transaction.atomic():
        locked = p.lock(handover, WHAT)
        already = locked.facts.get(INCOMING.fact) == guardian.pk
        locked.facts = {**locked.facts, INCOMING.fact: guardian.pk}
        locked.updated_at = now
        locked.save(update_fields=["facts", "updated_at"])
        audit.record(
            AuditKind.OTHER,
            actor=user,
            purpose=locked.purpose,
            peer_org=locked.peer_org,
            subject=locked.case.audit_subject
            if locked.case is not None
            else Subject(child_public_id=locked.seal_key or locked.public_id),
            details={
                "action": "assign_incoming_guardian",
                "thread": str(locked.public_id),
                "kind": locked.kind,
                "incoming_guardian": guardian.pk,
            },
        )
        add_thread_event(
            locked,
            type=EventType.NOTE,
            summary=f"Incoming guardian named for the guardian hand-over from {locked.peer_org_name}: {guardian}",
            category=DataCategory.GUARDIAN,
            user=user,
            at=now,
        )
        if not already:
            # She is told in the app (the header's count): who sent it and by when to acknowledge
            # it, never anything of the child — she reads that on the page, through the policy.
            due = f" by {locked.due_at:%Y-%m-%d}" if locked.due_at else ""
            notices.notify(
                [guardian],
                f"You are named the incoming guardian on a guardian hand-over from "
                f"{locked.peer_org_name}: read it and acknowledge it{due}",
                reverse("exchange:thread", args=[KIND.slug, locked.public_id]),
            )
    return locked


# --- receiving ---------------------------------------------------------------------------------


def _on_handover(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.GuardianHandover)
    due = body.acknowledge_by or ACKNOWLEDGE.start(now).due_at
    handover = p.open_incoming(
        GUARDIAN_HANDOVER,
        opened,
        registry,
        now,
        data={
            "summary": body.summary,
            "views_and_wishes": body.views_and_wishes,
            "open_issues": body.open_issues,
            "guardian": body.guardian.model_dump(mode="json"),
            "child": body.child.model_dump(mode="json") if body.child else {},
        },
        due_at=max(due, now),
    )
    add_thread_event(
        handover,
        type=EventType.NOTE,
        summary=f"Guardian hand-over from {handover.peer_org_name} (acknowledge by {due:%Y-%m-%d %H:%M} UTC)",
        details=body.summary,
        category=DataCategory.GUARDIAN,
        at=now,
    )
    return handover


def _on_ack(handover: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.GuardianHandoverAck)
    handover.answered_at = now
    late = handover.due_at is not None and body.acknowledged_at > handover.due_at
    add_thread_event(
        handover,
        type=EventType.NOTE,
        summary=f"Guardian hand-over acknowledged by {handover.peer_org_name}"
        + (" (after the deadline)" if late else ""),
        details=body.note,
        category=DataCategory.GUARDIAN,
        at=now,
    )


# --- pages -------------------------------------------------------------------------------------


def _open_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {
        **peer_fields(post),
        "summary": post.get("summary", ""),
        "views_and_wishes": post.get("views_and_wishes", ""),
        "open_issues": post.get("open_issues", ""),
    }


def _page(handover: Thread) -> dict[str, Any]:
    incoming = handover.direction == Direction.INCOMING
    return {
        "summary": handover.data.text("summary"),
        "views_and_wishes": handover.data.text("views_and_wishes"),
        "open_issues": handover.data.text("open_issues"),
        "guardian": handover.data.doc("guardian"),
        "child": handover.data.doc("child"),
        # The incoming guardian named here, and whom the assign form offers (shown only to who may).
        "incoming_guardian": incoming_guardian(handover) if incoming else None,
        "guardians": list(guardians_of(handover)) if incoming else [],
    }


def _redact(ctx: dict[str, Any], refused: frozenset[str]) -> dict[str, Any]:
    if DataCategory.DISCLOSURE in refused:
        ctx = {**ctx, "views_and_wishes": None}
    if DataCategory.CASE_NOTES in refused:
        ctx = {**ctx, "open_issues": None}
    return ctx


def _to_acknowledge(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING, status=GUARDIAN_HANDOVER.opened).order_by("due_at")


def _awaiting(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status=GUARDIAN_HANDOVER.opened).order_by("due_at")


KIND = register(
    ThreadKind(
        conversation=GUARDIAN_HANDOVER,
        slug="handover",
        label=_("Guardian hand-over"),
        line="exchange/guardian_handover/_line.html",
        on_open=_on_handover,
        on_message={T.GUARDIAN_HANDOVER_ACK: _on_ack},
        clock=ACKNOWLEDGE,
        actions={
            "acknowledge": Action(T.GUARDIAN_HANDOVER_ACK, HandoverAckIn, do_acknowledge_handover),
            "assign": Action(
                None,
                AssignGuardianIn,
                do_assign_incoming_guardian,
                local=may_assign,
                label="Name the incoming guardian",
                rules=(
                    "`guardian`: the username of an active guardian of your organisation",
                    '`""`: a hand-over your organisation received; you are one of its caseworkers '
                    "or supervisors (403 otherwise)",
                ),
            ),
        },
        assignee=INCOMING,
        opening=Opening(
            HandoverIn,
            do_send_handover,
            _open_form,
            form="exchange/guardian_handover/_open.html",
            shown=lambda user, case, _threads: may_hand_over(user, case),
            # Back to the case's exchange page: guardians do not open the exchange's thread pages.
            to_thread=False,
            beyond_exchange_roles=True,
        ),
        page="exchange/guardian_handover.html",
        page_context=_page,
        redactable=frozenset({DataCategory.DISCLOSURE, DataCategory.CASE_NOTES}),
        redact=_redact,
        panels=(
            Panel(
                15,
                "handovers-in",
                _("Guardian hand-overs to acknowledge"),
                _("No hand-over is waiting for acknowledgement."),
                _to_acknowledge,
                "exchange/guardian_handover/_panel_line.html",
            ),
            Panel(
                45,
                "handovers-out",
                _("Guardian hand-overs awaiting acknowledgement"),
                _("None."),
                _awaiting,
                "exchange/guardian_handover/_panel_line.html",
            ),
        ),
        states={"sent": _("Awaiting acknowledgement"), "acknowledged": _("Acknowledged")},
        messages={T.GUARDIAN_HANDOVER: _("Hand-over"), T.GUARDIAN_HANDOVER_ACK: _("Acknowledgement")},
        order=35,
    )
)
