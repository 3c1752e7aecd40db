"""A caseworker without a second factor logs in with a username and password, on a page that
looks like the rest of the site."""

from __future__ import annotations

from django.urls import reverse

from waymark.accounts.tests.helpers import log_in, logged_in_as
from waymark.test import PASSWORD


def test_giulia_logs_in_with_her_password_and_lands_where_she_was_going(client, people):
    response = client.get(reverse("case_list"))
    assert response["Location"] == f"{reverse('login')}?next={reverse('case_list')}"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="username"' in html and 'for="id_username"' in html
    assert 'name="password"' in html and 'for="id_password"' in html
    assert f'name="next" value="{reverse("case_list")}"' in html
    assert "Fictional demo data" in html  # the site's own layout, demo banner included
    assert 'action="/i18n/setlang/"' in html

    response = client.post(
        reverse("login"), {"username": "giulia", "password": PASSWORD, "next": reverse("case_list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_list")
    assert logged_in_as(client) == "giulia"
    # There she declares her purpose first, then lands on the list.
    ask = client.get(reverse("case_list"))
    assert ask["Location"].startswith(reverse("purpose_choose"))
    client.post(reverse("purpose_choose"), {"purpose": "child_protection"})
    assert client.get(reverse("case_list")).status_code == 200


def test_a_caseworker_is_not_asked_for_a_second_factor(client, people):
    response = log_in(client, "claire")
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("purpose_choose")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message_and_no_session(client, people):
    response = log_in(client, "giulia", "not her password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert logged_in_as(client) is None


def test_the_login_page_reads_right_to_left_in_arabic(client, db):
    client.cookies["django_language"] = "ar"
    html = client.get(reverse("login")).content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
