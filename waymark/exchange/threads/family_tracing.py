"""Family tracing between nodes (``core.protocol.threads.FAMILY_TRACING``), purpose
family_tracing only: the child's organisation asks an organisation in a relative's country to
trace one of the case's relatives (``continuity.Relative``); the tracer sends progress notes and
one result — found, not found, contact established — against the reply clock the agreement
commits it to (thirty days without one). The requester may withdraw (the child withdrew
consent); the tracer then erases what it received.

The request carries the child's identity (so the relative can be told who is looking for them)
and the relative sought (family); the relative's contact details (contact and location) only
when the sender chooses to. ``plumbing.prepare`` checks, before anything is sealed, that the
sender may read each category for family tracing and that an agreement in force grants the
receiving organisation each one: nothing leaves otherwise. Both sides' case timelines show the
request, the notes and the result; the result sets the relative's status of contact.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from pydantic import StrictBool, model_validator

from waymark.accounts.models import User
from waymark.cases.access import access_case
from waymark.cases.models import Case
from waymark.continuity import actions as continuity
from waymark.continuity.models import ContactStatus, Relationship, Relative
from waymark.core.clocks import ClockRule
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType, TracingOutcome, TracingWithdrawReason
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import FAMILY_TRACING, Outcome, Received
from waymark.errors import ActionError, NotFound
from waymark.vocab import DataCategory, EventType, Purpose

from .. import guard, payloads
from .. import plumbing as p
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import In, Short, Text, ToPeer
from ..timeline import add_event, add_thread_event
from . import register
from .base import Action, Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "tracing request"
FAMILY = DataCategory.FAMILY
# Without a response commitment in the agreement, the tracer has thirty days for a result.
RESULT = ClockRule("family_tracing_result", within=dt.timedelta(days=30), warn_before=dt.timedelta(days=3))
# The state a result leads to (a state fits ``Thread.status``: "in_contact", not the outcome's name).
RESULT_STATE = {
    TracingOutcome.FOUND: "found",
    TracingOutcome.NOT_FOUND: "not_found",
    TracingOutcome.CONTACT_ESTABLISHED: "in_contact",
}
_OUTCOME_WORDS = {
    TracingOutcome.FOUND: "found",
    TracingOutcome.NOT_FOUND: "not found",
    TracingOutcome.CONTACT_ESTABLISHED: "contact established",
}


class TracingRequestIn(ToPeer):
    """Ask ``to_org`` to trace the case's relative ``relative`` (its public id)."""

    purpose: Purpose = Purpose.FAMILY_TRACING
    relative: uuid.UUID
    note: Text = ""
    # Send the relative's contact details as recorded (contact and location data).
    share_contact: StrictBool = False

    @model_validator(mode="after")
    def _for_tracing(self) -> TracingRequestIn:
        if self.purpose != Purpose.FAMILY_TRACING:
            raise ValueError("purpose: a tracing request is made for family tracing only")
        return self


class TracingProgressIn(In):
    note: Text
    # Our case this tracing belongs to, if the conversation is not linked to one yet.
    existing_case: Short = ""

    @model_validator(mode="after")
    def _said(self) -> TracingProgressIn:
        if not self.note:
            raise ValueError("note: say what was done or what comes next")
        return self


class TracingResultIn(In):
    outcome: TracingOutcome
    note: Text = ""
    relative_contact: Short = ""  # how to reach the relative, when contact was established
    # The relative's own agreement to their contact details being sent (their consent, not the child's).
    relative_agreed: StrictBool = False
    existing_case: Short = ""

    @model_validator(mode="after")
    def _contact(self) -> TracingResultIn:
        if self.relative_contact and self.outcome != TracingOutcome.CONTACT_ESTABLISHED:
            raise ValueError("relative_contact: only when contact was established (and the relative agreed)")
        if self.relative_contact and not self.relative_agreed:
            raise ValueError("relative_agreed: the relative's contact is sent only with their own agreement")
        return self


class TracingWithdrawIn(In):
    reason_code: TracingWithdrawReason


def _relative_sought(relative: Relative, share_contact: bool) -> m.RelativeSought:
    return m.RelativeSought(
        full_name=relative.full_name,
        name_latin=relative.name_latin,
        relationship=m.Relationship(relative.relationship),
        country=relative.country,
        last_known_place=relative.last_known_place,
        contact=relative.contact if share_contact else "",
    )


# --- sending -----------------------------------------------------------------------------------


