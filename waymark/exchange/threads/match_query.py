"""Privacy-preserving hit / no-hit (``core.protocol.threads.MATCH_QUERY``): one child's keyed
Bloom-filter encoding to a partner organisation, which answers at once with candidate tokens and
scores — never names, never case ids.

Only for locating a missing child or family tracing. Each partner organisation has a query budget
(per rolling day and per minute, ``WAYMARK_PPRL_*``), counted on both sides: the sender refuses to
send past it, the receiver refuses past it with ``over_budget``. Every query is audited on both
sides. The tokens are per query and mean nothing elsewhere: the answering node maps one back to
its case only when an information request names it (``resolve_candidate``), and answers that
request through its own policy, by a person.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from waymark.accounts.models import User
from waymark.audit import service as audit
from waymark.cases.models import Case
from waymark.core import pprl
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import MATCH_QUERY, Received
from waymark.errors import ActionError
from waymark.vocab import AuditDecision, AuditKind, CaseStatus, Purpose

from .. import encodings
from .. import plumbing as p
from ..models import Direction, Thread
from ..node import LocalNode, receiving_node
from ..schemas import ToPeer
from . import register
from .base import Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "match query"
# A live query is for finding one child: locating a missing child, or tracing a family.
PURPOSES: frozenset[str] = frozenset({Purpose.LOCATE_MISSING_CHILD.value, Purpose.FAMILY_TRACING.value})
QUERY_REF = "q"
# How long a candidate token may be named by an information request.
TOKEN_LIFETIME = dt.timedelta(days=30)


class MatchQueryIn(ToPeer):
    purpose: Purpose = Purpose.LOCATE_MISSING_CHILD


# --- budget -------------------------------------------------------------------------------------


def _used(local_org: str, peer_org: str, direction: Direction, now: dt.datetime) -> tuple[int, int]:
    """Queries between the two organisations in this direction: in the last day, the last minute."""
    threads = Thread.objects.filter(
        kind=MATCH_QUERY.kind,
        direction=direction,
        local_org__slug=local_org,
        peer_org=peer_org,
        created_at__gt=now - dt.timedelta(days=1),
    )
    return threads.count(), threads.filter(created_at__gt=now - dt.timedelta(minutes=1)).count()


def over_budget(local_org: str, peer_org: str, direction: Direction, now: dt.datetime) -> str:
    """Why one more query would be over the budget ("" when it is not)."""
    day, minute = _used(local_org, peer_org, direction, now)
    if day >= settings.WAYMARK_PPRL_DAILY_BUDGET:
        return f"the budget of {settings.WAYMARK_PPRL_DAILY_BUDGET} match queries a day with {peer_org} is used up"
    if minute >= settings.WAYMARK_PPRL_PER_MINUTE:
        return f"at most {settings.WAYMARK_PPRL_PER_MINUTE} match queries a minute with {peer_org}"
    return ""


# --- sending ------------------------------------------------------------------------------------


def _body(key_id: str, encoded: bytes) -> m.MatchQuery:
    return m.MatchQuery(
        encoding_version=pprl.ENCODING_VERSION,
        key_id=key_id,
        records=(m.EncodedRecord(ref=QUERY_REF, bloom_base64=base64.b64encode(encoded).decode("ascii")),),
    )


def do_query_match(user: User, case: Case, data: MatchQueryIn, *, node: LocalNode | None = None) -> Thread:
    """Ask a partner organisation whether it holds a child whose encoding is close to this one's."""
    if data.purpose not in PURPOSES:
        raise ActionError(
            "a match query is only for locating a missing child or family tracing", field="purpose"
        )
    # The agreement decides the key, the key the body; the categories do not depend on it.
    provisional = _body("provisional", bytes(pprl.FILTER_BYTES))
    prepared = p.prepare(user, case, T.MATCH_QUERY, provisional, data, node=node)
    key = encodings.current_key(prepared.agreement.identifier)
    if key is None:
        raise ActionError(
            f"this node holds no matching key for agreement {prepared.agreement.identifier}", field="to_org"
        )
    why = over_budget(prepared.from_org, prepared.to_org, Direction.OUTGOING, prepared.ctx.now)
    if why:
        _audit_refused(user, case, prepared.to_org, data.purpose, why)
        raise ActionError(why, field="to_org")
    body = _body(key.key_id, encodings.encoding_of(case.child, key))
    with transaction.atomic():
        thread, _row = p.open_thread(
            prepared,
            MATCH_QUERY,
            user=user,
            case=case,
            body=body,
            summary="Match query to",
            facts={"key_id": key.key_id},
        )
        audit.record(
            AuditKind.MATCH_REVIEW,
            actor=user,
            purpose=data.purpose,
            decision=AuditDecision.ALLOW,
            reasons=["match-query"],
            agreement=prepared.agreement.identifier,
            peer_org=prepared.to_org,
            subject=case.child.audit_subject,
            details={"what": "match query sent", "thread": str(thread.public_id), "key_id": key.key_id},
        )
    return thread


