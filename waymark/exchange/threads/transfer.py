"""Case transfers: a case handed over to an organisation on another node.

The child, the case, the care plan and the history the sender chose travel in one
``case_transfer``; ownership moves when the receiver accepts (``core.protocol.threads.TRANSFER``).
Sender side: on acceptance the case becomes a closed, read-only copy (status "transferred", kept
until ``cases.Case.retain_until``). Receiver side: the offer as received is kept (sealed) until
someone accepts (a case is opened from it, or it is added to a case this organisation holds) or
rejects; it is then cleared (the accepted data lives in the case, the rejected data nowhere).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from pydantic import Field, StrictBool, field_validator

from waymark.accounts.models import User
from waymark.cases import actions as case_actions
from waymark.cases.actions import close_transferred_copy
from waymark.cases.models import Case
from waymark.cases.schemas import CarePlanIn, CaseIn
from waymark.continuity.models import BestInterests
from waymark.core import best_interests as bia
from waymark.core.protocol import messages as m
from waymark.core.protocol import vocab as wire
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType, RejectReason, body_json
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import TRANSFER, Received
from waymark.errors import ActionError
from waymark.policy import service as policy
from waymark.vocab import (
    CaseStatus,
    ContextSource,
    DataCategory,
    EventType,
    PolicyAction,
    Purpose,
    RiskLevel,
    Role,
    Sector,
)

from .. import child_accounts, payloads
from .. import plumbing as p
from ..labels import choices
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import ExistingCase, In, Text, ToPeer
from ..timeline import add_event, add_thread_event
from . import register
from .base import Action, Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "transfer"
# What a transfer may carry besides identity, the case summary and the care plan (always sent).
TRANSFER_OPTIONAL = (DataCategory.LEGAL_STATUS, DataCategory.GUARDIAN)
# The history categories offered by default: what the next organisation needs to continue care.
TRANSFER_HISTORY_DEFAULT = (
    DataCategory.IDENTITY,
    DataCategory.CONTACT_LOCATION,
    DataCategory.FAMILY,
    DataCategory.CASE_NOTES,
)
_CLOSED = (CaseStatus.TRANSFERRED, CaseStatus.CLOSED)


class TransferIn(ToPeer):
    """Hand the case over to an organisation on another node."""

    purpose: Purpose = Purpose.CARE_CONTINUITY
    reason: Text = ""
    include: list[DataCategory] = Field(default_factory=lambda: [DataCategory.LEGAL_STATUS])
    # Timeline events of these categories travel (the sender chooses the history); none: no history.
    history: list[DataCategory] = Field(default_factory=lambda: list(TRANSFER_HISTORY_DEFAULT))
    # The sender confirms the case will leave their organisation: a transfer cannot be taken back.
    confirmed: StrictBool = False
    # The child's accounts (their public ids) that travel with the case (disclosure, with consent).
    accounts: list[uuid.UUID] = Field(default_factory=list, max_length=m.MAX_ACCOUNTS)
    # The case's best-interests assessment (its public id) that travels with it: only the sections
    # the agreement grants the receiver, and to a Dublin unit only its recommendation, family and
    # legal-status parts (``core.best_interests``).
    best_interests: uuid.UUID | None = None

    @field_validator("include")
    @classmethod
    def _optional(cls, v: list[DataCategory]) -> list[DataCategory]:
        extra = [c for c in v if c not in TRANSFER_OPTIONAL]
        if extra:
            raise ValueError(f"a transfer does not carry {', '.join(extra)} besides its history")
        return v


class TransferAcceptIn(In):
    note: Text = ""
    # Add the transfer to a case this organisation already holds (its reference), instead of opening one.
    existing_case: ExistingCase = ""


class TransferRejectIn(In):
    reason_code: RejectReason
    note: Text = ""


# --- sending -----------------------------------------------------------------------------------


def _pending(case: Case) -> bool:
    return Thread.objects.filter(
        kind=TRANSFER.kind, case=case, direction=Direction.OUTGOING, status=TRANSFER.opened
    ).exists()


def check_offer_transfer(user: User, case: Case, purpose: str) -> None:
    """May ``user`` offer ``case`` to another organisation now (``ActionError`` if not)?"""
    p.require_member(user)
    if case.organisation_id != user.organisation_id:
        raise ActionError("only the organisation that holds the case can transfer it")
    if case.status in _CLOSED:
        raise ActionError(f"this case is {case.get_status_display().lower()}: it cannot be transferred")
    if _pending(case):
        raise ActionError("a transfer of this case is already waiting for an answer")
    changing = policy.authorize(
        user, case, purpose=purpose, categories=[DataCategory.CASE_NOTES], action=PolicyAction.UPDATE
    )[DataCategory.CASE_NOTES]
    if not changing.allowed:
        raise ActionError(f"you may not transfer this case for {purpose}", field="purpose")


def do_offer_transfer(user: User, case: Case, data: TransferIn, *, node: LocalNode | None = None) -> Thread:
    """Offer to hand ``case`` over to ``data.to_org``; ownership moves when they accept."""
    if not data.confirmed:
        raise ActionError(
            "confirm that the case leaves your organisation once the transfer is accepted", field="confirmed"
        )
    check_offer_transfer(user, case, data.purpose)
    shared = child_accounts.check_may_travel(
        user,
        case,
        data.accounts,
        to_org=data.to_org,
        purpose=data.purpose,
        type=T.CASE_TRANSFER,
        node=node,
        agreement_id=data.agreement_id,
    )
    body = payloads.transfer_body(
        case, include=data.include, history_of=data.history, reason=data.reason, accounts=shared
    )
    body = _with_best_interests(user, case, data, body, node=node)
    prepared = p.prepare(user, case, T.CASE_TRANSFER, body, data, node=node)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status in _CLOSED or _pending(case):
            raise ActionError("someone else changed this case meanwhile; reload the page")
        transfer, _row = p.open_thread(
            prepared,
            TRANSFER,
            user=user,
            case=case,
            body=body,
            summary="Case transfer to",
            data={"reason": data.reason},
            facts={"history_count": len(body.timeline)},
        )
        add_event(
            case,
            type=EventType.TRANSFER,
            summary=f"Transfer offered to {transfer.peer_org_name}",
            details=data.reason,
            user=user,
            at=prepared.ctx.now,
        )
        child_accounts.note_shared(case, shared, transfer, user=user, at=prepared.ctx.now)
        if body.best_interests is not None:
            sent = sorted(m.categories_of(body.best_interests))
            add_event(
                case,
                type=EventType.NOTE,
                summary=f"Best-interests {body.best_interests.kind.value} sent with the transfer to "
                f"{transfer.peer_org_name} ({', '.join(sent)})"[:300],
                category=DataCategory.LEGAL_STATUS,
                user=user,
                at=prepared.ctx.now,
            )
    return transfer


def _bia_source(record: BestInterests) -> dict[str, Any]:
    """Every section of ``record`` by its wire name (``core.best_interests.EXTRACT_FIELDS``)."""
    return {
        "kind": record.kind,
        "approved": record.approved,
        "recorded_on": record.recorded_at.date(),
        "recommendation": record.recommendation,
        "recommendation_country": record.recommendation_country,
        "recommendation_reason": record.recommendation_reason,
        "review_on": record.review_on,
        "legal_status": record.legal_status,
        "family": record.family,
        "education": record.education,
        "identity_culture": record.identity_culture,
        "guardian_consulted": record.guardian_consulted,
        "guardian_views": record.guardian_views,
        "health": record.health,
        "child_views": record.child_views,
        "child_views_language": record.child_views_language,
        "safety": record.safety,
        "options": record.options,
    }


def _with_best_interests(
    user: User, case: Case, data: TransferIn, body: m.CaseTransfer, *, node: LocalNode | None
) -> m.CaseTransfer:
    """``body`` with the case's best-interests assessment the sender attached, cut to what the
    agreement grants the receiver for the transfer's purpose and the sender may read; to a Dublin
    unit (or an organisation whose grants go to Dublin officers) only the recommendation, family
    and legal status, whatever the agreement grants."""
    if data.best_interests is None:
        return body
    record = BestInterests.objects.filter(case=case, public_id=data.best_interests).first()
    if record is None:
        raise ActionError("this case has no such best-interests assessment", field="best_interests")
    if not record.standing:
        raise ActionError(
            "a determination waiting for a supervisor's approval does not travel", field="best_interests"
        )
    assert user.organisation is not None
    ctx = p.context(node)
    agreement = p.choose_agreement(
        ctx, user.organisation.slug, data.to_org, data.purpose, body, T.CASE_TRANSFER, data.agreement_id
    )
    grants = [g for g in agreement.grants if g.org == data.to_org and g.purpose.value == data.purpose.value]
    granted = agreement.readable_categories(data.to_org, data.purpose)
    readable = policy.permitted_categories(user, case, purpose=data.purpose)
    recipient = ctx.registry.organisation(data.to_org)
    dublin = (recipient is not None and str(recipient.sector) == Sector.ASYLUM_DUBLIN_UNIT) or any(
        str(g.role) == Role.DUBLIN_OFFICER for g in grants
    )
    extract = bia.bia_extract(_bia_source(record), granted & set(readable), dublin=dublin)
    if extract.fields is None:
        raise ActionError(
            f"agreement {agreement.identifier} does not grant {data.to_org} legal status for "
            f"{data.purpose}: the best-interests assessment cannot travel",
            field="best_interests",
        )
    return body.model_copy(update={"best_interests": m.BestInterestsBody(**extract.fields)})


def _import_offer(user: User, case: Case, transfer: Thread, at: dt.datetime) -> None:
    """Write what the transfer brought into ``case``: case summary, care plan, history, guardian."""
    offer = m.CaseTransfer.model_validate(transfer.data.doc("offer"))
    summary = offer.case
    missing = summary.status == wire.CaseStatus.MISSING and summary.missing_category is not None
    case_actions.do_update_case(
        user,
        case,
        CaseIn.from_case(
            case,
            status=CaseStatus.MISSING if missing else CaseStatus.OPEN,
            missing_category=summary.missing_category if missing else None,
            unaccompanied=case.unaccompanied if summary.unaccompanied is None else summary.unaccompanied,
            separated=case.separated if summary.separated is None else summary.separated,
            risk_level=summary.risk_level or case.risk_level,
            risk_reasons=summary.risk_reasons,
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
    child_accounts.receive(case, offer.accounts, transfer, transfer.created_at)
    if offer.best_interests is not None:
        _import_best_interests(case, offer.best_interests, transfer.peer_org_name, at)
    if offer.guardian is not None:
        g = offer.guardian
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Guardian at {transfer.peer_org_name}: {g.name}"[:300],
            details="\n".join(part for part in (g.organisation, g.contact) if part),
            category=DataCategory.GUARDIAN,
            at=at,
        )


# How a received best-interests assessment is kept with the case: one timeline entry per category
# of what it says (so each is shown only to those who may read that category).
_BIA_ENTRIES: tuple[tuple[DataCategory, tuple[str, ...]], ...] = (
    (DataCategory.FAMILY, ("family",)),
    (DataCategory.EDUCATION, ("education",)),
    (DataCategory.PSYCHOSOCIAL, ("identity_culture",)),
    (DataCategory.GUARDIAN, ("guardian_views",)),
    (DataCategory.HEALTH, ("health",)),
    (DataCategory.DISCLOSURE, ("child_views",)),
    (DataCategory.CASE_NOTES, ("safety", "options")),
)


def _received_bia(case: Case, received: m.BestInterestsBody) -> dict[str, Any]:
    """What of a received BIA this organisation keeps: cut again, at the receiving end, to the
    Dublin allow-list when the case is held by a Dublin unit (whatever the sender sent)."""
    source = received.model_dump()
    dublin = case.organisation.sector == Sector.ASYLUM_DUBLIN_UNIT
    fields = bia.bia_extract(source, bia.EXTRACT_FIELDS.values(), dublin=dublin).fields
    return dict(fields or {})


def _import_best_interests(case: Case, received: m.BestInterestsBody, peer: str, at: dt.datetime) -> None:
    fields = _received_bia(case, received)
    if not fields:
        return
    kind = "determination" if fields["kind"] == m.BestInterestsKind.DETERMINATION else "assessment"
    where = f" in {fields['recommendation_country']}" if fields.get("recommendation_country") else ""
    recommended = str(fields["recommendation"]).replace("_", " ")
    legal = [
        f"Recorded on {fields['recorded_on']}" + (" (approved)" if fields.get("approved") else ""),
        fields.get("recommendation_reason", ""),
        fields.get("legal_status", ""),
        f"Review on {fields['review_on']}" if fields.get("review_on") else "",
    ]
    add_event(
        case,
        type=EventType.NOTE,
        summary=f"Best-interests {kind} from {peer}: recommends {recommended}{where}"[:300],
        details="\n\n".join(part for part in legal if part),
        category=DataCategory.LEGAL_STATUS,
        at=at,
    )
    for category, names in _BIA_ENTRIES:
        text = "\n\n".join(str(fields[n]) for n in names if fields.get(n))
        if category == DataCategory.DISCLOSURE and text and fields.get("child_views_language"):
            text = f"[{fields['child_views_language']}] {text}"
        if text:
            add_event(
                case,
                type=EventType.NOTE,
                summary=f"Best-interests {kind} from {peer}: {category.label}"[:300],
                details=text,
                category=category,
                at=at,
            )


def _writes(offer: dict[str, Any]) -> list[str]:
    """What accepting ``offer`` writes to a case: its summary (case notes, family, guardian), the
    care plan (case notes) and the history entries' categories."""
    travelled = {str(e.get("category")) for e in offer.get("timeline", []) if e.get("category")}
    if child_accounts.offered(offer):
        travelled.add(DataCategory.DISCLOSURE)
    if offer.get("best_interests"):
        travelled |= m.categories_of(m.BestInterestsBody.model_validate(offer["best_interests"]))
    return sorted({DataCategory.CASE_NOTES, DataCategory.FAMILY, DataCategory.GUARDIAN, *travelled})


