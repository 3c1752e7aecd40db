"""What every conversation kind does the same way: who may exchange, the context of a send,
authorising what is sent, opening a thread, answering in one, recording the ledger, and finding
the thread an inbound answer belongs to.

The thread modules (``threads/``) compose these inside their ``do_*`` actions and inbound
handlers. Nothing here touches the network: a send is an outbox row written in the caller's
transaction (transactional outbox); the dispatcher delivers it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from waymark.accounts.models import Organisation, User
from waymark.audit import service as audit
from waymark.cases.models import Case
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import Body, MessageType, categories_used
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Agreement, Registry
from waymark.core.protocol.threads import Conversation, Side
from waymark.errors import ActionError
from waymark.policy import service as policy
from waymark.policy.contexts import fits
from waymark.vocab import AuditDecision, AuditKind, PolicyAction, Role, Sector

from . import contexts, guard, outbound
from .models import CaseLink, Direction, OutboxMessage, Thread, ThreadMessage
from .node import LocalNode, local_node
from .registry import ExchangeUnavailable, current_registry
from .schemas import ToPeer

# Who may act for their organisation in the exchange.
EXCHANGE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.POLICE_OFFICER, Role.HOTLINE_OPERATOR})


class Refusal(Exception):
    """An inbound message is authentic and allowed, but does not fit: refuse it (final)."""

    def __init__(self, reason: ReasonCode, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Context:
    node: LocalNode
    registry: Registry
    now: dt.datetime


def context(node: LocalNode | None) -> Context:
    """This node and the registry in force; ``ActionError`` if the exchange is unavailable."""
    now = timezone.now()
    try:
        node = node or local_node()
        registry = current_registry(now)
        node.check_listed(registry)
    except ExchangeUnavailable as exc:
        raise ActionError(f"the exchange is unavailable: {exc.reason}") from exc
    return Context(node, registry, now)


def may_exchange(user: User, roles: Iterable[str] = EXCHANGE_ROLES) -> bool:
    """May this user exchange with other organisations at all (deny by default)? ``roles``: the
    roles that act in the exchange (a kind may name its own: Dublin officers in take-charge
    requests, ``ThreadKind.roles``)."""
    org = user.organisation
    return (
        user.is_active
        and org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and user.role in frozenset(roles)
    )


def require_member(user: User, roles: Iterable[str] = EXCHANGE_ROLES) -> str:
    """The user's organisation slug, if they may use the exchange at all (in ``roles``)."""
    if not may_exchange(user, roles):
        raise ActionError("your account may not exchange data with other organisations")
    assert user.organisation is not None
    return user.organisation.slug


def authorise_sending(user: User, case: Case, purpose: str, categories: Iterable[str]) -> None:
    """The user must be allowed to read every category they send, for this purpose."""
    wanted = sorted(set(categories))
    if not wanted:
        return
    decisions = policy.authorize(user, case, purpose=purpose, categories=wanted, action=PolicyAction.READ)
    refused = [c for c, d in decisions.items() if not d.allowed]
    if refused:
        audit.record(
            AuditKind.ACCESS_DECISION,
            actor=user,
            purpose=purpose,
            decision=AuditDecision.DENY,
            reasons=sorted({r for c in refused for r in decisions[c].reasons}),
            subject=case.audit_subject,
            categories=refused,
            details={"action": "send"},
        )
        raise ActionError(
            f"you may not share {', '.join(refused)} of this case for {purpose}", field="purpose"
        )


def org_name(registry: Registry, slug: str) -> str:
    org = registry.organisation(slug)
    return f"{org.name} ({org.country})" if org else slug


def choose_agreement(
    ctx: Context, from_org: str, to_org: str, purpose: str, body: Body, type: MessageType, named: str = ""
) -> Agreement:
    """The agreement the receiver will accept this message under (``ActionError`` if none)."""
    return guard.choose_agreement(
        ctx.registry,
        from_org=from_org,
        to_org=to_org,
        purpose=purpose,
        categories=categories_used(type, body),
        type=type,
        now=ctx.now,
        agreement_id=named,
    )


def link(case: Case, peer_node: str, peer_org: str, conversation_id: str) -> None:
    CaseLink.objects.get_or_create(
        case=case, peer_node=peer_node, peer_org=peer_org, conversation_id=conversation_id
    )