def _audit_refused(user: User, case: Case, to_org: str, purpose: str, why: str) -> None:
    with transaction.atomic():
        audit.record(
            AuditKind.MATCH_REVIEW,
            actor=user,
            purpose=purpose,
            decision=AuditDecision.DENY,
            reasons=["match-query-budget"],
            peer_org=to_org,
            subject=case.child.audit_subject,
            details={"what": "match query refused", "why": why},
        )


# --- receiving ----------------------------------------------------------------------------------


def _refusal(opened: Opened, now: dt.datetime) -> tuple[ReasonCode, str] | None:
    h, body = opened.header, opened.body
    assert isinstance(body, m.MatchQuery)
    if h.purpose.value not in PURPOSES:
        return (
            ReasonCode.NOT_GRANTED,
            "match queries are answered only to locate a missing child or trace a family",
        )
    if len(body.records) != 1:
        return (
            ReasonCode.NOT_GRANTED,
            "a live match query carries one record; bulk encodings only in an agreed batch run",
        )
    why = over_budget(h.to_org, h.from_org, Direction.INCOMING, now)
    if why:
        return ReasonCode.OVER_BUDGET, why
    key = encodings.current_key(h.agreement_id)
    if key is None or key.key_id != body.key_id or body.encoding_version != pprl.ENCODING_VERSION:
        return ReasonCode.KEY_MISMATCH, (
            f"this node encodes under key {key.key_id if key else '(none)'} version {pprl.ENCODING_VERSION} "
            f"for agreement {h.agreement_id}"
        )
    try:
        encoded = base64.b64decode(body.records[0].bloom_base64, validate=True)
    except ValueError:
        encoded = b""
    if len(encoded) != pprl.FILTER_BYTES:
        return ReasonCode.SCHEMA_INVALID, f"an encoding is {pprl.FILTER_BYTES} bytes, base64"
    return None


