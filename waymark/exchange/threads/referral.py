"""Referrals: a child referred to an organisation on another node (or this one).

The referrer offers (the child, the case summary, a reason, services); the receiver accepts (a
case is registered here from the offer, or a case it holds is linked) or rejects, then reports it
done; the referrer may revoke until then. The table is ``core.protocol.threads.REFERRAL``. On
the receiving side the offer as received is kept (sealed) until someone accepts or rejects, or
the referrer revokes; it is then cleared (data minimisation).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from pydantic import Field, model_validator

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType, ReferralOutcome, RejectReason, RevokeReason, body_json
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import REFERRAL, Outcome, Received
from waymark.vocab import ContextSource, DataCategory, EventType

from .. import child_accounts, payloads
from .. import plumbing as p
from ..labels import choices
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import ExistingCase, In, Short, Text, ToPeer
from ..timeline import add_event, add_thread_event
from . import register
from .base import Action, Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "referral"
# What a referral may carry, beyond the child's identity (always sent).
REFERRAL_OPTIONAL = (DataCategory.LEGAL_STATUS, DataCategory.FAMILY, DataCategory.CASE_NOTES)


class ReferralIn(ToPeer):
    """Refer the case's child to an organisation on another node."""

    reason: Text = ""
    services_requested: list[Short] = Field(default_factory=list, max_length=20)
    # Categories sent besides identity: nationality and identifiers (legal status), whether the
    # child is unaccompanied or separated (family), the reason and risk (case notes).
    include: list[DataCategory] = Field(default_factory=lambda: [DataCategory.CASE_NOTES])
    # The child's accounts (their public ids) shared with the referral, so the child is not
    # interviewed again: only under an agreement granting disclosure, with the child's consent.
    accounts: list[uuid.UUID] = Field(default_factory=list, max_length=m.MAX_ACCOUNTS)

    @model_validator(mode="after")
    def _coherent(self) -> ReferralIn:
        extra = [c for c in self.include if c not in REFERRAL_OPTIONAL]
        if extra:
            raise ValueError(f"include: a referral does not carry {', '.join(extra)}")
        if (self.reason or self.services_requested) and DataCategory.CASE_NOTES not in self.include:
            raise ValueError("include: the reason and services are case notes; include case notes")
        return self


class ReferralAcceptIn(In):
    note: Text = ""
    contact: Short = ""
    # Accept into a case this organisation already holds (its reference), instead of registering one.
    existing_case: ExistingCase = ""


class ReferralRejectIn(In):
    reason_code: RejectReason
    note: Text = ""


class ReferralDoneIn(In):
    outcome: ReferralOutcome
    note: Text = ""


class ReferralRevokeIn(In):
    reason_code: RevokeReason
    note: Text = ""


# --- sending -----------------------------------------------------------------------------------


def do_offer_referral(user: User, case: Case, data: ReferralIn, *, node: LocalNode | None = None) -> Thread:
    """Refer ``case``'s child to ``data.to_org`` on another node (or this one)."""
    shared = child_accounts.check_may_travel(
        user,
        case,
        data.accounts,
        to_org=data.to_org,
        purpose=data.purpose,
        type=T.REFERRAL_OFFER,
        node=node,
        agreement_id=data.agreement_id,
    )
    body = m.ReferralOffer(
        child=payloads.child_summary(case, data.include),
        case=payloads.case_summary(case, data.include),
        reason=data.reason,
        services_requested=tuple(data.services_requested),
        accounts=shared,
    )
    prepared = p.prepare(user, case, T.REFERRAL_OFFER, body, data, node=node)
    with transaction.atomic():
        referral, _row = p.open_thread(
            prepared,
            REFERRAL,
            user=user,
            case=case,
            body=body,
            summary="Referral to",
            data={"reason": data.reason},
            note=data.reason,
        )
        add_event(
            case,
            type=EventType.REFERRAL,
            summary=f"Referral offered to {referral.peer_org_name}",
            details=data.reason,
            user=user,
            at=prepared.ctx.now,
        )
        child_accounts.note_shared(case, shared, referral, user=user, at=prepared.ctx.now)
    return referral


