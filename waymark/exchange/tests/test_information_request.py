"""An information request and its answer, with the agreement's reply clock on both sides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waymark.cases.models import Event
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.threads import info_request as info_requests
from waymark.test import create_case
from waymark.vocab import DataCategory


@pytest.fixture
def asked(people, federation, wire):
    case = create_case(people.giulia)
    info_requests.do_request_information(
        people.giulia,
        case,
        info_requests.InfoRequestIn(
            to_org="be-police-mpu",
            questions=[
                info_requests.QuestionIn(
                    category=DataCategory.CONTACT_LOCATION, text="Was she seen in Brussels-Midi?"
                ),
                info_requests.QuestionIn(category=DataCategory.IDENTITY, text="Under which name?"),
            ],
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return case, Thread.objects.filter(kind="info_request").get(direction=Direction.INCOMING)


def test_the_reply_clock_comes_from_the_agreement_and_shows_on_both_sides(people, asked):
    _, received = asked
    sent = Thread.objects.filter(kind="info_request").get(direction=Direction.OUTGOING)
    # The test agreement commits parties to answer information requests within 12 hours.
    expected = timezone.now() + dt.timedelta(hours=12)
    assert sent.due_at is not None and abs((sent.due_at - expected).total_seconds()) < 60
    assert received.due_at == sent.due_at
    assert [q["text"] for q in received.data.doc("questions", list)] == [
        "Was she seen in Brussels-Midi?",
        "Under which name?",
    ]


def test_an_answer_travels_back_and_lands_on_the_case(people, federation, wire, asked):
    case, received = asked
    info_requests.do_answer_information(
        people.luc,
        received,
        info_requests.InfoAnswerIn(
            answers=[
                info_requests.AnswerIn(question_id="q1", text="Yes, on Tuesday evening."),
                info_requests.AnswerIn(question_id="q2", declined="not_held"),
            ]
        ),
        node=federation.be,
    )
    dispatch_pending(federation.be, wire)

    sent = Thread.objects.filter(kind="info_request").get(direction=Direction.OUTGOING)
    assert sent.status == "answered"
    assert sent.data.doc("answers", list)[0]["text"] == "Yes, on Tuesday evening."
    assert sent.data.doc("answers", list)[1]["declined"] == "not_held"
    timeline = [e.summary_text for e in Event.objects.filter(case=case).select_related("case__child")]
    assert any(s.startswith("Information received from") for s in timeline)


def test_a_request_is_answered_once(people, federation, asked):
    _, received = asked
    answer = info_requests.InfoAnswerIn(answers=[info_requests.AnswerIn(question_id="q1", text="No.")])
    info_requests.do_answer_information(people.luc, received, answer, node=federation.be)
    received.refresh_from_db()
    with pytest.raises(ActionError, match="already been answered"):
        info_requests.do_answer_information(people.luc, received, answer, node=federation.be)


def test_only_the_addressed_organisation_may_answer(people, federation, asked):
    _, received = asked
    with pytest.raises(ActionError):
        info_requests.do_answer_information(
            people.claire,
            received,
            info_requests.InfoAnswerIn(answers=[info_requests.AnswerIn(question_id="q1", text="x")]),
            node=federation.fr,
        )


def test_an_urgent_request_is_due_within_two_hours_across_nodes(people, federation, wire):
    """Break-glass does not cross nodes: a child in immediate danger held elsewhere gets an urgent
    request, whose reply clock is two hours (the agreement's commitment is twelve)."""
    case = create_case(people.giulia)
    request = info_requests.do_request_information(
        people.giulia,
        case,
        info_requests.InfoRequestIn(
            to_org="be-police-mpu",
            questions=[
                info_requests.QuestionIn(category=DataCategory.CONTACT_LOCATION, text="Seen tonight?")
            ],
            urgent=True,
        ),
        node=federation.it,
    )
    assert request.facts["urgent"] is True
    assert request.due_at is not None
    assert request.due_at - request.created_at <= dt.timedelta(hours=2)
    dispatch_pending(federation.it, wire)
    received = Thread.objects.filter(kind="info_request").get(direction=Direction.INCOMING)
    assert received.due_at == request.due_at