def do_accept_transfer(
    user: User, transfer: Thread, data: TransferAcceptIn, *, node: LocalNode | None = None
) -> Thread:
    """Take the case over: open it here (or complete a case we hold) from what was transferred,
    and tell the sender, whose case then closes."""
    from_org = p.check_reply(user, transfer, TRANSFER, T.TRANSFER_ACCEPT, WHAT, "accepted")
    chosen = payloads.check_case_for_offer(
        user,
        purpose=transfer.purpose,
        writes=_writes(transfer.data.doc("offer")),
        existing_case=data.existing_case,
        # The conversation may already be about a case held here (an earlier referral).
        linked=transfer.case,
    )
    ctx = p.context(node)
    with transaction.atomic():
        locked = p.lock(transfer, WHAT)
        case = chosen or payloads.register_offered(user, locked.data.doc("offer"), locked.peer_org_name)
        add_event(
            case,
            type=EventType.TRANSFER,
            summary=f"Case transferred from {locked.peer_org_name}"
            + (f" (their reference {locked.peer_case_reference})" if locked.peer_case_reference else ""),
            details=locked.data.text("reason"),
            at=ctx.now,
        )
        _import_offer(user, case, locked, ctx.now)
        case.refresh_from_db()
        body = m.TransferAccept(
            receiver_case_reference=case.reference, responsible_from=ctx.now, note=data.note
        )
        p.authorise_sending(user, case, locked.purpose, m.categories_used(T.TRANSFER_ACCEPT, body))
        p.answer(
            ctx,
            locked,
            TRANSFER,
            user=user,
            from_org=from_org,
            type=T.TRANSFER_ACCEPT,
            body=body,
            summary=f"Transfer accepted → {locked.peer_org_name}",
            case=case,
        )
        p.link(case, locked.peer_node, locked.peer_org, locked.conversation_id)
        locked.case = case
        locked.data.put(offer={}, response_reason=data.note)  # the data now lives in the case
        locked.facts = {**locked.facts, "responsible_from": ctx.now.isoformat()}
        locked.answered_by = user
        locked.answered_at = ctx.now
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
    user: User, transfer: Thread, data: TransferRejectIn, *, node: LocalNode | None = None
) -> Thread:
    """Refuse a transfer with a reason; what was offered is deleted here."""
    from_org = p.check_reply(user, transfer, TRANSFER, T.TRANSFER_REJECT, WHAT, "rejected")
    ctx = p.context(node)
    body = m.TransferReject(reason_code=data.reason_code, note=data.note)
    with transaction.atomic():
        locked = p.lock(transfer, WHAT)
        p.answer(
            ctx,
            locked,
            TRANSFER,
            user=user,
            from_org=from_org,
            type=T.TRANSFER_REJECT,
            body=body,
            summary=f"Transfer rejected → {locked.peer_org_name}",
        )
        text = p.note_of(body)
        locked.data.put(offer={}, response_reason=text)  # data minimisation: nothing of it stays here
        locked.answered_by = user
        locked.answered_at = ctx.now
        locked.save()
        add_thread_event(
            locked,
            type=EventType.TRANSFER,
            summary=f"Transfer from {locked.peer_org_name} rejected",
            details=text,
            user=user,
            at=ctx.now,
        )
    return locked


