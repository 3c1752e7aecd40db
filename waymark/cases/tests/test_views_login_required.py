"""Every page of the case record asks who you are first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.test import PASSWORD, create_case

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


@pytest.mark.parametrize("name", ["dashboard", "case_list", "case_create"])
def test_it_sends_a_stranger_to_the_login_page(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", CASE_PAGES)
def test_it_sends_a_stranger_away_from_a_case_without_a_trace_of_it(client, people, name):
    case = create_case(people.giulia)
    url = reverse(name, args=[case.public_id])
    for response in (client.get(url), client.post(url, {"summary": "x", "type": "note"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert case.reference not in response.content.decode()


def test_it_logs_giulia_in_and_out(client, people):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'for="id_username"' in page.content.decode()

    response = client.post(reverse("login"), {"username": "giulia", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    # The first page asks why she is working with children's data.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("purpose_choose"))
    client.post(reverse("purpose_choose"), {"purpose": "child_protection"})
    assert client.get(reverse("dashboard")).status_code == 200

    assert client.get(reverse("logout")).status_code == 405  # a link cannot log anyone out
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, people):
    response = client.post(reverse("login"), {"username": "giulia", "password": "not it"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
