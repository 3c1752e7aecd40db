"""Past a cap, lists stop counting: the API says count_capped, the page asks for a narrower search."""

from __future__ import annotations

from django.urls import reverse

from waymark.cases import search
from waymark.cases.tests.api_client import api_as
from waymark.test import create_case, login


def test_the_api_and_the_page_say_when_the_count_is_capped(client, people, monkeypatch):
    for name in ("Amina", "Saba", "Yonas", "Hamid"):
        create_case(people.giulia, given_names=name, family_name="Tesfay")
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    body = api_as(people.giulia).get("/api/cases").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (3, True, 4)
    narrow = api_as(people.giulia).get("/api/cases", {"q": "Saba"}).json()
    assert (narrow["count"], narrow["count_capped"]) == (1, False)
    login(client, people.giulia)
    html = client.get(reverse("case_list")).content.decode()
    assert "More than 3 cases found: narrow the search" in html
