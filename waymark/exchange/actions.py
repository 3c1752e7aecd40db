"""Actions: what people do with other nodes. The only writers of the exchange threads.

Each ``do_*`` runs in one transaction: the business rows (referral, request, notice, steps), the
timeline entry, the outbox row with its sealed envelope, and the audit entry commit together,
or nothing does (transactional outbox). The network is never touched here; the dispatcher
sends the outbox.

Before anything is sealed the sender checks, with the registry in force and the policy engine,
exactly what the receiver will check (``guard.choose_agreement``), plus that this user may read
every category being sent (``policy.service.authorize``). A refusal is an ``ActionError`` that
says why; an unusable registry or missing keys is an ``ActionError`` saying the exchange is
unavailable (fail closed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.cases import actions as case_actions
from waymark.cases.models import CarePlan, Case, Event, NameKind, sealed_field
from waymark.cases.schemas import AliasIn, CarePlanIn, CaseIn, ChildIn, IdentifierIn, RegisterChildIn
from waymark.core.protocol import messages as m
from waymark.core.protocol.messages import Body, MessageType, categories_used
from waymark.core.protocol.registry import Agreement, Registry
from waymark.errors import ActionError, field_errors
from waymark.policy import service as policy
from waymark.vault import service as vault
from waymark.vocab import (
    AuditDecision,
    AuditKind,
    CaseStatus,
    DataCategory,
    EventType,
    PolicyAction,
    Role,
    Sector,
)

from . import guard, outbound
from .handlers import org_name, reply_text
from .models import (
    CaseLink,
    Direction,
    InfoRequest,
    InfoRequestStatus,
    Notice,
    OutboxMessage,
    Referral,
    ReferralAction,
    ReferralStatus,
    ReferralStep,
    Transfer,
    TransferStatus,
)
from .node import LocalNode, local_node
from .registry import ExchangeUnavailable, current_registry
from .schemas import (
    InfoAnswerIn,
    InfoRequestIn,
    NoticeIn,
    ReferralAcceptIn,
    ReferralDoneIn,
    ReferralIn,
    ReferralRejectIn,
    ReferralRevokeIn,
    TransferAcceptIn,
    TransferIn,
    TransferRejectIn,
)
from .sealed import create_sealed
from .timeline import add_event

# Without a response commitment in the agreement, a request asks for a reply within a week.
DEFAULT_REPLY_WITHIN = dt.timedelta(days=7)
# Who may act for their organisation in the exchange.
EXCHANGE_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.POLICE_OFFICER, Role.HOTLINE_OPERATOR})


@dataclass(frozen=True)
class _Context:
    node: LocalNode
    registry: Registry
    now: dt.datetime


def _context(node: LocalNode | None) -> _Context:
    now = timezone.now()
    try:
        node = node or local_node()
        registry = current_registry(now)
        node.check_listed(registry)
    except ExchangeUnavailable as exc:
        raise ActionError(f"the exchange is unavailable: {exc.reason}") from exc
    return _Context(node, registry, now)


def may_exchange(user: User) -> bool:
    """May this user exchange with other organisations at all (deny by default)?"""
    org = user.organisation
    return (
        user.is_active
        and org is not None
        and org.sector != Sector.IMMIGRATION_ENFORCEMENT
        and user.role in EXCHANGE_ROLES
    )


def _require_member(user: User) -> str:
    """The user's organisation slug, if they may use the exchange at all."""
    if not may_exchange(user):
        raise ActionError("your account may not exchange data with other organisations")
    assert user.organisation is not None
    return user.organisation.slug


def _authorise_sending(user: User, case: Case, purpose: str, categories: Iterable[str]) -> None:
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


def _link(case: Case, peer_node: str, peer_org: str, conversation_id: str) -> None:
    CaseLink.objects.get_or_create(
        case=case, peer_node=peer_node, peer_org=peer_org, conversation_id=conversation_id
    )


def _conversation_for(case: Case, peer_node: str, peer_org: str) -> str:
    """The conversation about ``case`` with that peer: the one already linked, else the case's id."""
    link = CaseLink.objects.filter(case=case, peer_node=peer_node, peer_org=peer_org).order_by("id").first()
    return link.conversation_id if link else str(case.public_id)


