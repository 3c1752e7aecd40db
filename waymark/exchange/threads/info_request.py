"""Information requests: questions to another organisation about a child, and one response that
answers or declines each, against the reply clock the agreement commits the receiver to
(``core.protocol.threads.INFO_REQUEST``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field, StrictBool, StringConstraints, model_validator

from waymark.accounts.models import User
from waymark.cases.models import Case
from waymark.core.clocks import ClockRule
from waymark.core.protocol import messages as m
from waymark.core.protocol.envelope import Opened
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import Registry
from waymark.core.protocol.threads import INFO_REQUEST, Received
from waymark.errors import ActionError
from waymark.vocab import ContextSource, DataCategory, EventType

from .. import child_accounts, guard
from .. import plumbing as p
from ..models import Direction, Thread
from ..node import LocalNode
from ..schemas import In, Short, Text, ToPeer, not_blank
from ..timeline import add_event, add_thread_event
from . import match_query, register
from .base import Action, Opening, Panel, ThreadKind, peer_fields

T = MessageType
WHAT = "request"
# Without a response commitment in the agreement, a request asks for a reply within a week.
REPLY = ClockRule("info_reply", within=dt.timedelta(days=7), warn_before=dt.timedelta(hours=24))
# A child in immediate danger held on another node: break-glass does not cross nodes, an urgent
# request does — a reply within two hours, or sooner if the agreement commits to sooner.
URGENT_WITHIN = dt.timedelta(hours=2)
URGENT = ClockRule("info_reply_urgent", within=URGENT_WITHIN, warn_before=dt.timedelta(minutes=30))


class QuestionIn(In):
    category: DataCategory
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(not_blank)]


class InfoRequestIn(ToPeer):
    questions: list[QuestionIn] = Field(min_length=1, max_length=50)
    legal_basis: Short = ""
    # The child is in immediate danger: the reply is due within ``URGENT`` (docs/firewall.md).
    urgent: StrictBool = False
    # The request asks about a candidate a match query returned (its token, matching/).
    match_candidate: Annotated[str, StringConstraints(pattern=r"^(c_[A-Za-z0-9_-]{8,40})?$")] = ""


class AnswerIn(In):
    question_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    text: Text = ""
    declined: Annotated[str, StringConstraints(pattern=r"^[a-z_]{0,32}$")] = ""

    @model_validator(mode="after")
    def _one(self) -> AnswerIn:
        if bool(self.text) == bool(self.declined):
            raise ValueError("text: answer, or say why you decline")
        return self


class InfoAnswerIn(In):
    answers: list[AnswerIn] = Field(min_length=1, max_length=50)
    # The child's accounts (their public ids) given in answer: disclosure, with the child's consent.
    accounts: list[uuid.UUID] = Field(default_factory=list, max_length=m.MAX_ACCOUNTS)


def _answers_text(answers: Any) -> str:
    return "\n".join(a.text or f"(declined: {a.declined})" for a in answers)


def _target(body: m.Body) -> str:
    assert isinstance(body, m.InfoResponse)
    return "declined" if all(a.declined for a in body.answers) else "answered"


# --- sending -----------------------------------------------------------------------------------


def do_request_information(
    user: User, case: Case, data: InfoRequestIn, *, node: LocalNode | None = None
) -> Thread:
    """Ask another organisation questions about the case's child, against the reply clock."""
    questions = tuple(
        m.Question(id=f"q{i}", category=q.category, text=q.text)
        for i, q in enumerate(data.questions, start=1)
    )
    # The deadline depends on the agreement, the agreement on the categories: pick it with a
    # provisional deadline (categories do not depend on it), then set the real one.
    provisional = m.InfoRequest(
        questions=questions,
        reply_by=REPLY.start(timezone.now()).due_at,
        legal_basis=data.legal_basis,
        match_candidate=data.match_candidate,
    )
    prepared = p.prepare(user, case, T.INFO_REQUEST, provisional, data, node=node)
    within = guard.reply_deadline(prepared.agreement, T.INFO_REQUEST, data.to_org)
    if data.urgent:
        clock = URGENT.start(prepared.ctx.now, within=min(within, URGENT_WITHIN) if within else URGENT_WITHIN)
    else:
        clock = REPLY.start(prepared.ctx.now, within=within)
    body = m.InfoRequest(
        questions=questions,
        reply_by=clock.due_at,
        legal_basis=data.legal_basis,
        match_candidate=data.match_candidate,
    )
    with transaction.atomic():
        request, _row = p.open_thread(
            prepared,
            INFO_REQUEST,
            user=user,
            case=case,
            body=body,
            summary="Information request to",
            data={"questions": [q.model_dump(mode="json") for q in questions]},
            facts={
                **({"legal_basis": data.legal_basis} if data.legal_basis else {}),
                **({"urgent": True} if data.urgent else {}),
                **({"match_candidate": data.match_candidate} if data.match_candidate else {}),
            },
            due_at=clock.due_at,
        )
        add_event(
            case,
            type=EventType.NOTE,
            summary=f"Information requested from {request.peer_org_name} (reply due {clock.due_at:%Y-%m-%d %H:%M} UTC)",
            details="\n".join(q.text for q in questions),
            category=DataCategory(questions[0].category.value),
            user=user,
            at=prepared.ctx.now,
        )
    return request


