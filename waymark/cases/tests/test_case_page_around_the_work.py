"""The case page around the work (issue 10, item 3): an event's data category follows from its
type and is offered only among what the policy lets the person write; a disappearance or a
finding offers the status change it implies, applied in the same step; the situation comes first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.cases import event_kinds
from waymark.cases.models import Case, Event
from waymark.test import create_case, create_user, login
from waymark.vocab import CaseStatus, DataCategory, EventType, Purpose, Role

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfaye")


@pytest.fixture
def hotline(people):
    return create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)


@pytest.fixture
def officer(people):
    """A police officer of the same service: reads what helps find the child, writes only where
    the child was seen (a hotline operator may now also report a disappearance, issue 11)."""
    return create_user("paolo", people.it_cps, Role.POLICE_OFFICER)


def url(case):
    return reverse("event_add", args=[case.public_id])


def test_every_event_type_has_a_category_and_sightings_are_about_where_the_child_is():
    assert set(event_kinds.CATEGORY_OF) == set(EventType.values)
    assert event_kinds.category_of(EventType.SIGHTING) == DataCategory.CONTACT_LOCATION
    assert event_kinds.category_of(EventType.DISAPPEARANCE) == DataCategory.CONTACT_LOCATION
    assert event_kinds.category_of(EventType.FOUND) == DataCategory.CONTACT_LOCATION
    assert event_kinds.category_of(EventType.HEALTH) == DataCategory.HEALTH
    assert event_kinds.category_of(EventType.GUARDIAN_APPOINTED) == DataCategory.GUARDIAN
    assert event_kinds.category_of(EventType.NOTE) == DataCategory.CASE_NOTES


def test_a_disappearance_implies_missing_and_a_finding_implies_found_only_from_the_right_status():
    missing = event_kinds.status_change_for(EventType.DISAPPEARANCE, CaseStatus.OPEN)
    assert missing is not None and missing.to == CaseStatus.MISSING
    assert event_kinds.status_change_for(EventType.DISAPPEARANCE, CaseStatus.MISSING) is None
    found = event_kinds.status_change_for(EventType.FOUND, CaseStatus.MISSING)
    assert found is not None and found.to == CaseStatus.FOUND
    assert event_kinds.status_change_for(EventType.FOUND, CaseStatus.OPEN) is None
    assert event_kinds.status_change_for(EventType.SIGHTING, CaseStatus.MISSING) is None


def test_a_hotline_operator_saves_a_sighting_with_the_category_left_as_the_type_says(
    client, people, case, hotline
):
    login(client, hotline, Purpose.LOCATE_MISSING_CHILD)
    response = client.post(
        url(case),
        {
            "type": "sighting",
            "source": "hotline",
            "category": "",
            "summary": "Seen at the station",
            "location": "Milano Centrale",
        },
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()
    event = Event.objects.get(case=case, type="sighting")
    assert event.category == DataCategory.CONTACT_LOCATION
    assert event.author == hotline


def test_a_police_officer_is_offered_only_the_categories_they_may_write(client, people, case, officer):
    login(client, officer, Purpose.LOCATE_MISSING_CHILD)
    form = client.get(url(case)).context["event_form"]
    offered = [value for value, _label in form.fields["category"].choices]
    assert offered == ["", DataCategory.CONTACT_LOCATION]


def test_a_category_the_person_may_not_write_is_refused_in_place_and_nothing_is_saved(
    client, people, case, officer
):
    login(client, officer, Purpose.LOCATE_MISSING_CHILD)
    before = Event.objects.count()
    # A note is case notes, which a police officer may not write: said on the field, not a 404.
    response = client.post(url(case), {"type": "note", "source": "police", "summary": "x"}, **HTMX)
    assert response.status_code == 422
    assert "category" in response.context["event_form"].errors
    assert "Case notes" in response.content.decode()
    assert Event.objects.count() == before


def test_a_caseworker_may_choose_another_category_than_the_type_says(client, people, case):
    login(client, people.giulia)
    response = client.post(
        url(case),
        {"type": "interview", "source": "child", "category": "health", "summary": "Talked about sleep"},
        **HTMX,
    )
    assert response.status_code == 200
    assert Event.objects.get(case=case, type="interview").category == DataCategory.HEALTH


def test_a_disappearance_offers_to_mark_the_child_missing_and_applies_it_with_the_event(client, people, case):
    login(client, people.giulia)
    html = client.get(url(case), {"type": "disappearance"}, **HTMX).content.decode()
    assert 'name="change_status"' in html
    assert "Also mark the child missing" in html
    assert 'name="missing_category"' in html

    response = client.post(
        url(case),
        {
            "type": "disappearance",
            "source": "staff",
            "summary": "Did not come back to the centre",
            "location": "Centro Accoglienza Via Corelli",
            "change_status": "on",
            "missing_category": "unaccompanied_migrant",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("case_detail", args=[case.public_id])
    case.refresh_from_db()
    assert case.status == CaseStatus.MISSING
    assert case.missing_category == "unaccompanied_migrant"
    assert Event.objects.filter(case=case, type="disappearance").count() == 1
    assert Event.objects.filter(case=case, type="note").count() == 1  # "Status changed from Open to Missing"

    # The page now leads with the situation: missing since, last seen where.
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Missing since" in page
    assert "Last seen" in page
    assert "Centro Accoglienza Via Corelli" in page
    assert "The case is now marked missing." in page


def test_marking_missing_needs_a_missing_child_category(client, people, case):
    login(client, people.giulia)
    response = client.post(
        url(case),
        {"type": "disappearance", "source": "staff", "summary": "Gone", "change_status": "on"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "missing_category" in response.context["event_form"].errors
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not Event.objects.filter(case=case, type="disappearance").exists()


def test_a_found_event_offers_to_mark_the_child_found(client, people):
    case = create_case(people.giulia, case={"status": "missing", "missing_category": "runaway"})
    login(client, people.giulia)
    response = client.post(
        url(case),
        {"type": "found", "source": "police", "summary": "Found in Como", "change_status": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.FOUND


def test_the_status_change_is_left_alone_when_not_asked_for(client, people, case):
    login(client, people.giulia)
    client.post(url(case), {"type": "disappearance", "source": "staff", "summary": "Late tonight"}, **HTMX)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_person_who_may_not_update_the_case_is_not_offered_a_status_change(client, people, case, officer):
    login(client, officer, Purpose.LOCATE_MISSING_CHILD)
    html = client.get(url(case), {"type": "disappearance"}, **HTMX).content.decode()
    assert 'name="change_status"' not in html
    # Even if it is posted, the status stays: the field is not part of their form.
    response = client.post(
        url(case),
        {
            "type": "disappearance",
            "source": "police",
            "summary": "Caller says gone",
            "change_status": "on",
            "missing_category": "runaway",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_add_event_comes_before_the_timeline_and_the_identity(client, people, case):
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert html.index('id="event-form"') < html.index('id="identity-h"') < html.index('id="timeline"')
    assert html.index('id="situation-h"') < html.index('id="event-form"')
    assert '<details class="add-event"' not in html


def test_an_author_is_named_once_with_role_and_organisation(client, people, case):
    login(client, people.giulia)
    client.post(url(case), {"type": "note", "source": "staff", "summary": "Called school"})
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert f"Giulia (caseworker, {people.it_cps.name})" in html
    assert ") (" not in html.split('id="timeline"')[1].split("</ol>")[0]


def test_the_latest_sighting_and_its_place_lead_a_missing_childs_situation(client, people):
    case = create_case(people.giulia, case={"status": "missing", "missing_category": "runaway"})
    login(client, people.giulia)
    client.post(
        url(case),
        {
            "type": "sighting",
            "source": "hotline",
            "summary": "Seen by a volunteer",
            "location": "Stazione Garibaldi",
            "occurred_at": (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    login(client, people.sara)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    situation = html.split('id="situation-h"')[1].split("</section>")[0]
    assert "Stazione Garibaldi" in situation


def test_over_the_api_an_event_without_a_category_takes_the_one_its_type_is_about(people, case, officer):
    from waymark.cases.tests.api_client import api_as, case_url

    api = api_as(officer, purpose=Purpose.LOCATE_MISSING_CHILD)
    response = api.post(case_url(case, "/events"), {"type": "sighting", "summary": "Seen near the port"})
    assert response.status_code == 201, response.content
    assert response.json()["category"] == DataCategory.CONTACT_LOCATION
    # A note is case notes, which the officer may not write: refused, as before.
    assert api.post(case_url(case, "/events"), {"type": "note", "summary": "x"}).status_code == 404