# --- receiving ---------------------------------------------------------------------------------


def _on_offer(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    """An offer to take a case over: kept, unapplied, until a person here accepts or rejects it."""
    body = opened.body
    assert isinstance(body, m.CaseTransfer)
    transfer = p.open_incoming(
        TRANSFER,
        opened,
        registry,
        now,
        data={"reason": body.reason, "offer": body_json(body)},
        peer_case_reference=body.sender_case_reference,
        facts={"history_count": len(body.timeline)},
    )
    add_thread_event(
        transfer,
        type=EventType.TRANSFER,
        summary=f"Transfer of the case offered by {transfer.peer_org_name}",
        details=body.reason,
        at=now,
    )
    return transfer


def _on_answer(transfer: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    """accept / reject, from the organisation we offered the case to. On acceptance our case
    becomes a closed, read-only copy kept for the retention period."""
    body = opened.body
    text = p.note_of(body)
    transfer.data.put(response_reason=text)
    transfer.answered_at = now
    case = transfer.case
    if isinstance(body, m.TransferAccept):
        transfer.peer_case_reference = body.receiver_case_reference
        transfer.facts = {**transfer.facts, "responsible_from": body.responsible_from.isoformat()}
        if case is not None:
            keep = (now + dt.timedelta(days=settings.WAYMARK_TRANSFERRED_COPY_RETENTION_DAYS)).date()
            close_transferred_copy(case, at=now, retain_until=keep)
            their = (
                f" (their reference {body.receiver_case_reference})" if body.receiver_case_reference else ""
            )
            add_event(
                case,
                type=EventType.TRANSFER,
                summary=f"Transfer accepted by {transfer.peer_org_name}{their}; this copy is closed",
                details="\n".join(
                    part
                    for part in (
                        f"Responsible from {body.responsible_from:%Y-%m-%d %H:%M} UTC.",
                        f"This closed copy is kept until {keep:%Y-%m-%d}.",
                        text,
                    )
                    if part
                ),
                at=now,
            )
    elif case is not None:
        add_event(
            case,
            type=EventType.TRANSFER,
            summary=f"Transfer rejected by {transfer.peer_org_name}; the case stays here",
            details=text,
            at=now,
        )


# --- pages -------------------------------------------------------------------------------------


def _offer_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {
        **peer_fields(post),
        "reason": post.get("reason", ""),
        "include": post.getlist("include"),
        "history": post.getlist("history"),
        "confirmed": post.get("confirmed") == "on",
        "accounts": post.getlist("accounts"),
        "best_interests": post.get("best_interests") or None,
    }


def _shown(user: User, case: Case, threads: Sequence[Thread]) -> bool:
    return (
        case.organisation_id == user.organisation_id
        and case.status not in _CLOSED
        and not any(
            t.kind == TRANSFER.kind and t.direction == Direction.OUTGOING and t.status == TRANSFER.opened
            for t in threads
        )
    )


def _page(transfer: Thread) -> dict[str, Any]:
    offer = transfer.data.doc("offer")
    summary = offer.get("case") or {}
    responsible = transfer.facts.get("responsible_from")
    return {
        "offer": offer,
        "reason": transfer.data.text("reason"),
        "response_reason": transfer.data.text("response_reason"),
        "history_count": transfer.facts.get("history_count", 0),
        "responsible_from": dt.datetime.fromisoformat(responsible) if responsible else None,
        "child": offer.get("child", {}),
        "summary": summary,
        "risk_label": RiskLevel(summary["risk_level"]).label
        if summary.get("risk_level") in RiskLevel.values
        else "",
        "plan": offer.get("care_plan", {}),
        "history": offer.get("timeline", []),
        "guardian": offer.get("guardian"),
        "reject_reasons": choices(RejectReason),
    }


def _open(threads: QuerySet[Thread]) -> Any:
    return threads.filter(status=TRANSFER.opened).order_by("created_at")


KIND = register(
    ThreadKind(
        conversation=TRANSFER,
        slug="transfer",
        shares=ContextSource.TRANSFER,
        unshared_in=frozenset({"rejected"}),
        label=_("Case transfer"),
        line="exchange/transfer/_line.html",
        on_open=_on_offer,
        on_message={T.TRANSFER_ACCEPT: _on_answer, T.TRANSFER_REJECT: _on_answer},
        actions={
            "accept": Action(T.TRANSFER_ACCEPT, TransferAcceptIn, do_accept_transfer, to_case=True),
            "reject": Action(T.TRANSFER_REJECT, TransferRejectIn, do_reject_transfer),
        },
        opening=Opening(
            TransferIn,
            do_offer_transfer,
            _offer_form,
            form="exchange/transfer/_open.html",
            shown=_shown,
            context={"transfer_optional": TRANSFER_OPTIONAL, "history_default": TRANSFER_HISTORY_DEFAULT},
        ),
        page="exchange/transfer.html",
        page_context=_page,
        panels=(
            Panel(
                20,
                "transfers",
                _("Case transfers"),
                _("No transfer is waiting for an answer."),
                _open,
                "exchange/transfer/_panel_line.html",
            ),
        ),
        states={"offered": _("Offered"), "accepted": _("Accepted"), "rejected": _("Rejected")},
        messages={
            T.CASE_TRANSFER: _("Offer"),
            T.TRANSFER_ACCEPT: _("Accept"),
            T.TRANSFER_REJECT: _("Reject"),
        },
        order=30,
    )
)
