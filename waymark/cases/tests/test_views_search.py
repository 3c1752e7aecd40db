"""Finding a child by any spelling of their name, in Latin or Arabic script."""

from __future__ import annotations

import pytest
from django.urls import reverse

from waymark.test import create_case, login


@pytest.fixture
def mohammed(people):
    return create_case(
        people.giulia,
        given_names="Mohammed",
        family_name="Hossein",
        aliases=[{"full_name": "محمد حسين", "note": "as written by the hotline"}],
        nationality="AF",
    )


@pytest.fixture
def amina(people):
    return create_case(people.giulia, given_names="Amina", family_name="Tesfaye", nationality="ER")


def search(client, q, **headers):
    return client.get(reverse("case_list"), {"q": q}, **headers)


def test_giulia_finds_mohammed_by_another_latin_spelling(client, people, mohammed, amina):
    login(client, people.giulia)
    html = search(client, "Muhamad Husain").content.decode()
    assert mohammed.reference in html
    assert amina.reference not in html


def test_giulia_finds_mohammed_by_his_name_in_arabic_script(client, people, mohammed, amina):
    login(client, people.giulia)
    html = search(client, "محمد").content.decode()
    assert mohammed.reference in html
    assert amina.reference not in html


def test_the_results_show_name_forms_birth_nationality_status_and_organisation(client, people):
    case = create_case(
        people.giulia,
        given_names="محمد",
        family_name="حسين",
        name_latin="Mohammed Hossein",
        birth_date_precision="estimated",
        assessed_age_min=14,
        assessed_age_max=16,
        assessed_on="2025-06-01",
        nationality="AF",
    )
    login(client, people.giulia)
    html = search(client, "Mohammed").content.decode()
    assert case.reference in html
    assert "محمد حسين" in html
    assert "Mohammed Hossein" in html
    assert "≈ born 2008–2011" in html
    assert "Afghanistan" in html
    assert "Open" in html
    assert people.it_cps.name in html


def test_a_search_that_finds_nobody_says_so(client, people, amina):
    login(client, people.giulia)
    response = search(client, "Zzyzx")
    assert amina.reference not in response.content.decode()
    assert "No case matches" in response.content.decode()


def test_htmx_live_search_gets_only_the_results_and_the_count(client, people, mohammed, amina):
    login(client, people.giulia)
    response = search(client, "Husain", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<table" in html
    assert mohammed.reference in html
    assert amina.reference not in html
    assert 'hx-swap-oob="true"' in html  # the live "n cases found" status
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, people, mohammed):
    login(client, people.giulia)
    response = search(client, "Husain", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_the_search_form_drives_htmx_and_works_without_it(client, people):
    login(client, people.giulia)
    html = client.get(reverse("case_list")).content.decode()
    assert 'role="search"' in html
    assert 'method="get"' in html
    assert 'hx-get="/cases/"' in html
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert "delay:" in html
    assert '<label for="id_q">Name (any spelling or script)' in html