def _send(
    ctx: _Context,
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


def _answer(
    ctx: _Context,
    thread: Referral | InfoRequest | Transfer,
    *,
    user: User,
    from_org: str,
    case: Case | None,
    type: MessageType,
    body: Body,
    summary: str,
    in_reply_to: uuid.UUID,
) -> OutboxMessage:
    """Send ``body`` back to the thread's peer, in its conversation and under its purpose, with the
    agreement chosen as the receiver will check it. Call inside the action's transaction."""
    agreement = _agreement(ctx, from_org, thread.peer_org, thread.purpose, body, type)
    return _send(
        ctx,
        user=user,
        case=case,
        type=type,
        body=body,
        from_org=from_org,
        to_org=thread.peer_org,
        agreement_id=agreement.identifier,
        purpose=thread.purpose,
        conversation_id=thread.conversation_id,
        summary=summary,
        in_reply_to=in_reply_to,
    )


def _agreement(
    ctx: _Context, from_org: str, to_org: str, purpose: str, body: Body, type: MessageType, named: str = ""
) -> Agreement:
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


def _thread_fields(
    ctx: _Context,
    *,
    user: User,
    case: Case | None,
    to_org: str,
    agreement: Agreement,
    purpose: str,
    body: Body,
    type: MessageType,
    conversation_id: str,
) -> dict[str, object]:
    peer = ctx.registry.node_for_org(to_org)
    assert peer is not None  # choose_agreement checked the organisation
    return {
        "direction": Direction.OUTGOING,
        "conversation_id": conversation_id,
        "local_org": user.organisation,
        "peer_node": peer.node_id,
        "peer_org": to_org,
        "peer_org_name": org_name(ctx.registry, to_org)[:200],
        "agreement_id": agreement.identifier,
        "purpose": purpose,
        "categories": sorted(categories_used(type, body)),
        "case": case,
        "created_at": ctx.now,
        "updated_at": ctx.now,
    }


def _open_thread(
    ctx: _Context,
    *,
    user: User,
    case: Case,
    from_org: str,
    to_org: str,
    agreement: Agreement,
    purpose: str,
    body: Body,
    type: MessageType,
    summary: Callable[[str], str],
) -> tuple[dict[str, object], OutboxMessage]:
    """Start (or continue) the conversation about ``case`` with ``to_org`` and enqueue the first
    message: the thread row's fields and the outbox row. Call inside the action's transaction."""
    fields = _thread_fields(
        ctx,
        user=user,
        case=case,
        to_org=to_org,
        agreement=agreement,
        purpose=purpose,
        body=body,
        type=type,
        conversation_id="",
    )
    conversation_id = _conversation_for(case, str(fields["peer_node"]), to_org)
    fields["conversation_id"] = conversation_id
    row = _send(
        ctx,
        user=user,
        case=case,
        type=type,
        body=body,
        from_org=from_org,
        to_org=to_org,
        agreement_id=agreement.identifier,
        purpose=purpose,
        conversation_id=conversation_id,
        summary=summary(str(fields["peer_org_name"])),
    )
    return fields, row


# --- referral: offer (referrer) ----------------------------------------------------------------


def child_summary(case: Case, include: Iterable[str]) -> m.ChildSummary:
    """The child as the referral describes them: identity always, legal status if included."""
    child = case.child
    wanted = set(include)
    fields: dict[str, object] = {
        "given_names": child.given_names,
        "family_name": child.family_name,
        "name_latin": child.name_latin,
        "aliases": tuple(child.names.filter(kind=NameKind.ALIAS).values_list("full_name", flat=True)),
        "sex": child.sex,
        "birth_date": child.birth_date,
        "birth_date_precision": child.birth_date_precision
        if (child.birth_date or child.assessed_age_min is not None)
        else None,
        "assessed_age_min": child.assessed_age_min,
        "assessed_age_max": child.assessed_age_max,
        "languages": tuple(child.languages or ()),
        "is_fictional": child.is_fictional,
    }
    if DataCategory.LEGAL_STATUS in wanted:
        fields["nationality"] = child.nationality
        fields["identifiers"] = tuple(
            m.IdentifierBody(scheme=i.scheme, value=i.value, issued_by=i.issued_by)
            for i in child.identifiers.all()
        )
    return m.ChildSummary.model_validate(fields)


def case_summary(case: Case, include: Iterable[str]) -> m.CaseSummary:
    wanted = set(include)
    fields: dict[str, object] = {}
    if DataCategory.CASE_NOTES in wanted:
        fields.update(
            status=case.status,
            missing_category=case.missing_category or None,
            risk_level=case.risk_level,
            risk_reasons=vault.reveal(case.child, "cases.case.risk_reasons", case.risk_reasons),
        )
    if DataCategory.FAMILY in wanted:
        fields.update(unaccompanied=case.unaccompanied, separated=case.separated)
    return m.CaseSummary.model_validate(fields)


def do_offer_referral(user: User, case: Case, data: ReferralIn, *, node: LocalNode | None = None) -> Referral:
    """Refer ``case``'s child to ``data.to_org`` on another node (or this one)."""
    from_org = _require_member(user)
    ctx = _context(node)
    body = m.ReferralOffer(
        child=child_summary(case, data.include),
        case=case_summary(case, data.include),
        reason=data.reason,
        services_requested=tuple(data.services_requested),
    )
    type = MessageType.REFERRAL_OFFER
    _authorise_sending(user, case, data.purpose, categories_used(type, body))
    agreement = _agreement(ctx, from_org, data.to_org, data.purpose, body, type, data.agreement_id)
    with transaction.atomic():
        fields, row = _open_thread(
            ctx,
            user=user,
            case=case,
            from_org=from_org,
            to_org=data.to_org,
            agreement=agreement,
            purpose=data.purpose,
            body=body,
            type=type,
            summary=lambda peer: f"Referral to {peer}",
        )
        referral = create_sealed(
            Referral,
            {"reason": data.reason},
            **fields,
            status=ReferralStatus.OFFERED,
            offer_message_id=row.message_id,
        )
        create_sealed(
            ReferralStep,
            {"reason": data.reason},
            referral=referral,
            message_id=row.message_id,
            action=ReferralAction.OFFER,
            direction=Direction.OUTGOING,
            at=ctx.now,
            by=user,
        )
        _link(case, row.to_node, data.to_org, row.conversation_id)
        add_event(
            case,
            type=EventType.REFERRAL,
            summary=f"Referral offered to {referral.peer_org_name}",
            details=data.reason,
            user=user,
            at=ctx.now,
        )
    return referral


def do_revoke_referral(
    user: User, referral: Referral, data: ReferralRevokeIn, *, node: LocalNode | None = None
) -> Referral:
    """The referrer withdraws an offer (or ends an accepted referral)."""
    from_org = _require_member(user)
    if referral.direction != Direction.OUTGOING or referral.status not in (
        ReferralStatus.OFFERED,
        ReferralStatus.ACCEPTED,
    ):
        raise ActionError(f"this referral cannot be revoked: it is {referral.get_status_display().lower()}")
    body = m.ReferralRevoke(reason_code=data.reason_code, note=data.note)
    return _reply(
        user,
        referral,
        from_org,
        MessageType.REFERRAL_REVOKE,
        ReferralAction.REVOKE,
        ReferralStatus.REVOKED,
        body,
        node,
    )


# --- referral: accept / reject / done (receiver) ------------------------------------------------


def _offered_child(referral: Referral) -> ChildIn:
    return _child_in(referral.offer, referral.peer_org_name)


def _child_in(offer: dict[str, object], peer_org_name: str) -> ChildIn:
    """The child of an offer (referral or transfer) as this node registers them; ``ActionError``
    if the offer does not fit."""
    child = dict(offer.get("child") or {})  # type: ignore[call-overload]
    try:
        return ChildIn(
            given_names=child.get("given_names", ""),
            family_name=child.get("family_name", ""),
            name_latin=child.get("name_latin", ""),
            aliases=[
                AliasIn(full_name=a, note=f"as given by {peer_org_name}"[:300])
                for a in child.get("aliases", [])
            ],
            sex=child.get("sex", "unknown"),
            birth_date=child.get("birth_date"),
            birth_date_precision=child.get("birth_date_precision") or "exact",
            assessed_age_min=child.get("assessed_age_min"),
            assessed_age_max=child.get("assessed_age_max"),
            nationality=child.get("nationality", ""),
            languages=list(child.get("languages", [])),
            identifiers=[IdentifierIn(**i) for i in child.get("identifiers", [])],
        )
    except ValidationError as exc:
        raise ActionError(field_errors(exc, "child")) from exc


def do_accept_referral(
    user: User, referral: Referral, data: ReferralAcceptIn, *, node: LocalNode | None = None
) -> Referral:
    """Accept an offered referral: register the child here (or link a case we hold), answer."""
    from_org = _require_member(user)
    if referral.direction != Direction.INCOMING or referral.status != ReferralStatus.OFFERED:
        raise ActionError(f"this referral cannot be accepted: it is {referral.get_status_display().lower()}")
    body = m.ReferralAccept(contact=data.contact, note=data.note)
    with transaction.atomic():
        if data.existing_case:
            case = Case.objects.filter(reference=data.existing_case, organisation=user.organisation).first()
            if case is None:
                raise ActionError(
                    f"your organisation holds no case {data.existing_case}", field="existing_case"
                )
        else:
            offered = referral.offer
            case = case_actions.do_register_child(
                user,
                RegisterChildIn(child=_offered_child(referral), case=CaseIn(), confirm_not_duplicate=True),
                fictional=bool((offered.get("child") or {}).get("is_fictional")),
            )
        referral.case = case
        referral.save(update_fields=["case"])
        _link(case, referral.peer_node, referral.peer_org, referral.conversation_id)
        offer_step = referral.steps.filter(action=ReferralAction.OFFER).first()
        add_event(
            case,
            type=EventType.REFERRAL,
            summary=f"Referral offered by {referral.peer_org_name}",
            details=referral.reason,
            at=offer_step.at if offer_step else referral.created_at,
        )
        return _reply(
            user,
            referral,
            from_org,
            MessageType.REFERRAL_ACCEPT,
            ReferralAction.ACCEPT,
            ReferralStatus.ACCEPTED,
            body,
            node,
        )


def do_reject_referral(
    user: User, referral: Referral, data: ReferralRejectIn, *, node: LocalNode | None = None
) -> Referral:
    """Reject an offered referral with a reason; what was offered is then cleared."""
    from_org = _require_member(user)
    if referral.direction != Direction.INCOMING or referral.status != ReferralStatus.OFFERED:
        raise ActionError(f"this referral cannot be rejected: it is {referral.get_status_display().lower()}")
    body = m.ReferralReject(reason_code=data.reason_code, note=data.note)
    return _reply(
        user,
        referral,
        from_org,
        MessageType.REFERRAL_REJECT,
        ReferralAction.REJECT,
        ReferralStatus.REJECTED,
        body,
        node,
    )


def do_complete_referral(
    user: User, referral: Referral, data: ReferralDoneIn, *, node: LocalNode | None = None
) -> Referral:
    """Tell the referrer the referral is done, with its outcome."""
    from_org = _require_member(user)
    if referral.direction != Direction.INCOMING or referral.status != ReferralStatus.ACCEPTED:
        raise ActionError(f"this referral cannot be completed: it is {referral.get_status_display().lower()}")
    body = m.ReferralDone(outcome=data.outcome, note=data.note)
    return _reply(
        user,
        referral,
        from_org,
        MessageType.REFERRAL_DONE,
        ReferralAction.DONE,
        ReferralStatus.DONE,
        body,
        node,
    )


def _reply(
    user: User,
    referral: Referral,
    from_org: str,
    type: MessageType,
    action: ReferralAction,
    new_status: ReferralStatus,
    body: Body,
    node: LocalNode | None,
) -> Referral:
    if referral.local_org_id != user.organisation_id:
        raise ActionError("this referral belongs to another organisation")
    ctx = _context(node)
    if referral.case is not None:
        _authorise_sending(user, referral.case, referral.purpose, categories_used(type, body))
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != referral.status:
            raise ActionError("someone else answered this referral meanwhile; reload the page")
        text = "\n".join(p for p in (getattr(body, "note", ""), getattr(body, "contact", "")) if p)
        row = _answer(
            ctx,
            referral,
            user=user,
            from_org=from_org,
            case=referral.case,
            type=type,
            body=body,
            summary=f"Referral {action.label.lower()} → {referral.peer_org_name}",
            in_reply_to=referral.offer_message_id,
        )
        create_sealed(
            ReferralStep,
            {"reason": text},
            referral=referral,
            message_id=row.message_id,
            action=action,
            direction=Direction.OUTGOING,
            at=ctx.now,
            by=user,
        )
        referral.status = new_status
        referral.updated_at = ctx.now
        if action in (ReferralAction.REJECT, ReferralAction.ACCEPT, ReferralAction.REVOKE):
            referral.response_reason = text
        if action == ReferralAction.REJECT:
            referral.offer = {}  # data minimisation: nothing of a refused offer stays here
        referral.save()
        if referral.case is not None:
            add_event(
                referral.case,
                type=EventType.REFERRAL,
                summary=f"Referral {new_status.label.lower()} ({referral.peer_org_name})",
                details=text,
                user=user,
                at=ctx.now,
            )
    return referral


# --- information requests ----------------------------------------------------------------------


def do_request_information(
    user: User, case: Case, data: InfoRequestIn, *, node: LocalNode | None = None
) -> InfoRequest:
    """Ask another organisation questions about the case's child, against the reply clock."""
    from_org = _require_member(user)
    ctx = _context(node)
    questions = tuple(
        m.Question(id=f"q{i}", category=q.category, text=q.text)
        for i, q in enumerate(data.questions, start=1)
    )
    type = MessageType.INFO_REQUEST
    # The deadline depends on the agreement, the agreement on the categories: pick it with a
    # provisional deadline (categories do not depend on it), then set the real one.
    provisional = m.InfoRequest(
        questions=questions, reply_by=ctx.now + DEFAULT_REPLY_WITHIN, legal_basis=data.legal_basis
    )
    _authorise_sending(user, case, data.purpose, categories_used(type, provisional))
    agreement = _agreement(ctx, from_org, data.to_org, data.purpose, provisional, type, data.agreement_id)
    within = guard.reply_deadline(agreement, type, data.to_org) or DEFAULT_REPLY_WITHIN
    body = m.InfoRequest(questions=questions, reply_by=ctx.now + within, legal_basis=data.legal_basis)
    with transaction.atomic():
        fields, row = _open_thread(
            ctx,
            user=user,
            case=case,
            from_org=from_org,
            to_org=data.to_org,
            agreement=agreement,
            purpose=data.purpose,
            body=body,
            type=type,
            summary=lambda peer: f"Information request to {peer}",
        )
        request = create_sealed(
            InfoRequest,
            {"questions": [q.model_dump(mode="json") for q in questions]},
            **fields,
            legal_basis=data.legal_basis,
            due_at=body.reply_by,
            request_message_id=row.message_id,
            asked_by=user,
        )
        _link(case, row.to_node, data.to_org, row.conversation_id)
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Information requested from {request.peer_org_name} (reply due {body.reply_by:%Y-%m-%d %H:%M} UTC)",
            details="\n".join(q.text for q in questions),
            category=DataCategory(questions[0].category.value),
            user=user,
            at=ctx.now,
        )
    return request