def do_answer_information(
    user: User, request: Thread, data: InfoAnswerIn, *, node: LocalNode | None = None
) -> Thread:
    """Answer (or decline) each question of a request this organisation received."""
    if request.direction == Direction.INCOMING and request.status != INFO_REQUEST.opened:
        raise ActionError("this request has already been answered")
    from_org = p.check_reply(user, request, INFO_REQUEST, T.INFO_RESPONSE, WHAT, "answered")
    by_id = {q["id"]: q for q in request.data.doc("questions", list)}
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
    shared: tuple[m.ChildAccountBody, ...] = ()
    if data.accounts:
        if request.case is None or request.case.organisation_id != user.organisation_id:
            raise ActionError(
                "only accounts of a case your organisation holds can be given", field="accounts"
            )
        shared = child_accounts.check_may_travel(
            user,
            request.case,
            data.accounts,
            to_org=request.peer_org,
            purpose=request.purpose,
            type=T.INFO_RESPONSE,
            node=node,
        )
    body = m.InfoResponse(answers=answers, accounts=shared)
    ctx = p.context(node)
    if request.case is not None:
        p.authorise_sending(user, request.case, request.purpose, m.categories_used(T.INFO_RESPONSE, body))
    with transaction.atomic():
        locked = p.lock(request, WHAT)
        p.answer(
            ctx,
            locked,
            INFO_REQUEST,
            user=user,
            from_org=from_org,
            type=T.INFO_RESPONSE,
            body=body,
            summary=f"Answer to {locked.peer_org_name}",
            target=_target(body),
        )
        locked.data.put(answers=[a.model_dump(mode="json") for a in answers])
        locked.answered_at = ctx.now
        locked.answered_by = user
        locked.save()
        add_thread_event(
            locked,
            type=EventType.NOTE,
            summary=f"Information sent to {locked.peer_org_name}",
            details=_answers_text(answers),
            category=DataCategory(answers[0].category.value),
            user=user,
            at=ctx.now,
        )
        if locked.case is not None:
            child_accounts.note_shared(locked.case, shared, locked, user=user, at=ctx.now)
    return locked


# --- receiving ---------------------------------------------------------------------------------


def _on_request(opened: Opened, registry: Registry, now: dt.datetime) -> Thread:
    body = opened.body
    assert isinstance(body, m.InfoRequest)
    h = opened.header
    if body.match_candidate:
        # Asked about a candidate of a match query we answered: only now is the token mapped back
        # to its case (still ours, token still valid), and the request lands on it for a person.
        found = match_query.resolve_candidate(
            body.match_candidate, peer_node=h.from_node, peer_org=h.from_org, local_org=h.to_org, now=now
        )
        if found is not None:
            p.link(found, h.from_node, h.from_org, h.conversation_id)
    facts: dict[str, Any] = {"legal_basis": body.legal_basis} if body.legal_basis else {}
    if body.match_candidate:
        facts["match_candidate"] = body.match_candidate
    request = p.open_incoming(
        INFO_REQUEST,
        opened,
        registry,
        now,
        data={"questions": [q.model_dump(mode="json") for q in body.questions]},
        facts=facts,
        due_at=body.reply_by,
    )
    add_thread_event(
        request,
        type=EventType.NOTE,
        summary=f"Information requested by {request.peer_org_name} (reply by {body.reply_by:%Y-%m-%d %H:%M} UTC)",
        details="\n".join(q.text for q in body.questions),
        category=DataCategory(body.questions[0].category.value),
        at=now,
    )
    return request


