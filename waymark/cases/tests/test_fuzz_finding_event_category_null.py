"""The fuzzer found ``"category": null`` accepted by addEvent, though the document says the
category is one of the data categories (left out: the type's own). Now a 400 naming it."""

from __future__ import annotations

from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case


def test_an_explicit_null_category_is_refused_and_a_missing_one_follows_the_type(people):
    case = create_case(people.giulia)
    api = api_as(people.giulia)
    before = Event.objects.filter(case=case).count()
    refused = api.post(case_url(case, "/events"), {"type": "note", "summary": "0", "category": None})
    assert refused.status_code == 400 and "category" in str(refused.json()["errors"])
    assert Event.objects.filter(case=case).count() == before
    made = api.post(case_url(case, "/events"), {"type": "sighting", "summary": "Seen at the station"})
    assert made.status_code == 201 and made.json()["category"] == "contact_location"