def linked_case(*, peer_node: str, peer_org: str, conversation_id: str, local_org: str) -> Case | None:
    """The local case this conversation with that peer is about, if one is linked."""
    found = (
        CaseLink.objects.filter(
            peer_node=peer_node,
            peer_org=peer_org,
            conversation_id=conversation_id,
            case__organisation__slug=local_org,
        )
        .select_related("case")
        .first()
    )
    return found.case if found else None


def _linked_conversation(case: Case, peer_node: str, peer_org: str) -> str | None:
    """The conversation about ``case`` already linked with that peer, if any."""
    found = CaseLink.objects.filter(case=case, peer_node=peer_node, peer_org=peer_org).order_by("id").first()
    return found.conversation_id if found else None


def send(
    ctx: Context,
    *,
    user: User,
    case: Case | None,
    type: MessageType,
    body: Body,
    from_org: str,
    to_org: str,
    agreement_id: str,
    purpose: str,
    conversation_id: str,
    summary: str,
    in_reply_to: uuid.UUID | None = None,
) -> OutboxMessage:
    """Seal ``body`` for ``to_org`` and write it to the outbox. Call inside the action's transaction."""
    header = outbound.build_header(
        ctx.node,
        ctx.registry,
        type=type,
        body=body,
        conversation_id=conversation_id,
        from_org=from_org,
        to_org=to_org,
        agreement_id=agreement_id,
        purpose=purpose,
        now=ctx.now,
        in_reply_to=in_reply_to,
    )
    return outbound.enqueue(ctx.node, ctx.registry, header, body, case=case, user=user, summary=summary)


def record(
    thread: Thread,
    *,
    message_id: uuid.UUID,
    direction: Direction,
    type: MessageType,
    at: dt.datetime,
    by: User | None = None,
    note: str = "",
) -> ThreadMessage:
    """Write one message of ``thread`` to the ledger."""
    row = ThreadMessage(thread=thread, message_id=message_id, direction=direction, type=type, at=at, by=by)
    row.note = note
    row.save(force_insert=True)
    return row


def note_of(body: Body) -> str:
    """What a reply says in words: its codes as words, its note, its contact."""
    parts: list[str] = []
    for name in ("reason_code", "outcome"):
        value = getattr(body, name, None)
        if value:
            parts.append(str(value).replace("_", " ").capitalize())
    for name, prefix in (("note", ""), ("contact", "Contact: ")):
        value = getattr(body, name, "")
        if value:
            parts.append(f"{prefix}{value}")
    return "\n".join(parts)


# --- opening a thread ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A thread about to be opened, checked as the receiver will check it."""

    ctx: Context
    from_org: str
    to_org: str
    purpose: str
    agreement: Agreement


def prepare(
    user: User,
    case: Case,
    type: MessageType,
    body: Body,
    to: ToPeer,
    *,
    node: LocalNode | None,
    as_guardian: bool = False,
    roles: Iterable[str] = EXCHANGE_ROLES,
) -> Prepared:
    """Before anything is sealed: the user may exchange, the exchange is available, the user may
    read every category ``body`` carries for ``to.purpose``, and an agreement in force allows it
    (``to.agreement_id`` if named). ``ActionError`` says which failed.

    ``as_guardian``: the kind lets the child's appointed guardian send about their own ward (a
    guardian hand-over), though guardians are not among ``EXCHANGE_ROLES``; the policy and the
    agreement are checked all the same. ``roles``: who acts in this kind's exchange (a
    take-charge request: Dublin officers)."""
    if as_guardian and user.role == Role.GUARDIAN and case.guardian_id == user.pk:
        org = user.organisation
        if not user.is_active or org is None or org.sector == Sector.IMMIGRATION_ENFORCEMENT:
            raise ActionError("your account may not exchange data with other organisations")
        from_org = org.slug
    else:
        from_org = require_member(user, roles)
    if not fits(to.purpose, case.status):
        # The receiver cannot see the case: the sender checks that the purpose fits the child.
        raise ActionError(
            "locating a missing child is a purpose only while the child is missing: "
            "record the disappearance first, or choose another purpose",
            field="purpose",
        )
    ctx = context(node)
    authorise_sending(user, case, to.purpose, categories_used(type, body))
    agreement = choose_agreement(ctx, from_org, to.to_org, to.purpose, body, type, to.agreement_id)
    check_consent(case, agreement.identifier, to.to_org, to.purpose, categories_used(type, body), ctx.now)
    return Prepared(ctx, from_org, to.to_org, to.purpose, agreement)


