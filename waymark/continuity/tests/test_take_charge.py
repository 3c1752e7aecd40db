"""A take-charge request recorded on a case: its deadlines under the regime of its registration
date, the tacit-acceptance flag on the case page, and bad input refused naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases.models import Event
from waymark.continuity import actions
from waymark.continuity.schemas import TakeChargeIn
from waymark.core.deadlines import Notice, Step
from waymark.errors import ActionError
from waymark.test import create_case, login

NOW = timezone.now()


def ago(days: int) -> str:
    return (NOW - dt.timedelta(days=days)).isoformat()


def test_a_request_without_a_reply_in_time_is_flagged_as_tacitly_accepted(client, people):
    case = create_case(people.giulia)
    # Sent 70 days ago: past the reply period under either regime (AMMR Art. 40(1): 1 month;
    # Dublin III Art. 22(1): 2 months), whichever the registration date selects.
    request = actions.do_record_take_charge(
        people.giulia,
        case,
        TakeChargeIn(requested_country="BE", registered_at=ago(100), request_sent_at=ago(70)),
    )
    plan = request.schedule()
    reply = plan.step(Step.REPLY)
    assert reply is not None and reply.notice(timezone.now()) is Notice.TACIT_ACCEPTANCE
    assert plan.step(Step.TRANSFER) is not None  # the transfer period runs from the acceptance
    assert Event.objects.filter(case=case, summary__startswith="Take-charge request to BE").exists()
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Dublin / AMMR take-charge requests" in html
    assert "TACIT ACCEPTANCE" in html
    assert reply.rule.article in html


def test_a_request_still_running_warns_7_days_ahead(people):
    case = create_case(people.giulia)
    request = actions.do_record_take_charge(
        people.giulia, case, TakeChargeIn(requested_country="BE", registered_at=ago(5))
    )
    deadline = request.schedule().must(Step.TAKE_CHARGE_REQUEST)
    assert deadline.notice(timezone.now()) is Notice.RUNNING
    assert deadline.notice(deadline.due_at - dt.timedelta(days=3)) is Notice.WARN_7_DAYS


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"requested_country": "IT"}, "requested_country"),  # the requesting State's own country
        ({"requested_country": "XX"}, "requested_country"),  # the form of a code, no country
        ({"request_sent_at": ago(200)}, "request_sent_at"),  # before the registration
        ({"accepted": True}, "replied_at"),
        ({"request_sent_at": ago(50), "replied_at": ago(60)}, "replied_at"),
        # A step not yet taken is not recorded (and year 9999 overflowed the deadline arithmetic).
        ({"request_sent_at": ago(-30)}, "request_sent_at"),
        ({"registered_at": "9999-12-20T00:00:00Z"}, "registered_at"),
    ],
)
def test_bad_input_is_refused_naming_the_field(people, fields, field):
    case = create_case(people.giulia)
    data = {"requested_country": "BE", "registered_at": ago(100), **fields}
    with pytest.raises(ActionError) as refused:
        actions.do_record_take_charge(people.giulia, case, TakeChargeIn(**data))
    assert field in refused.value.errors


def test_immigration_enforcement_cannot_record_a_request(people):
    case = create_case(people.giulia)
    with pytest.raises(ActionError):
        actions.do_record_take_charge(
            people.ivan, case, TakeChargeIn(requested_country="BE", registered_at=ago(10))
        )


def test_the_api_answers_the_deadlines_and_the_tacit_acceptance(people):
    from waymark.cases.tests.api_client import api_as, case_url

    case = create_case(people.giulia)
    actions.do_record_take_charge(
        people.giulia,
        case,
        TakeChargeIn(requested_country="BE", registered_at=ago(100), request_sent_at=ago(70)),
    )
    response = api_as(people.giulia).get(case_url(case, "/take-charge-requests"))
    assert response.status_code == 200, response.content
    [request] = response.json()
    assert request["requested_country"] == "BE" and request["regime"] in {"ammr", "dublin_iii"}
    reply = next(d for d in request["deadlines"] if d["step"] == "reply")
    assert reply["notice"] == "tacit_acceptance" and reply["loud"] is True
    assert reply["clock"]["state"] == "overdue"
    for outsider in (people.claire, people.ivan, people.luc):
        assert api_as(outsider).get(case_url(case, "/take-charge-requests")).status_code == 404