def do_answer_information(
    user: User, request: InfoRequest, data: InfoAnswerIn, *, node: LocalNode | None = None
) -> InfoRequest:
    """Answer (or decline) each question of a request this organisation received."""
    from_org = _require_member(user)
    if request.direction != Direction.INCOMING or request.local_org_id != user.organisation_id:
        raise ActionError("this request was not addressed to your organisation")
    if request.status != InfoRequestStatus.OPEN:
        raise ActionError("this request has already been answered")
    by_id = {q["id"]: q for q in request.questions}
    unknown = [a.question_id for a in data.answers if a.question_id not in by_id]
    if unknown:
        raise ActionError(f"no such question: {', '.join(unknown)}", field="answers")
    answers = tuple(
        m.Answer(
            question_id=a.question_id,
            category=by_id[a.question_id]["category"],
            text=a.text,
            declined=a.declined,
        )
        for a in data.answers
    )
    body = m.InfoResponse(answers=answers)
    type = MessageType.INFO_RESPONSE
    ctx = _context(node)
    if request.case is not None:
        _authorise_sending(user, request.case, request.purpose, categories_used(type, body))
    with transaction.atomic():
        locked = InfoRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != InfoRequestStatus.OPEN:
            raise ActionError("someone else answered this request meanwhile")
        row = _answer(
            ctx,
            request,
            user=user,
            from_org=from_org,
            case=request.case,
            type=type,
            body=body,
            summary=f"Answer to {request.peer_org_name}",
            in_reply_to=request.request_message_id,
        )
        locked.answers = [a.model_dump(mode="json") for a in answers]
        locked.status = (
            InfoRequestStatus.DECLINED if all(a.declined for a in answers) else InfoRequestStatus.ANSWERED
        )
        locked.answered_at = ctx.now
        locked.answered_by = user
        locked.response_message_id = row.message_id
        locked.updated_at = ctx.now
        locked.save()
        if locked.case is not None:
            add_event(
                locked.case,
                type=EventType.NOTE,
                summary=f"Information sent to {locked.peer_org_name}",
                details="\n".join(a.text or f"(declined: {a.declined})" for a in answers),
                category=DataCategory(answers[0].category.value),
                user=user,
                at=ctx.now,
            )
    return locked


