"""A take-charge request's deadlines count the national public holidays of the Member State that
must act: the requesting State is the case's organisation's country, the requested State the
request's (``core.public_holidays``; AMMR via Reg. 1182/71 Art. 3(4))."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from waymark.continuity import actions
from waymark.continuity.schemas import TakeChargeIn
from waymark.core.deadlines import Step
from waymark.test import create_case

ROME = ZoneInfo("Europe/Rome")


def test_an_italian_request_due_on_the_immacolata_moves_to_the_next_working_day(people, settings):
    settings.TIME_ZONE = "Europe/Rome"
    registered = dt.datetime(2026, 10, 8, 10, tzinfo=ROME)
    request = actions.do_record_take_charge(
        people.giulia,
        create_case(people.giulia),  # Milan: the requesting State is Italy
        TakeChargeIn(requested_country="BE", registered_at=registered),
    )
    plan = request.schedule(now=registered)
    assert plan.regime.id == "ammr"
    # AMMR Art. 39(1): two months -> Tue 8 Dec 2026, an Italian national holiday -> Wed 9 Dec.
    assert plan.must(Step.TAKE_CHARGE_REQUEST).last_day == dt.date(2026, 12, 9)


def test_the_requested_states_holidays_move_its_reply(people, settings):
    settings.TIME_ZONE = "Europe/Rome"
    request = actions.do_record_take_charge(
        people.giulia,
        create_case(people.giulia),
        TakeChargeIn(
            requested_country="BE",
            registered_at=dt.datetime(2026, 9, 1, 10, tzinfo=ROME),
            request_sent_at=dt.datetime(2026, 10, 11, 10, tzinfo=ROME),
        ),
    )
    # AMMR Art. 40(1): one month -> Wed 11 Nov 2026, Armistice Day in Belgium -> Thu 12 Nov.
    plan = request.schedule(now=dt.datetime(2026, 10, 11, 12, tzinfo=ROME))
    assert plan.must(Step.REPLY).last_day == dt.date(2026, 11, 12)