def do_request_tracing(
    user: User, case: Case, data: TracingRequestIn, *, node: LocalNode | None = None
) -> Thread:
    """Ask another organisation to trace one of the case's relatives, against the result clock."""
    # Checked here as well as in the schema: the API sets the declared purpose on parsed input.
    if data.purpose != Purpose.FAMILY_TRACING:
        raise ActionError("a tracing request is made for family tracing only", field="purpose")
    relative = (
        Relative.objects.filter(case=case, public_id=data.relative).select_related("case__child").first()
    )
    if relative is None:
        raise ActionError("this case has no such relative", field="relative")
    if relative.contact_status == ContactStatus.DECEASED:
        raise ActionError("this relative is recorded as deceased", field="relative")
    if data.share_contact and not relative.contact:
        raise ActionError("no contact details are recorded for this relative", field="share_contact")
    if data.share_contact and not relative.contact_consent:
        raise ActionError(
            "the relative has not agreed to their contact details being shared: record their consent first",
            field="share_contact",
        )
    sought = _relative_sought(relative, data.share_contact)
    child = payloads.child_summary(case, [DataCategory.IDENTITY])

    def body(reply_by: dt.datetime) -> m.TracingRequest:
        return m.TracingRequest(child=child, relative=sought, note=data.note, reply_by=reply_by)

    # As for an information request: the agreement is chosen on the categories (which do not
    # depend on the deadline), then its response commitment, if any, sets the clock.
    prepared = p.prepare(
        user, case, T.TRACING_REQUEST, body(RESULT.start(dt.datetime.now(dt.UTC)).due_at), data, node=node
    )
    within = guard.reply_deadline(prepared.agreement, T.TRACING_REQUEST, data.to_org)
    clock = RESULT.start(prepared.ctx.now, within=within)
    with transaction.atomic():
        thread, _row = p.open_thread(
            prepared,
            FAMILY_TRACING,
            user=user,
            case=case,
            body=body(clock.due_at),
            summary="Family tracing request to",
            data={"relative": sought.model_dump(mode="json"), "note": data.note},
            facts={"relative": str(relative.public_id)},
            due_at=clock.due_at,
        )
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Family tracing requested from {thread.peer_org_name}: "
            f"{m.Relationship(relative.relationship).value.replace('_', ' ')} "
            f"(result due {clock.due_at:%Y-%m-%d})",
            details=data.note,
            category=FAMILY,
            user=user,
            at=prepared.ctx.now,
        )
        continuity.do_note_tracing(case, str(relative.public_id), "requested")
    return thread


def _link_case(user: User, thread: Thread, existing_case: str) -> Case | None:
    """The tracer's own case this tracing belongs to, when they name one (checked, audited)."""
    if not existing_case:
        return None
    return payloads.check_case_for_offer(
        user, purpose=thread.purpose, writes=[FAMILY], existing_case=existing_case, linked=thread.case
    )


def _attach(locked: Thread, case: Case | None) -> None:
    """Link the conversation to the tracer's case and put the request on its timeline."""
    if case is None or locked.case is not None:
        return
    locked.case = case
    p.link(case, locked.peer_node, locked.peer_org, locked.conversation_id)
    add_thread_event(
        locked,
        type=EventType.NOTE,
        summary=f"Family tracing requested by {locked.peer_org_name}",
        details=locked.data.text("note"),
        category=FAMILY,
        at=locked.created_at,
    )


def do_send_progress(
    user: User, thread: Thread, data: TracingProgressIn, *, node: LocalNode | None = None
) -> Thread:
    """The tracer says what was done and what comes next; the tracing stays open."""
    from_org = p.check_reply(user, thread, FAMILY_TRACING, T.TRACING_PROGRESS, WHAT, "answered")
    case = _link_case(user, thread, data.existing_case)
    body = m.TracingProgress(note=data.note)
    ctx = p.context(node)
    ours = case or thread.case
    if ours is not None:
        p.authorise_sending(user, ours, thread.purpose, m.categories_used(T.TRACING_PROGRESS, body))
    with transaction.atomic():
        locked = p.lock(thread, WHAT)
        _attach(locked, case)
        p.answer(
            ctx,
            locked,
            FAMILY_TRACING,
            user=user,
            from_org=from_org,
            type=T.TRACING_PROGRESS,
            body=body,
            summary=f"Tracing progress → {locked.peer_org_name}",
        )
        _keep_note(locked, data.note, ctx.now)
        locked.save()
        add_thread_event(
            locked,
            type=EventType.NOTE,
            summary=f"Family tracing progress sent to {locked.peer_org_name}",
            details=data.note,
            category=FAMILY,
            user=user,
            at=ctx.now,
        )
    return locked