# --- notices -----------------------------------------------------------------------------------


def do_send_notice(user: User, case: Case, data: NoticeIn, *, node: LocalNode | None = None) -> Notice:
    """Send a one-way notice about the case's child to another organisation."""
    from_org = _require_member(user)
    ctx = _context(node)
    body = m.Notice(category=data.category, subject=data.subject, text=data.text)
    type = MessageType.NOTICE
    _authorise_sending(user, case, data.purpose, categories_used(type, body))
    agreement = _agreement(ctx, from_org, data.to_org, data.purpose, body, type, data.agreement_id)
    with transaction.atomic():
        fields, row = _open_thread(
            ctx,
            user=user,
            case=case,
            from_org=from_org,
            to_org=data.to_org,
            agreement=agreement,
            purpose=data.purpose,
            body=body,
            type=type,
            summary=lambda peer: f"Notice to {peer}",
        )
        notice = create_sealed(
            Notice,
            {"subject": data.subject, "text": data.text},
            **fields,
            message_id=row.message_id,
            sent_by=user,
        )
        _link(case, row.to_node, data.to_org, row.conversation_id)
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Notice sent to {notice.peer_org_name}: {data.subject}",
            details=data.text,
            category=data.category,
            user=user,
            at=ctx.now,
        )
    return notice


