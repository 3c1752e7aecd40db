"""The case timeline over the API: newest first, paginated, added by POST."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case


def test_an_event_round_trips(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    seen = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    response = api.post(
        case_url(case, "/events"),
        {
            "type": "sighting",
            "occurred_at": seen.isoformat(),
            "source": "hotline",
            "category": "contact_location",
            "summary": "Seen at Milano Centrale",
            "location": "Milano Centrale",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["type"] == "sighting"
    assert dt.datetime.fromisoformat(created["occurred_at"]) == seen
    assert created["author"]["username"] == "giulia"
    assert created["organisation"] == "it-cps-milano"
    assert Event.objects.filter(public_id=created["public_id"], case=case).exists()

    listed = api.get(case_url(case, "/events")).json()
    assert created in listed["items"]


def test_the_timeline_is_newest_first_and_paginated(people):
    case = create_case(people.giulia)  # a registration event, now
    api = api_as(people.giulia)
    for days in (3, 1, 2):
        api.post(
            case_url(case, "/events"),
            {
                "type": "note",
                "summary": f"{days} days ago",
                "occurred_at": (timezone.now() - dt.timedelta(days=days)).isoformat(),
            },
        )
    body = api.get(case_url(case, "/events")).json()
    assert body["count"] == 4
    assert body["items"][0]["type"] == "registration"
    assert [e["summary"] for e in body["items"]][1:] == ["1 days ago", "2 days ago", "3 days ago"]
    page = api.get(case_url(case, "/events"), {"limit": 2, "offset": 2}).json()
    assert (page["count"], [e["summary"] for e in page["items"]]) == (4, ["2 days ago", "3 days ago"])


def test_a_bad_event_is_refused_by_field(people):
    case = create_case(people.giulia)
    before = Event.objects.count()
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = api_as(people.giulia).post(
        case_url(case, "/events"), {"type": "gossip", "summary": "", "occurred_at": future}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"type", "summary", "occurred_at"}
    assert Event.objects.count() == before


def test_refused_to_the_wrong_person(people):
    case = create_case(people.giulia)
    before = Event.objects.count()
    for outsider in (people.claire, people.ivan, people.luc):
        api = api_as(outsider)
        assert api.get(case_url(case, "/events")).status_code == 404
        response = api.post(case_url(case, "/events"), {"type": "note", "summary": "hello"})
        assert response.status_code == 404
        assert response.json() == {"detail": "not found", "errors": {}}
    assert Event.objects.count() == before
