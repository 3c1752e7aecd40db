"""Registering a child and opening their case, on one page; every refusal names its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from waymark.cases.models import Case, ChildName, NameKind
from waymark.test import create_case, login

URL = "/cases/new"


def form_data(**overrides):
    data = {
        "given_names": "Amina",
        "family_name": "Tesfaye",
        "name_latin": "",
        # Aliases and identifiers are rows of inputs, one list per column.
        "aliases-full_name": ["أمينة", "Amna Tesfay"],
        "aliases-note": ["told to the hotline", "on the bus ticket"],
        "sex": "female",
        "birth_date": "2010-04-02",
        "birth_date_precision": "exact",
        "nationality": "er",
        "languages": "ti, ar",
        "identifiers-scheme": ["unhcr"],
        "identifiers-value": ["UNHCR-555-FICT"],
        "identifiers-issued_by": ["UNHCR Rome"],
        "status": "open",
        "missing_category": "",
        "unaccompanied": "on",
        "risk_level": "high",
        "risk_reasons": "Forced marriage",
        "caseworker": "",
        "guardian": "marco",
    }
    data.update(overrides)
    return data


def test_the_url_is_the_one_others_link_to():
    assert reverse("case_create") == URL


def test_giulia_registers_amina_and_lands_on_her_case(client, people):
    login(client, people.giulia)
    assert client.get(URL).status_code == 200
    response = client.post(URL, form_data(), follow=True)
    case = Case.objects.get()
    # No record looks like her: the candidates panel goes on to her case.
    assert response.redirect_chain[-1][0] == reverse("case_detail", args=[case.public_id])
    child = case.child
    assert (child.given_names, child.family_name, child.nationality) == ("Amina", "Tesfaye", "ER")
    assert child.languages == ["ti", "ar"]
    assert child.birth_date == dt.date(2010, 4, 2)
    assert case.risk_level == "high"
    assert case.guardian == people.marco
    assert case.caseworker == people.giulia  # a caseworker registering becomes the caseworker
    aliases = {n.full_name: n.note for n in ChildName.objects.filter(child=child, kind=NameKind.ALIAS)}
    assert aliases == {"أمينة": "told to the hotline", "Amna Tesfay": "on the bus ticket"}
    assert child.identifiers.get().value == "UNHCR-555-FICT"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nationality": "XX"}, "nationality"),
        ({"nationality": "Narnia"}, "nationality"),
        ({"languages": "ti, klingon"}, "languages"),
        ({"birth_date": (dt.date.today() + dt.timedelta(days=30)).isoformat()}, "birth_date"),
        ({"birth_date": "", "birth_date_precision": "estimated"}, "assessed_age_min"),
        (
            {"birth_date_precision": "estimated", "assessed_age_min": "17", "assessed_age_max": "15"},
            "assessed_age_max",
        ),
        ({"given_names": "", "family_name": "", "aliases-full_name": [], "aliases-note": []}, "given_names"),
        ({"status": "missing", "missing_category": ""}, "missing_category"),
        ({"aliases-full_name": ["Amna", ""], "aliases-note": ["", "a note without a name"]}, "aliases"),
        ({"identifiers-scheme": ["passport"], "identifiers-value": ["123"]}, "identifiers"),
        ({"guardian": "claire"}, "guardian"),
    ],
)
def test_a_refusal_names_the_field_and_saves_nothing(client, people, overrides, field):
    login(client, people.giulia)
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 422
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert Case.objects.count() == 0
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'href="#id_{field}"' in html


def test_a_list_error_says_which_line(client, people):
    login(client, people.giulia)
    response = client.post(
        URL, form_data(**{"aliases-full_name": ["Amna", ""], "aliases-note": ["", "a note without a name"]})
    )
    assert response.context["form"].errors["aliases"][0].startswith("Line 2:")


def test_a_probable_duplicate_is_shown_then_registered_once_confirmed(client, people):
    existing = create_case(
        people.giulia, given_names="Amina", family_name="Tesfaye", birth_date=dt.date(2010, 4, 2)
    )
    login(client, people.giulia)

    response = client.post(URL, form_data(given_names="Amina", family_name="Tesfay"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "This child may already be registered" in html
    assert existing.reference in html
    assert reverse("case_detail", args=[existing.public_id]) in html
    assert 'name="confirm_not_duplicate"' in html
    assert "confirm_not_duplicate" in response.context["form"].errors
    assert Case.objects.count() == 1

    response = client.post(
        URL, form_data(given_names="Amina", family_name="Tesfay", confirm_not_duplicate="on")
    )
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_the_form_offers_countries_and_labels_every_input(client, people):
    login(client, people.giulia)
    html = client.get(URL).content.decode()
    assert '<datalist id="countries">' in html
    # Names, not codes: the form turns the name back into the code (test_pickers.py).
    assert '<option value="Eritrea"></option>' in html
    form = client.get(URL).context["form"]
    for field in form:
        if field.name != "confirm_not_duplicate":
            assert f'for="{field.id_for_label}"' in html, field.name