# --- case transfer -----------------------------------------------------------------------------

# At most this many timeline entries travel with a transfer (the protocol's limit).
TRANSFER_HISTORY_LIMIT = 500


def _history(case: Case, categories: Iterable[str]) -> tuple[m.TimelineEntry, ...]:
    """The case's timeline entries of ``categories``, oldest first (the newest 500 if longer)."""
    wanted = set(categories)
    if not wanted:
        return ()
    events = list(
        Event.objects.filter(case=case, category__in=wanted)
        .select_related("case__child")
        .order_by("-occurred_at", "-id")[:TRANSFER_HISTORY_LIMIT]
    )
    events.reverse()
    return tuple(
        m.TimelineEntry(
            type=e.type,
            occurred_at=e.occurred_at,
            source=e.source,
            category=e.category,
            summary=(e.summary_text or e.get_type_display())[:300],
            details=e.details_text[:20000],
            location=e.location,
        )
        for e in events
    )


def _care_plan(case: Case) -> m.CarePlanBody:
    plan = CarePlan.objects.filter(case=case).first()
    if plan is None:
        return m.CarePlanBody()
    child = case.child
    return m.CarePlanBody(
        needs=vault.reveal(child, sealed_field(CarePlan, "needs"), plan.needs),
        objectives=vault.reveal(child, sealed_field(CarePlan, "objectives"), plan.objectives),
        services=vault.reveal(child, sealed_field(CarePlan, "services"), plan.services),
        review_date=plan.review_date,
    )