def do_send_result(
    user: User, thread: Thread, data: TracingResultIn, *, node: LocalNode | None = None
) -> Thread:
    """The tracer's one result: found, not found or contact established."""
    from_org = p.check_reply(user, thread, FAMILY_TRACING, T.TRACING_RESULT, WHAT, "answered")
    case = _link_case(user, thread, data.existing_case)
    body = m.TracingResult(outcome=data.outcome, note=data.note, relative_contact=data.relative_contact)
    ctx = p.context(node)
    ours = case or thread.case
    if ours is not None:
        p.authorise_sending(user, ours, thread.purpose, m.categories_used(T.TRACING_RESULT, body))
    with transaction.atomic():
        locked = p.lock(thread, WHAT)
        _attach(locked, case)
        p.answer(
            ctx,
            locked,
            FAMILY_TRACING,
            user=user,
            from_org=from_org,
            type=T.TRACING_RESULT,
            body=body,
            summary=f"Tracing result → {locked.peer_org_name}",
            target=RESULT_STATE[data.outcome],
        )
        locked.data.put(result=body.model_dump(mode="json"))
        locked.answered_at = ctx.now
        locked.answered_by = user
        locked.save()
        add_thread_event(
            locked,
            type=EventType.NOTE,
            summary=f"Family tracing result sent to {locked.peer_org_name}: {_OUTCOME_WORDS[data.outcome]}",
            details=data.note,
            category=FAMILY,
            user=user,
            at=ctx.now,
        )
    return locked


def do_withdraw_tracing(
    user: User, thread: Thread, data: TracingWithdrawIn, *, node: LocalNode | None = None
) -> Thread:
    """The requester withdraws: the tracer stops and erases what it received."""
    with transaction.atomic():
        locked = p.reply(
            user,
            thread,
            FAMILY_TRACING,
            T.TRACING_WITHDRAW,
            m.TracingWithdraw(reason_code=data.reason_code),
            what=WHAT,
            verb="withdrawn",
            summary=f"Tracing withdrawn → {thread.peer_org_name}",
            node=node,
        )
        add_thread_event(
            locked,
            type=EventType.NOTE,
            summary=f"Family tracing request to {locked.peer_org_name} withdrawn "
            f"({data.reason_code.value.replace('_', ' ')})",
            category=FAMILY,
            user=user,
        )
    return locked


def _keep_note(thread: Thread, note: str, at: dt.datetime) -> None:
    notes = thread.data.doc("notes", list)
    thread.data.put(notes=[*notes, {"at": at.isoformat(), "note": note}])


# --- receiving ---------------------------------------------------------------------------------


def _on_request(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.TracingRequest)
    thread = p.open_incoming(
        FAMILY_TRACING,
        opened,
        registry,
        now,
        data={
            "child": body.child.model_dump(mode="json"),
            "relative": body.relative.model_dump(mode="json"),
            "note": body.note,
        },
        due_at=max(body.reply_by, now),
    )
    add_thread_event(
        thread,
        type=EventType.NOTE,
        summary=f"Family tracing requested by {thread.peer_org_name} (result by {body.reply_by:%Y-%m-%d})",
        details=body.note,
        category=FAMILY,
        at=now,
    )
    return thread


def _on_progress(thread: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.TracingProgress)
    _keep_note(thread, body.note, now)
    if received.outcome is Outcome.APPLY:
        add_thread_event(
            thread,
            type=EventType.NOTE,
            summary=f"Family tracing progress from {thread.peer_org_name}",
            details=body.note,
            category=FAMILY,
            at=now,
        )


def _on_result(thread: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.TracingResult)
    thread.data.put(result=body.model_dump(mode="json"))
    if received.outcome is not Outcome.APPLY:
        return  # it crossed our withdrawal: recorded, nothing follows
    thread.answered_at = now
    late = thread.due_at is not None and now > thread.due_at
    add_thread_event(
        thread,
        type=EventType.NOTE,
        summary=f"Family tracing result from {thread.peer_org_name}: {_OUTCOME_WORDS[body.outcome]}"
        + (" (after the deadline)" if late else ""),
        details=body.note,
        category=FAMILY,
        at=now,
    )
    relative = thread.facts.get("relative")
    if thread.case is not None and relative:
        # A result sends the relative's contact only with their agreement (``TracingResultIn``).
        agreed = now.date() if body.relative_contact else None
        continuity.do_note_tracing(thread.case, str(relative), body.outcome.value, contact_agreed_on=agreed)