def _on_query(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    """Compare the encoding with the receiving organisation's children and answer at once with
    tokens and scores; refused (nothing written) when it does not fit or is over the budget."""
    refusal = _refusal(opened, now)
    if refusal is not None:
        raise p.Refusal(*refusal)
    h, body = opened.header, opened.body
    assert isinstance(body, m.MatchQuery)
    key = encodings.current_key(h.agreement_id)
    assert key is not None
    found = encodings.candidates(
        h.to_org,
        base64.b64decode(body.records[0].bloom_base64),
        key,
        threshold=settings.WAYMARK_PPRL_THRESHOLD,
        limit=settings.WAYMARK_PPRL_MAX_CANDIDATES,
    )
    tokens = [(f"c_{secrets.token_urlsafe(12)}", case, score) for case, score in found]
    thread = p.open_incoming(
        MATCH_QUERY,
        opened,
        registry,
        now,
        # Which case a token stands for is sealed, and read only when a request names the token.
        data={"candidates": [{"token": t, "case": str(c.public_id), "score": s} for t, c, s in tokens]},
        facts={"key_id": body.key_id, "candidates": len(tokens)},
    )
    result = m.MatchResult(
        pairs=tuple(
            m.MatchPair(query_ref=body.records[0].ref, candidate_ref=t, score=s) for t, _c, s in tokens
        )
    )
    node = receiving_node()
    assert node is not None  # set by inbound.receive
    ctx = p.Context(node, registry, now)
    p.answer(
        ctx,
        thread,
        MATCH_QUERY,
        user=None,  # type: ignore[arg-type]  # the node answers, no person
        from_org=h.to_org,
        type=T.MATCH_RESULT,
        body=result,
        summary=f"Match result to {thread.peer_org_name}",
    )
    thread.answered_at = now
    thread.save()
    for token, case, score in tokens:
        audit.record(
            AuditKind.MATCH_REVIEW,
            actor_name=f"{h.from_org}@{h.from_node}",
            actor_org=h.from_org,
            purpose=h.purpose.value,
            decision=AuditDecision.ALLOW,
            reasons=["match-query"],
            agreement=h.agreement_id,
            peer_org=h.from_org,
            subject=case.child.audit_subject,
            details={"what": "compared in a match query: a token and a score returned", "token": token,
                     "score": f"{score:.3f}", "thread": str(thread.public_id)},
        )  # fmt: skip
    audit.record(
        AuditKind.MATCH_REVIEW,
        actor_name=f"{h.from_org}@{h.from_node}",
        actor_org=h.from_org,
        purpose=h.purpose.value,
        decision=AuditDecision.ALLOW,
        reasons=["match-query"],
        agreement=h.agreement_id,
        peer_org=h.from_org,
        details={"what": "match query answered", "candidates": len(tokens), "thread": str(thread.public_id)},
    )
    return thread


def _on_result(thread: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.MatchResult)
    thread.data.put(candidates=[{"token": x.candidate_ref, "score": x.score} for x in body.pairs])
    thread.facts = {**thread.facts, "candidates": len(body.pairs)}
    thread.answered_at = now


def resolve_candidate(
    token: str, *, peer_node: str, peer_org: str, local_org: str, now: dt.datetime
) -> Case | None:
    """The case behind a token this organisation returned to ``peer_org``, if the token is still
    valid and the case is still this organisation's (else None: the request is about no case)."""
    threads = Thread.objects.filter(
        kind=MATCH_QUERY.kind,
        direction=Direction.INCOMING,
        peer_node=peer_node,
        peer_org=peer_org,
        local_org__slug=local_org,
        created_at__gt=now - TOKEN_LIFETIME,
    ).order_by("-created_at")
    for thread in threads:
        for candidate in thread.data.doc("candidates", list):
            if secrets.compare_digest(candidate["token"], token):
                return (
                    Case.objects.filter(public_id=candidate["case"], organisation__slug=local_org)
                    .exclude(status=CaseStatus.TRANSFERRED)
                    .first()
                )
    return None


def candidates_of(thread: Thread) -> list[dict[str, Any]]:
    """The tokens and scores a sent query got back (nothing else is known of them)."""
    if thread.direction != Direction.OUTGOING:
        return []
    return list(thread.data.doc("candidates", list))


# --- pages --------------------------------------------------------------------------------------


def _query_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    return peer_fields(post) | {"purpose": post.get("purpose") or Purpose.LOCATE_MISSING_CHILD}


def _page(thread: Thread) -> dict[str, Any]:
    return {"candidates": candidates_of(thread), "count": thread.facts.get("candidates")}


def _answered(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status="answered").order_by("-updated_at")[:20]


KIND = register(
    ThreadKind(
        conversation=MATCH_QUERY,
        slug="match",
        label=_("Match query"),
        line="exchange/match_query/_line.html",
        on_open=_on_query,
        on_message={T.MATCH_RESULT: _on_result},
        opening=Opening(MatchQueryIn, do_query_match, _query_form, form="exchange/match_query/_open.html"),
        page="exchange/match_query.html",
        page_context=_page,
        panels=(
            Panel(
                60,
                "match-answered",
                _("Match queries answered"),
                _("No match query has been answered."),
                _answered,
                "exchange/match_query/_panel_line.html",
            ),
        ),
        states={"asked": _("Asked"), "answered": _("Answered")},
        messages={T.MATCH_QUERY: _("Encoded query"), T.MATCH_RESULT: _("Candidates and scores")},
        order=60,
    )
)