def _guardian(case: Case) -> m.GuardianContact | None:
    guardian = case.guardian
    if guardian is None:
        return None
    return m.GuardianContact(
        name=(guardian.get_full_name() or guardian.username)[:400],
        organisation=guardian.organisation.name[:400] if guardian.organisation else "",
        contact=guardian.email[:400],
    )


def transfer_body(case: Case, data: TransferIn) -> m.CaseTransfer:
    """What a transfer of ``case`` carries, as ``data`` chooses."""
    include = set(data.include)
    return m.CaseTransfer(
        child=child_summary(case, include),
        case=case_summary(case, {DataCategory.CASE_NOTES, DataCategory.FAMILY}),
        care_plan=_care_plan(case),
        timeline=_history(case, data.history),
        guardian=_guardian(case) if DataCategory.GUARDIAN in include else None,
        sender_case_reference=case.reference,
        reason=data.reason,
    )


def do_offer_transfer(user: User, case: Case, data: TransferIn, *, node: LocalNode | None = None) -> Transfer:
    """Offer to hand ``case`` over to ``data.to_org``; ownership moves when they accept."""
    from_org = _require_member(user)
    if case.organisation_id != user.organisation_id:
        raise ActionError("only the organisation that holds the case can transfer it")
    if case.status in (CaseStatus.TRANSFERRED, CaseStatus.CLOSED):
        raise ActionError(f"this case is {case.get_status_display().lower()}: it cannot be transferred")
    if Transfer.objects.filter(
        case=case, direction=Direction.OUTGOING, status=TransferStatus.OFFERED
    ).exists():
        raise ActionError("a transfer of this case is already waiting for an answer")
    changing = policy.authorize(
        user, case, purpose=data.purpose, categories=[DataCategory.CASE_NOTES], action=PolicyAction.UPDATE
    )[DataCategory.CASE_NOTES]
    if not changing.allowed:
        raise ActionError(f"you may not transfer this case for {data.purpose}", field="purpose")
    ctx = _context(node)
    body = transfer_body(case, data)
    type = MessageType.CASE_TRANSFER
    _authorise_sending(user, case, data.purpose, categories_used(type, body))
    agreement = _agreement(ctx, from_org, data.to_org, data.purpose, body, type, data.agreement_id)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if (
            locked.status in (CaseStatus.TRANSFERRED, CaseStatus.CLOSED)
            or Transfer.objects.filter(
                case=case, direction=Direction.OUTGOING, status=TransferStatus.OFFERED
            ).exists()
        ):
            raise ActionError("someone else changed this case meanwhile; reload the page")
        fields, row = _open_thread(
            ctx,
            user=user,
            case=case,
            from_org=from_org,
            to_org=data.to_org,
            agreement=agreement,
            purpose=data.purpose,
            body=body,
            type=type,
            summary=lambda peer: f"Case transfer to {peer}",
        )
        transfer = create_sealed(
            Transfer,
            {"reason": data.reason},
            **fields,
            status=TransferStatus.OFFERED,
            history_count=len(body.timeline),
            offer_message_id=row.message_id,
            offered_by=user,
        )
        _link(case, row.to_node, data.to_org, row.conversation_id)
        add_event(
            case,
            type=EventType.TRANSFER,
            summary=f"Transfer offered to {transfer.peer_org_name}",
            details=data.reason,
            user=user,
            at=ctx.now,
        )
    return transfer


