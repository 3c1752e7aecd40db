"""Refused to the wrong person: another country's NGO and immigration enforcement see nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.cases.models import CarePlan, ChildName, Event
from waymark.test import create_case, login

CASE_PAGES = [
    "case_detail",
    "child_edit",
    "case_edit",
    "event_add",
    "care_plan_edit",
    "alias_add",
    "child_photo",
    "case_timeline",
]


@pytest.fixture
def giulias_case(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfaye")


@pytest.mark.parametrize("who", ["claire", "ivan"])
@pytest.mark.parametrize("name", CASE_PAGES)
def test_claire_and_ivan_get_404_on_every_page_of_giulias_case(client, people, giulias_case, who, name):
    login(client, getattr(people, who))
    url = reverse(name, args=[giulias_case.public_id])
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404


@pytest.mark.parametrize("who", ["claire", "ivan"])
def test_their_writes_to_giulias_case_are_refused_and_change_nothing(client, people, giulias_case, who):
    login(client, getattr(people, who))
    events = Event.objects.count()
    case_url = giulias_case.public_id
    posts = {
        "event_add": {"type": "note", "source": "staff", "category": "case_notes", "summary": "x"},
        "alias_add": {"full_name": "Someone else"},
        "care_plan_edit": {"needs": "written by the wrong person"},
        "case_edit": {"status": "closed", "risk_level": "low"},
        "child_edit": {"given_names": "Changed", "sex": "female", "birth_date_precision": "exact"},
    }
    for name, data in posts.items():
        assert client.post(reverse(name, args=[case_url]), data).status_code == 404, name
    giulias_case.refresh_from_db()
    assert giulias_case.status == "open"
    assert giulias_case.child.given_names == "Amina"
    assert Event.objects.count() == events
    assert not ChildName.objects.filter(full_name="Someone else").exists()
    assert CarePlan.objects.get(case=giulias_case).needs == ""


@pytest.mark.parametrize("who", ["claire", "ivan"])
def test_giulias_case_is_not_in_their_lists_searches_or_dashboard(client, people, giulias_case, who):
    login(client, getattr(people, who))
    # Each request, and a text of the child's that it must not show (the search term itself is echoed).
    for response, secret in (
        (client.get(reverse("case_list")), "Amina"),
        (client.get(reverse("case_list"), {"q": "Amina"}), "Tesfaye"),
        (client.get(reverse("case_list"), {"q": "Tesfaye"}, HTTP_HX_REQUEST="true"), "Amina"),
        (client.get(reverse("case_list"), {"organisation": "it-cps-milano"}), "Amina"),
        (client.get(reverse("dashboard")), "Amina"),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert giulias_case.reference not in html
        assert secret not in html
        assert str(giulias_case.public_id) not in html


def test_giulias_colleague_and_the_childs_guardian_do_see_it(client, people, giulias_case):
    giulias_case.guardian = people.marco
    giulias_case.save(update_fields=["guardian"])
    for person in (people.sara, people.marco):
        login(client, person)
        assert client.get(reverse("case_detail", args=[giulias_case.public_id])).status_code == 200
        assert giulias_case.reference in client.get(reverse("case_list")).content.decode()
