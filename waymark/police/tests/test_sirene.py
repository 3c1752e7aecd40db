"""SIRENE-style requests between the police unit and the case's organisation: a reply due in 12
hours, answered only with what the police agreement grants; an overdue request shows on the
Missing-now board row and notifies, once, whoever must answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from waymark.errors import ActionError
from waymark.missing.models import Notification
from waymark.police import actions
from waymark.police.models import SireneRequest
from waymark.police.schemas import SireneAnswersIn, SireneAskIn
from waymark.test import login
from waymark.vocab import SireneDirection

from .helpers import LOCATE, missing_case, police_agreement, request_alert


def _ask(user, alert, *questions, now=None):
    data = SireneAskIn(alert=alert.public_id, questions=[{"category": c, "text": t} for c, t in questions])
    return actions.do_ask_sirene(user, alert, data, now=now)


def _answer(user, request, *answers):
    data = SireneAnswersIn(answers=[{"question_id": q, **a} for q, a in answers])
    return actions.do_answer_sirene(user, request, data)


def test_the_police_ask_and_the_reply_is_due_in_twelve_hours(people):
    police_agreement(people)
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    request = _ask(people.luc, alert, ("contact_location", "Any known contact in Brussels?"))
    assert request.direction == SireneDirection.FROM_POLICE
    assert request.due_at - request.asked_at == dt.timedelta(hours=12)
    answered = _answer(people.giulia, request, ("q1", {"text": "A cousin near Bruxelles-Midi (fictional)"}))
    assert answered.answered_at is not None and answered.clock.met_at == answered.answered_at


def test_an_answer_in_a_category_the_police_may_not_read_is_refused_and_must_be_declined(people):
    police_agreement(people, ("identity",))  # the unit reads identity only
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    request = _ask(people.luc, alert, ("identity", "Other names?"), ("contact_location", "Where is she?"))
    with pytest.raises(ActionError) as refused:
        _answer(people.giulia, request, ("q1", {"text": "Also Amna"}), ("q2", {"text": "Calais"}))
    assert "answers.1.text" in refused.value.errors
    assert SireneRequest.objects.get(pk=request.pk).answered_at is None  # nothing half-applied
    _answer(
        people.giulia, request, ("q1", {"text": "Also Amna"}), ("q2", {"declined": "not under our agreement"})
    )


def test_a_question_about_health_cannot_even_be_asked():
    with pytest.raises(ValueError, match="asks only about"):
        SireneAskIn(
            alert="00000000-0000-0000-0000-000000000000",
            questions=[{"category": "health", "text": "Any illness?"}],
        )


def test_only_the_other_side_answers(people):
    police_agreement(people)
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    request = _ask(people.giulia, alert, ("contact_location", "Was the hit in Brussels confirmed?"))
    assert request.direction == SireneDirection.TO_POLICE
    with pytest.raises(ActionError, match="other side"):
        _answer(people.giulia, request, ("q1", {"text": "yes"}))
    assert _answer(people.luc, request, ("q1", {"text": "Confirmed (fictional)"})).answered_by == people.luc


def test_an_overdue_request_notifies_once_and_shows_on_the_board_row(
    people, django_capture_on_commit_callbacks
):
    police_agreement(people)
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    long_ago = timezone.now() - dt.timedelta(hours=13)
    _ask(people.luc, alert, ("identity", "Date of birth?"), now=long_ago)
    people.giulia.email = "giulia@example.org"
    people.giulia.save()
    case.caseworker = people.giulia
    case.save(update_fields=["caseworker"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify_overdue_requests(timezone.now()) == 1
        assert actions.notify_overdue_requests(timezone.now()) == 0  # once
    note = Notification.objects.get(user=people.giulia, step=None)
    assert "SIRENE" in note.text and case.reference in note.text and "Amina" not in note.text
    assert len(mail.outbox) == 1 and "Amina" not in mail.outbox[0].body
    client = Client()
    login(client, people.giulia, LOCATE)
    board = client.get("/missing/").content.decode()
    police_clocks = board.split('class="clocks extra-clocks"')[1].split("</ul>")[0]
    assert "SIRENE reply" in police_clocks and "overdue" in police_clocks


def test_the_clocks_command_runs_the_police_reply_notices(people):
    from django.core.management import call_command

    police_agreement(people)
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    _ask(
        people.giulia,
        alert,
        ("contact_location", "Hit confirmed?"),
        now=timezone.now() - dt.timedelta(hours=12),
    )
    call_command("missing_clocks")
    assert Notification.objects.filter(user=people.luc, text__contains="SIRENE").count() == 1
