"""Finding (issue 13's end-to-end story): a child registered as unaccompanied days before their
case is entered in Waymark had their guardian-appointment clock start at data entry, so a late
appointment never showed. ``registerChild`` takes ``registered_at``: the case opens then, the
registration event is dated then and the clock counts from it; never in the future."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.cases.actions import do_escalate_guardian_appointments
from waymark.cases.models import Case, Event
from waymark.cases.tests.api_client import api_as
from waymark.vocab import EventType


def _body(**extra):
    return {
        "child": {"given_names": "Bilal", "family_name": "Nouri"},
        "case": {"unaccompanied": True},
        **extra,
    }


def test_a_registration_thirty_days_ago_opens_the_case_then_and_the_late_guardian_is_escalated(people):
    then = timezone.now() - dt.timedelta(days=30)
    response = api_as(people.giulia).post("/api/cases", _body(registered_at=then.isoformat()))
    assert response.status_code == 201, response.content
    case = Case.objects.get(public_id=response.json()["public_id"])
    assert abs(case.opened_at - then) < dt.timedelta(seconds=1)
    registration = Event.objects.get(case=case, type=EventType.REGISTRATION)
    assert abs(registration.occurred_at - then) < dt.timedelta(seconds=1)
    assert case.guardian_clock is not None and case.guardian_clock.due_at < timezone.now()
    assert case in do_escalate_guardian_appointments(timezone.now())


def test_a_registration_in_the_future_is_refused_naming_the_field(people):
    later = timezone.now() + dt.timedelta(days=1)
    response = api_as(people.giulia).post("/api/cases", _body(registered_at=later.isoformat()))
    assert response.status_code == 422, response.content
    assert "registered_at" in response.json()["errors"]
    assert not Case.objects.filter(child__given_names="Bilal").exists()


def test_left_out_the_case_opens_now(people):
    response = api_as(people.giulia).post("/api/cases", _body())
    assert response.status_code == 201, response.content
    case = Case.objects.get(public_id=response.json()["public_id"])
    assert timezone.now() - case.opened_at < dt.timedelta(minutes=1)


def test_a_registration_more_than_twenty_years_ago_is_refused(people):
    response = api_as(people.giulia).post("/api/cases", _body(registered_at="1990-01-01T00:00:00Z"))
    assert response.status_code == 422, response.content
    assert "registered_at" in response.json()["errors"]