def check_consent(
    case: Case, agreement_id: str, to_org: str, purpose: str, categories: Iterable[str], now: dt.datetime
) -> None:
    """Where the agreement rests on the child's consent, the child must have consented to sharing
    every category sent with that organisation for this purpose (docs/firewall.md, "Consent")."""
    # The registry's agreements are cached in process (one cheap revision query when unchanged).
    if not any(a.requires_consent for a in policy.registry_agreements() if a.identifier == agreement_id):
        return
    given = policy.valid_consents([case], to_org, timezone.localdate(now)).get(case.pk, frozenset())
    missing = sorted(c for c in set(categories) if (to_org, purpose, c) not in given)
    if missing:
        raise ActionError(
            f"agreement {agreement_id} rests on the child's consent, and the child has not consented to "
            f"sharing {', '.join(missing)} with {to_org} for {purpose}",
            field="purpose",
        )


def open_thread(
    prepared: Prepared,
    conversation: Conversation,
    *,
    user: User,
    case: Case,
    body: Body,
    summary: str,
    data: dict[str, Any] | None = None,
    note: str = "",
    **fields: Any,
) -> tuple[Thread, OutboxMessage]:
    """Start (or continue) the conversation about ``case`` with the prepared organisation:
    enqueue the opening message, write the thread (its ``data`` sealed; the row stands for the
    opening message, which has a ledger row only if it carries a ``note``), link the case. Call inside the action's transaction."""
    ctx, to_org, purpose = prepared.ctx, prepared.to_org, prepared.purpose
    type = conversation.opens_with
    peer = ctx.registry.node_for_org(to_org)
    assert peer is not None  # choose_agreement checked the organisation
    peer_name = org_name(ctx.registry, to_org)[:200]
    # Continue the conversation already linked with that peer, else start one named by the case.
    linked = _linked_conversation(case, peer.node_id, to_org)
    conversation_id = linked or str(case.public_id)
    row = send(
        ctx,
        user=user,
        case=case,
        type=type,
        body=body,
        from_org=prepared.from_org,
        to_org=to_org,
        agreement_id=prepared.agreement.identifier,
        purpose=purpose,
        conversation_id=conversation_id,
        summary=f"{summary} {peer_name}",
    )
    thread = Thread(
        kind=conversation.kind,
        direction=Direction.OUTGOING,
        status=conversation.opened,
        conversation_id=conversation_id,
        local_org=user.organisation,
        peer_node=peer.node_id,
        peer_org=to_org,
        peer_org_name=peer_name,
        agreement_id=prepared.agreement.identifier,
        purpose=purpose,
        categories=sorted(categories_used(type, body)),
        case=case,
        opened_message_id=row.message_id,
        opened_by=user,
        created_at=ctx.now,
        updated_at=ctx.now,
        **fields,
    )
    thread.data.put(**(data or {}))
    thread.save(force_insert=True)
    if note:  # else the thread row stands for its opening message (``models.ThreadMessage``)
        record(
            thread,
            message_id=row.message_id,
            direction=Direction.OUTGOING,
            type=type,
            at=ctx.now,
            by=user,
            note=note,
        )
    if linked is None:
        link(case, row.to_node, to_org, conversation_id)
    contexts.on_sent(thread, ctx.now)
    return thread, row


def open_incoming(
    conversation: Conversation,
    opened: Opened,
    registry: Registry,
    now: dt.datetime,
    *,
    data: dict[str, Any] | None = None,
    note: str = "",
    **fields: Any,
) -> Thread:
    """The thread a received opening message starts here (the row stands for the message; a
    ledger row holds it only if it carries a ``note``)."""
    h = opened.header
    thread = Thread(
        kind=conversation.kind,
        direction=Direction.INCOMING,
        status=conversation.opened,
        conversation_id=h.conversation_id,
        local_org=Organisation.objects.get(slug=h.to_org),
        peer_node=h.from_node,
        peer_org=h.from_org,
        peer_org_name=org_name(registry, h.from_org)[:200],
        agreement_id=h.agreement_id,
        purpose=h.purpose.value,
        categories=[c.value for c in h.data_categories],
        case=linked_case(
            peer_node=h.from_node, peer_org=h.from_org, conversation_id=h.conversation_id, local_org=h.to_org
        ),
        opened_message_id=h.message_id,
        created_at=now,
        updated_at=now,
        **fields,
    )
    thread.data.put(**(data or {}))
    thread.save(force_insert=True)
    if note:  # else the thread row stands for its opening message (``models.ThreadMessage``)
        record(thread, message_id=h.message_id, direction=Direction.INCOMING, type=h.type, at=now, note=note)
    return thread