def _transferred_child(transfer: Transfer) -> ChildIn:
    return _child_in(transfer.offer, transfer.peer_org_name)


def _import_offer(user: User, case: Case, transfer: Transfer, at: dt.datetime) -> None:
    """Write what the transfer brought into ``case``: case summary, care plan, history, guardian."""
    offer = m.CaseTransfer.model_validate(transfer.offer)
    summary = offer.case
    missing = summary.status == CaseStatus.MISSING and summary.missing_category is not None
    case_actions.do_update_case(
        user,
        case,
        CaseIn(
            status=CaseStatus.MISSING if missing else CaseStatus.OPEN,
            missing_category=summary.missing_category if missing else None,
            unaccompanied=case.unaccompanied if summary.unaccompanied is None else summary.unaccompanied,
            separated=case.separated if summary.separated is None else summary.separated,
            risk_level=summary.risk_level or case.risk_level,
            risk_reasons=summary.risk_reasons,
            caseworker=case.caseworker.username if case.caseworker else None,
            guardian=case.guardian.username if case.guardian else None,
        ),
    )
    plan = offer.care_plan
    case_actions.do_update_care_plan(
        user,
        case,
        CarePlanIn(
            needs=plan.needs, objectives=plan.objectives, services=plan.services, review_date=plan.review_date
        ),
    )
    for entry in offer.timeline:
        case_actions.create_event(
            case,
            type=entry.type,
            occurred_at=entry.occurred_at,
            category=entry.category,
            summary=entry.summary,
            details=entry.details,
            location=entry.location[:200],
            author=None,
            source=entry.source,
        )
    if offer.guardian is not None:
        g = offer.guardian
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Guardian at {transfer.peer_org_name}: {g.name}"[:300],
            details="\n".join(p for p in (g.organisation, g.contact) if p),
            category=DataCategory.GUARDIAN,
            at=at,
        )


