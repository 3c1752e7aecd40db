"""The care-plan review over the API, as one ClockOut: the same shape every deadline will have."""

from __future__ import annotations

import datetime as dt

from waymark.cases.schemas import CarePlanIn
from waymark.cases.tests.api_client import api_as, case_url
from waymark.core.clocks import ClockRule
from waymark.policy.tests.factories import create_agreement
from waymark.schemas import ClockOut, clock_out
from waymark.test import create_case, days_ago, set_care_plan, share
from waymark.vocab import DataCategory, Purpose, Role


def test_an_overdue_review_is_a_clock_with_negative_time_left(people):
    case = create_case(people.giulia)
    set_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(2)))

    clock = api_as(people.giulia).get(case_url(case)).json()["review_clock"]

    assert set(clock) == {"rule", "started_at", "due_at", "warn_at", "state", "remaining_seconds"}
    assert (clock["rule"], clock["state"]) == ("care_plan_review", "overdue")
    assert -2 * 86400 < clock["remaining_seconds"] <= -86400
    assert dt.datetime.fromisoformat(clock["due_at"]).date() == days_ago(1)  # once the review day ended


def test_a_plan_without_a_review_date_has_no_clock(people):
    case = create_case(people.giulia)

    assert api_as(people.giulia).get(case_url(case)).json()["review_clock"] is None


def test_the_review_clock_is_withheld_with_the_care_plan(people):
    case = create_case(people.giulia)
    set_care_plan(people.giulia, case, CarePlanIn(review_date=days_ago(2)))
    # France may locate the child (identity), not read its case notes.
    grants = [(people.fr_ngo, Role.CASEWORKER, DataCategory.IDENTITY, Purpose.LOCATE_MISSING_CHILD)]
    create_agreement("IT-FR-LOCATE-2026", [people.it_cps, people.fr_ngo], grants=grants)
    share(case, people.fr_ngo, Purpose.LOCATE_MISSING_CHILD, missing=True)

    body = api_as(people.claire, purpose=Purpose.LOCATE_MISSING_CHILD).get(case_url(case)).json()

    assert body["review_clock"] is None and body["care_plan"] is None
    assert body["withheld"]["review_clock"] == body["withheld"]["care_plan"]


def test_clock_out_is_the_clock_as_at_a_moment():
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    clock = ClockRule("police_reply", within=dt.timedelta(hours=12)).start(t0)

    out = clock_out(clock.met(t0 + dt.timedelta(hours=3)), t0 + dt.timedelta(days=9))

    assert out.model_dump(mode="json") == {
        "rule": "police_reply",
        "started_at": "2026-03-02T09:00:00Z",
        "due_at": "2026-03-02T21:00:00Z",
        "warn_at": "2026-03-02T21:00:00Z",
        "state": "met",
        "remaining_seconds": 9 * 3600,
    }
    assert ClockOut.model_validate(out.model_dump(mode="json")) == out