# --- answering in a thread ----------------------------------------------------------------------


def side_of(thread: Thread) -> Side:
    return Side.OPENER if thread.direction == Direction.OUTGOING else Side.RESPONDER


def check_reply(
    user: User,
    thread: Thread,
    conversation: Conversation,
    type: MessageType,
    what: str,
    verb: str,
    roles: Iterable[str] = EXCHANGE_ROLES,
) -> str:
    """May ``user`` send ``type`` in ``thread`` now? Their organisation's slug, else ``ActionError``."""
    from_org = require_member(user, roles)
    if thread.local_org_id != user.organisation_id:
        raise ActionError(f"this {what} belongs to another organisation")
    if not conversation.may_send(thread.status, side_of(thread), type):
        raise ActionError(f"this {what} cannot be {verb}: it is {thread.status}")
    return from_org


def lock(thread: Thread, what: str) -> Thread:
    """The thread row, locked, unchanged since the page was drawn; ``ActionError`` otherwise.
    Call inside the action's transaction."""
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.status != thread.status:
        raise ActionError(f"someone else answered this {what} meanwhile; reload the page")
    return locked


def answer(
    ctx: Context,
    thread: Thread,
    conversation: Conversation,
    *,
    user: User,
    from_org: str,
    type: MessageType,
    body: Body,
    summary: str,
    target: str | None = None,
    case: Case | None = None,
) -> OutboxMessage:
    """Send ``body`` back to the thread's peer, in its conversation and under its purpose, with
    the agreement chosen as the receiver will check it; record it in the ledger and move the
    thread (not yet saved). Call inside the action's transaction, on the locked thread."""
    agreement = choose_agreement(ctx, from_org, thread.peer_org, thread.purpose, body, type)
    row = send(
        ctx,
        user=user,
        case=case or thread.case,
        type=type,
        body=body,
        from_org=from_org,
        to_org=thread.peer_org,
        agreement_id=agreement.identifier,
        purpose=thread.purpose,
        conversation_id=thread.conversation_id,
        summary=summary,
        in_reply_to=thread.opened_message_id,
    )
    record(
        thread,
        message_id=row.message_id,
        direction=Direction.OUTGOING,
        type=type,
        at=ctx.now,
        by=user,
        note=note_of(body),
    )
    thread.status = conversation.after_sending(thread.status, side_of(thread), type, target)
    thread.updated_at = ctx.now
    contexts.on_sent(thread, ctx.now, case)
    return row


def reply(
    user: User,
    thread: Thread,
    conversation: Conversation,
    type: MessageType,
    body: Body,
    *,
    what: str,
    verb: str,
    summary: str,
    node: LocalNode | None,
    target: str | None = None,
) -> Thread:
    """``check_reply``, authorise, lock, ``answer`` and save, in one transaction: the whole of a
    reply with no other effect (the caller adds its own inside ``transaction.atomic`` if any)."""
    from_org = check_reply(user, thread, conversation, type, what, verb)
    ctx = context(node)
    if thread.case is not None:
        authorise_sending(user, thread.case, thread.purpose, categories_used(type, body))
    with transaction.atomic():
        locked = lock(thread, what)
        answer(
            ctx,
            locked,
            conversation,
            user=user,
            from_org=from_org,
            type=type,
            body=body,
            summary=summary,
            target=target,
        )
        locked.save()
    return locked


def thread_answered(conversation: Conversation, header: m.Header, what: str) -> Thread:
    """The thread of ``conversation`` that an inbound ``header`` answers (its ``in_reply_to``
    names the opening message) with the sending organisation; ``Refusal`` if there is none."""
    if header.in_reply_to is None:
        raise Refusal(ReasonCode.SCHEMA_INVALID, f"a {header.type.value} must name the message it answers")
    # An answer from the responder lands on the thread we opened; a later word from the opener
    # (a revoke) on the thread they opened here.
    ours = conversation.sender(header.type) == Side.RESPONDER
    found = (
        Thread.objects.filter(
            kind=conversation.kind,
            opened_message_id=header.in_reply_to,
            direction=Direction.OUTGOING if ours else Direction.INCOMING,
            peer_node=header.from_node,
            peer_org=header.from_org,
            local_org__slug=header.to_org,
        )
        .select_related("case", "local_org")
        .first()
    )
    if found is None:
        offered = "offered to" if ours else "offered by"
        raise Refusal(ReasonCode.NOT_PARTY, f"in_reply_to names no {what} {offered} the sending organisation")
    return found