def _reply(
    user: User, referral: Thread, type: MessageType, body: m.Body, verb: str, node: LocalNode | None
) -> Thread:
    text = p.note_of(body)
    with transaction.atomic():
        locked = p.reply(
            user,
            referral,
            REFERRAL,
            type,
            body,
            what=WHAT,
            verb=verb,
            summary=f"Referral {verb} → {referral.peer_org_name}",
            node=node,
        )
        changes: dict[str, Any] = {}
        if type != T.REFERRAL_DONE:
            changes["response_reason"] = text
        if type == T.REFERRAL_REJECT:
            changes["offer"] = {}  # data minimisation: nothing of a refused offer stays here
        locked.data.put(**changes)
        locked.save(update_fields=["sealed"])
        add_thread_event(
            locked,
            type=EventType.REFERRAL,
            summary=f"Referral {locked.status} ({locked.peer_org_name})",
            details=text,
            user=user,
            at=locked.updated_at,
        )
    return locked


def do_accept_referral(
    user: User, referral: Thread, data: ReferralAcceptIn, *, node: LocalNode | None = None
) -> Thread:
    """Accept an offered referral: register the child here (or link a case we hold), answer."""
    p.check_reply(user, referral, REFERRAL, T.REFERRAL_ACCEPT, WHAT, "accepted")
    body = m.ReferralAccept(contact=data.contact, note=data.note)
    offer = referral.data.doc("offer")
    brought = child_accounts.offered(offer)
    chosen = payloads.check_case_for_offer(
        user,
        purpose=referral.purpose,
        # The child's accounts it brings are written to the case too (disclosure).
        writes=[DataCategory.CASE_NOTES, *([DataCategory.DISCLOSURE] if brought else [])],
        existing_case=data.existing_case,
        linked=referral.case,
    )
    with transaction.atomic():
        case = chosen or payloads.register_offered(user, offer, referral.peer_org_name)
        referral.case = case
        # A case opened from the offer is the referrer's data held here as a recipient: an
        # erasure notice from them erases it (threads/erasure_notice.py).
        referral.facts = {**referral.facts, "recipient_copy": chosen is None}
        referral.save(update_fields=["case", "facts"])
        p.link(case, referral.peer_node, referral.peer_org, referral.conversation_id)
        add_event(
            case,
            type=EventType.REFERRAL,
            summary=f"Referral offered by {referral.peer_org_name}",
            details=referral.data.text("reason"),
            at=referral.created_at,
        )
        child_accounts.receive(case, brought, referral, referral.created_at)
        return _reply(user, referral, T.REFERRAL_ACCEPT, body, "accepted", node)


def do_reject_referral(
    user: User, referral: Thread, data: ReferralRejectIn, *, node: LocalNode | None = None
) -> Thread:
    """Reject an offered referral with a reason; what was offered is then cleared."""
    body = m.ReferralReject(reason_code=data.reason_code, note=data.note)
    return _reply(user, referral, T.REFERRAL_REJECT, body, "rejected", node)


def do_complete_referral(
    user: User, referral: Thread, data: ReferralDoneIn, *, node: LocalNode | None = None
) -> Thread:
    """Tell the referrer the referral is done, with its outcome."""
    body = m.ReferralDone(outcome=data.outcome, note=data.note)
    return _reply(user, referral, T.REFERRAL_DONE, body, "completed", node)


def do_revoke_referral(
    user: User, referral: Thread, data: ReferralRevokeIn, *, node: LocalNode | None = None
) -> Thread:
    """The referrer withdraws an offer (or ends an accepted referral)."""
    body = m.ReferralRevoke(reason_code=data.reason_code, note=data.note)
    return _reply(user, referral, T.REFERRAL_REVOKE, body, "revoked", node)


# --- receiving ---------------------------------------------------------------------------------


def _on_offer(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.ReferralOffer)
    referral = p.open_incoming(
        REFERRAL,
        opened,
        registry,
        now,
        data={"reason": body.reason, "offer": body_json(body)},
        note=body.reason,
    )
    add_thread_event(
        referral,
        type=EventType.REFERRAL,
        summary=f"Referral offered by {referral.peer_org_name}",
        details=body.reason,
        at=now,
    )
    return referral


_ANSWERED = {
    T.REFERRAL_ACCEPT: "Referral accepted by",
    T.REFERRAL_REJECT: "Referral rejected by",
    T.REFERRAL_DONE: "Referral completed by",
}