def _check_answerable(user: User, transfer: Transfer, verb: str) -> None:
    if transfer.direction != Direction.INCOMING or transfer.local_org_id != user.organisation_id:
        raise ActionError("this transfer was not offered to your organisation")
    if transfer.status != TransferStatus.OFFERED:
        raise ActionError(f"this transfer cannot be {verb}: it is {transfer.get_status_display().lower()}")


def do_accept_transfer(
    user: User, transfer: Transfer, data: TransferAcceptIn, *, node: LocalNode | None = None
) -> Transfer:
    """Take the case over: open it here (or complete a case we hold) from what was transferred,
    and tell the sender, whose case then closes."""
    from_org = _require_member(user)
    _check_answerable(user, transfer, "accepted")
    ctx = _context(node)
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.status != TransferStatus.OFFERED:
            raise ActionError("someone else answered this transfer meanwhile; reload the page")
        if data.existing_case:
            case = Case.objects.filter(reference=data.existing_case, organisation=user.organisation).first()
            if case is None:
                raise ActionError(
                    f"your organisation holds no case {data.existing_case}", field="existing_case"
                )
        elif locked.case is not None and locked.case.organisation_id == user.organisation_id:
            case = locked.case  # the conversation is already about a case held here (an earlier referral)
        else:
            case = case_actions.do_register_child(
                user,
                RegisterChildIn(child=_transferred_child(locked), case=CaseIn(), confirm_not_duplicate=True),
                fictional=bool((locked.offer.get("child") or {}).get("is_fictional")),
            )
        add_event(
            case,
            type=EventType.TRANSFER,
            summary=f"Case transferred from {locked.peer_org_name}"
            + (f" (their reference {locked.peer_case_reference})" if locked.peer_case_reference else ""),
            details=locked.reason,
            at=ctx.now,
        )
        _import_offer(user, case, locked, ctx.now)
        case.refresh_from_db()
        body = m.TransferAccept(
            receiver_case_reference=case.reference, responsible_from=ctx.now, note=data.note
        )
        type = MessageType.TRANSFER_ACCEPT
        _authorise_sending(user, case, locked.purpose, categories_used(type, body))
        row = _answer(
            ctx,
            locked,
            user=user,
            from_org=from_org,
            case=case,
            type=type,
            body=body,
            summary=f"Transfer accepted → {locked.peer_org_name}",
            in_reply_to=locked.offer_message_id,
        )
        _link(case, locked.peer_node, locked.peer_org, locked.conversation_id)
        locked.case = case
        locked.status = TransferStatus.ACCEPTED
        locked.offer = {}  # the data now lives in the case
        locked.response_message_id = row.message_id
        locked.response_reason = data.note
        locked.responsible_from = ctx.now
        locked.answered_by = user
        locked.answered_at = ctx.now
        locked.updated_at = ctx.now
        locked.save()
        add_event(
            case,
            type=EventType.TRANSFER,
            summary=f"Transfer accepted: {locked.local_org.name} is responsible from now on",
            details=data.note,
            user=user,
            at=ctx.now,
        )
    return locked


def do_reject_transfer(
    user: User, transfer: Transfer, data: TransferRejectIn, *, node: LocalNode | None = None
) -> Transfer:
    """Refuse a transfer with a reason; what was offered is deleted here."""
    from_org = _require_member(user)
    _check_answerable(user, transfer, "rejected")
    ctx = _context(node)
    body = m.TransferReject(reason_code=data.reason_code, note=data.note)
    type = MessageType.TRANSFER_REJECT
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.status != TransferStatus.OFFERED:
            raise ActionError("someone else answered this transfer meanwhile; reload the page")
        row = _answer(
            ctx,
            locked,
            user=user,
            from_org=from_org,
            case=locked.case,
            type=type,
            body=body,
            summary=f"Transfer rejected → {locked.peer_org_name}",
            in_reply_to=locked.offer_message_id,
        )
        locked.status = TransferStatus.REJECTED
        locked.offer = {}  # data minimisation: nothing of a refused transfer stays here
        locked.response_message_id = row.message_id
        locked.response_reason = reply_text(body)
        locked.answered_by = user
        locked.answered_at = ctx.now
        locked.updated_at = ctx.now
        locked.save()
        if locked.case is not None:
            add_event(
                locked.case,
                type=EventType.TRANSFER,
                summary=f"Transfer from {locked.peer_org_name} rejected",
                details=locked.response_reason,
                user=user,
                at=ctx.now,
            )
    return locked