def _on_response(request: Thread, opened: Opened, received: Received, now: dt.datetime) -> None:
    body = opened.body
    assert isinstance(body, m.InfoResponse)
    request.data.put(answers=[a.model_dump(mode="json") for a in body.answers])
    request.answered_at = now
    if request.case is not None:
        late = request.due_at is not None and now > request.due_at
        add_event(
            request.case,
            type=EventType.NOTE,
            summary=f"Information received from {request.peer_org_name}"
            + (" (after the reply deadline)" if late else ""),
            details=_answers_text(body.answers),
            category=DataCategory(body.answers[0].category.value),
            at=now,
        )
        # The child's accounts given in answer: stored on our case, with where they came from.
        child_accounts.receive(request.case, body.accounts, request, now)


# --- pages -------------------------------------------------------------------------------------


def _request_form(post: QueryDict, _thread: Thread | None) -> dict[str, Any]:
    questions = [
        {"category": category, "text": text}
        for category, text in zip(
            post.getlist("question_category"), post.getlist("question_text"), strict=False
        )
        if text.strip()
    ]
    return {
        **peer_fields(post),
        "questions": questions,
        "legal_basis": post.get("legal_basis", ""),
        "urgent": post.get("urgent") == "on",
    }


def _answer_form(post: QueryDict, thread: Thread | None) -> dict[str, Any]:
    assert thread is not None
    answers = []
    for question in thread.data.doc("questions", list):
        qid = question["id"]
        text = post.get(f"answer_{qid}", "").strip()
        declined = post.get(f"declined_{qid}", "").strip()
        answers.append({"question_id": qid, "text": "" if declined else text, "declined": declined})
    return {"answers": answers, "accounts": post.getlist("accounts")}


def _page(request: Thread) -> dict[str, Any]:
    answers = {a["question_id"]: a for a in request.data.doc("answers", list)}
    return {
        "rows": [(q, answers.get(q["id"])) for q in request.data.doc("questions", list)],
        "legal_basis": request.facts.get("legal_basis", ""),
    }


def _to_answer(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.INCOMING, status=INFO_REQUEST.opened).order_by("due_at")


def _waiting(threads: QuerySet[Thread]) -> Any:
    return threads.filter(direction=Direction.OUTGOING, status=INFO_REQUEST.opened).order_by("due_at")


KIND = register(
    ThreadKind(
        conversation=INFO_REQUEST,
        slug="request",
        shares=ContextSource.INFO_REQUEST,
        unshared_in=frozenset({"declined"}),
        label=_("Information request"),
        line="exchange/info_request/_line.html",
        on_open=_on_request,
        on_message={T.INFO_RESPONSE: _on_response},
        target=_target,
        clock=REPLY,
        actions={"answer": Action(T.INFO_RESPONSE, InfoAnswerIn, do_answer_information, _answer_form)},
        opening=Opening(
            InfoRequestIn, do_request_information, _request_form, form="exchange/info_request/_open.html"
        ),
        page="exchange/request.html",
        page_context=_page,
        panels=(
            Panel(
                30,
                "requests-in",
                _("Information requested from us"),
                _("No request is waiting for our reply."),
                _to_answer,
                "exchange/info_request/_panel_line.html",
            ),
            Panel(
                40,
                "requests-out",
                _("Information we are waiting for"),
                _("We are not waiting for any reply."),
                _waiting,
                "exchange/info_request/_panel_line.html",
            ),
        ),
        states={"open": _("Awaiting a reply"), "answered": _("Answered"), "declined": _("Declined")},
        messages={T.INFO_REQUEST: _("Request"), T.INFO_RESPONSE: _("Response")},
        order=20,
    )
)