def _on_answer(referral: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    """accept / reject / done, from the organisation we referred the child to."""
    text = p.note_of(opened.body)
    summary = f"{_ANSWERED[opened.header.type]} {referral.peer_org_name}"
    if received.outcome is Outcome.RECORD:
        # Messages crossed in flight (we revoked while they answered): recorded, our status kept.
        summary += f" (the referral was already {referral.status})"
    elif opened.header.type != T.REFERRAL_DONE:
        referral.data.put(response_reason=text)
    add_thread_event(referral, type=EventType.REFERRAL, summary=summary, details=text, at=now)


def _on_revoke(referral: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    """The referrer withdraws: we purge the offer as received (the case, if we opened one, stays)."""
    text = p.note_of(opened.body)
    referral.data.put(offer={}, response_reason=text)
    add_thread_event(
        referral,
        type=EventType.REFERRAL,
        summary=f"Referral revoked by {referral.peer_org_name}",
        details=text,
        at=now,
    )


# --- pages -------------------------------------------------------------------------------------


def _offer_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return {
        **peer_fields(post),
        "reason": post.get("reason", ""),
        "services_requested": [s.strip() for s in post.get("services", "").splitlines() if s.strip()],
        "include": post.getlist("include"),
        "accounts": post.getlist("accounts"),
    }


def _page(referral: Thread) -> dict[str, Any]:
    offer = referral.data.doc("offer")
    return {
        "offer": offer,
        "child": offer.get("child", {}),
        "reason": referral.data.text("reason"),
        "response_reason": referral.data.text("response_reason"),
        "reject_reasons": choices(RejectReason),
        "outcomes": choices(ReferralOutcome),
        "revoke_reasons": choices(RevokeReason),
    }


def _to_answer(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING, status="offered").order_by("created_at")


def _in_progress(threads: QuerySet[Thread]) -> Any:
    return (
        threads.filter(status__in=["offered", "accepted"])
        .exclude(direction=Direction.INCOMING, status="offered")
        .order_by("-updated_at")[:20]
    )


KIND = register(
    ThreadKind(
        conversation=REFERRAL,
        slug="referral",
        shares=ContextSource.REFERRAL,
        unshared_in=frozenset({"rejected", "revoked"}),
        label=_("Referral"),
        line="exchange/referral/_line.html",
        on_open=_on_offer,
        on_message={
            T.REFERRAL_ACCEPT: _on_answer,
            T.REFERRAL_REJECT: _on_answer,
            T.REFERRAL_DONE: _on_answer,
            T.REFERRAL_REVOKE: _on_revoke,
        },
        actions={
            "accept": Action(T.REFERRAL_ACCEPT, ReferralAcceptIn, do_accept_referral),
            "reject": Action(T.REFERRAL_REJECT, ReferralRejectIn, do_reject_referral),
            "done": Action(T.REFERRAL_DONE, ReferralDoneIn, do_complete_referral),
            "revoke": Action(T.REFERRAL_REVOKE, ReferralRevokeIn, do_revoke_referral),
        },
        opening=Opening(
            ReferralIn,
            do_offer_referral,
            _offer_form,
            form="exchange/referral/_open.html",
            context={"referral_optional": REFERRAL_OPTIONAL},
        ),
        page="exchange/referral.html",
        page_context=_page,
        panels=(
            Panel(
                10,
                "to-answer",
                _("Referrals to answer"),
                _("No referral is waiting for an answer."),
                _to_answer,
                "exchange/referral/_to_answer.html",
            ),
            Panel(
                50,
                "referrals",
                _("Referrals in progress"),
                _("None."),
                _in_progress,
                "exchange/referral/_in_progress.html",
            ),
        ),
        states={
            "offered": _("Offered"),
            "accepted": _("Accepted"),
            "rejected": _("Rejected"),
            "done": _("Done"),
            "revoked": _("Revoked"),
        },
        messages={
            T.REFERRAL_OFFER: _("Offer"),
            T.REFERRAL_ACCEPT: _("Accept"),
            T.REFERRAL_REJECT: _("Reject"),
            T.REFERRAL_DONE: _("Done"),
            T.REFERRAL_REVOKE: _("Revoke"),
        },
        order=10,
    )
)
