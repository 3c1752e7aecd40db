"""After a save the page says so (issue 10, item 4): a Django message on the page the save leads to."""

from __future__ import annotations

from django.urls import reverse

from waymark.test import create_case, login


def test_editing_the_case_says_it_was_saved(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.post(
        reverse("case_edit", args=[case.public_id]),
        {"status": "open", "risk_level": "high", "unaccompanied": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("case_detail", args=[case.public_id])
    assert "The case is saved." in response.content.decode()


def test_editing_the_child_says_it_was_saved(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.post(
        reverse("child_edit", args=[case.public_id]),
        {"given_names": "Muhammad", "sex": "male", "birth_date_precision": "exact"},
        follow=True,
    )
    assert "The child&#x27;s details are saved." in response.content.decode()


def test_registering_says_which_case_was_opened(client, people):
    login(client, people.giulia)
    response = client.post(
        reverse("case_create"),
        {
            "given_names": "Amina",
            "sex": "female",
            "birth_date_precision": "exact",
            "status": "open",
            "risk_level": "medium",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Child registered: case IT-" in html


def test_a_refused_save_says_nothing_was_saved(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.post(reverse("care_plan_edit", args=[case.public_id]), {"review_date": "2020-01-01"})
    assert response.status_code == 422
    assert list(response.context["messages"]) == []
    assert "Care plan saved." not in response.content.decode()
