"""Adding an event to the timeline, inline with htmx or as a plain form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases.models import Event
from waymark.test import create_case, login

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfaye")


def url(case):
    return reverse("event_add", args=[case.public_id])


def test_giulia_adds_a_sighting_and_it_is_prepended_to_the_timeline(client, people, case):
    login(client, people.giulia)
    response = client.post(
        url(case),
        {
            "type": "sighting",
            "source": "hotline",
            "category": "contact_location",
            "summary": "Seen at Milano Centrale",
            "location": "Milano Centrale",
        },
        **HTMX,
    )
    assert response.status_code == 200
    event = Event.objects.get(case=case, type="sighting")
    assert event.author == people.giulia
    assert event.author_org == people.it_cps
    assert event.location == "Milano Centrale"
    html = response.content.decode()
    # A fresh form replaces the old one; the new event goes to the top of the timeline.
    assert 'id="event-form"' in html
    assert 'hx-swap-oob="afterbegin:#timeline"' in html
    assert f'id="event-{event.public_id}"' in html
    assert "Seen at Milano Centrale" in html
    assert "<html" not in html


def test_a_missing_summary_is_named_in_place_and_nothing_is_saved(client, people, case):
    login(client, people.giulia)
    before = Event.objects.count()
    response = client.post(url(case), {"type": "note", "source": "staff", "category": "case_notes"}, **HTMX)
    assert response.status_code == 422
    assert "summary" in response.context["event_form"].errors
    html = response.content.decode()
    assert 'id="event-form"' in html
    assert 'aria-invalid="true"' in html
    assert "hx-swap-oob" not in html
    assert Event.objects.count() == before


def test_an_event_in_the_future_is_refused_naming_when_it_happened(client, people, case):
    login(client, people.giulia)
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    before = Event.objects.count()
    response = client.post(
        url(case),
        {
            "type": "note",
            "source": "staff",
            "category": "case_notes",
            "summary": "x",
            "occurred_at": tomorrow,
        },
        **HTMX,
    )
    assert response.status_code == 422
    assert response.context["event_form"].errors["occurred_at"] == ["cannot be in the future"]
    assert Event.objects.count() == before


def test_without_javascript_the_form_is_a_page_and_success_redirects(client, people, case):
    login(client, people.giulia)
    page = client.get(url(case))
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    response = client.post(
        url(case),
        {"type": "note", "source": "staff", "category": "case_notes", "summary": "Called the shelter"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.public_id])
    assert "Called the shelter" in [e.summary_text for e in case.events.all()]


def test_the_case_page_carries_the_inline_htmx_form(client, people, case):
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert f'hx-post="{url(case)}"' in html
    assert 'id="timeline"' in html