def _on_withdraw(thread: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    """The requester withdrew: erase what we received about the child and the relative."""
    body = opened.body
    assert isinstance(body, m.TracingWithdraw)
    thread.data.put(child={}, relative={}, note="", notes=[], result={})
    add_thread_event(
        thread,
        type=EventType.NOTE,
        summary=f"Family tracing withdrawn by {thread.peer_org_name} ({body.reason_code.value.replace('_', ' ')})",
        category=FAMILY,
        at=now,
    )


def _target(body: m.Body) -> str | None:
    return RESULT_STATE[body.outcome] if isinstance(body, m.TracingResult) else None


# --- pages -------------------------------------------------------------------------------------


def _result_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    fields = {k: v for k, v in post.items() if k not in ("csrfmiddlewaretoken", "relative_agreed")}
    return {**fields, "relative_agreed": post.get("relative_agreed") == "on"}


def _request_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {
        **peer_fields(post),
        "relative": post.get("relative", ""),
        "note": post.get("note", ""),
        "share_contact": post.get("share_contact") == "on",
    }


def _page(thread: Thread) -> dict[str, Any]:
    relative = thread.data.doc("relative")
    if relative.get("relationship") in Relationship.values:
        relative = {**relative, "relationship": Relationship(relative["relationship"]).label}
    return {
        "child": thread.data.doc("child"),
        "relative": relative,
        "note": thread.data.text("note"),
        "notes": thread.data.doc("notes", list),
        "result": thread.data.doc("result"),
        "outcomes": list(TracingOutcome),
        "withdraw_reasons": list(TracingWithdrawReason),
    }


def _redact(ctx: dict[str, Any], refused: frozenset[str]) -> dict[str, Any]:
    if DataCategory.CONTACT_LOCATION in refused:
        relative = {k: v for k, v in ctx.get("relative", {}).items() if k != "contact"}
        result = {k: v for k, v in ctx.get("result", {}).items() if k != "relative_contact"}
        ctx = {**ctx, "relative": relative, "result": result}
    return ctx


def _offered(user: User, case: Case, _threads: Any) -> bool:
    """Offered when the case has a relative and the user reads the family for family tracing:
    the form lists the relatives (decided and audited here, for that purpose)."""
    if not Relative.objects.filter(case=case).exists():
        return False
    try:
        seen = access_case(user, case.public_id, Purpose.FAMILY_TRACING)
    except NotFound:
        return False
    return seen.can(FAMILY)


def _to_trace(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING, status=FAMILY_TRACING.opened).order_by("due_at")


def _awaiting(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status=FAMILY_TRACING.opened).order_by("due_at")


KIND = register(
    ThreadKind(
        conversation=FAMILY_TRACING,
        slug="tracing",
        label=_("Family tracing"),
        line="exchange/family_tracing/_line.html",
        on_open=_on_request,
        on_message={
            T.TRACING_PROGRESS: _on_progress,
            T.TRACING_RESULT: _on_result,
            T.TRACING_WITHDRAW: _on_withdraw,
        },
        target=_target,
        clock=RESULT,
        actions={
            "progress": Action(T.TRACING_PROGRESS, TracingProgressIn, do_send_progress),
            "result": Action(T.TRACING_RESULT, TracingResultIn, do_send_result, data=_result_form),
            "withdraw": Action(T.TRACING_WITHDRAW, TracingWithdrawIn, do_withdraw_tracing),
        },
        opening=Opening(
            TracingRequestIn,
            do_request_tracing,
            _request_form,
            form="exchange/family_tracing/_open.html",
            shown=_offered,
        ),
        page="exchange/family_tracing.html",
        page_context=_page,
        redactable=frozenset({DataCategory.CONTACT_LOCATION}),
        redact=_redact,
        panels=(
            Panel(
                32,
                "tracing-in",
                _("Family tracing asked of us"),
                _("No tracing request is waiting for our result."),
                _to_trace,
                "exchange/family_tracing/_panel_line.html",
            ),
            Panel(
                42,
                "tracing-out",
                _("Family tracing we asked for"),
                _("We are not waiting for any tracing result."),
                _awaiting,
                "exchange/family_tracing/_panel_line.html",
            ),
        ),
        states={
            "requested": _("Tracing under way"),
            "found": _("Found"),
            "not_found": _("Not found"),
            "in_contact": _("Contact established"),
            "withdrawn": _("Withdrawn"),
        },
        messages={
            T.TRACING_REQUEST: _("Tracing request"),
            T.TRACING_PROGRESS: _("Progress note"),
            T.TRACING_RESULT: _("Result"),
            T.TRACING_WITHDRAW: _("Withdrawal"),
        },
        order=37,
    )
)
