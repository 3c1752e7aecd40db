"""Forms that do not ask for codes (issue 10, item 4): countries and languages are picked by name,
in the user's language or in English, and stored as ISO codes; the page shows names back."""

from __future__ import annotations

from django.urls import reverse

from waymark.cases import pickers
from waymark.cases.models import Case
from waymark.test import create_case, login

from .test_views_register_child import URL, form_data

NO_ROWS: dict[str, list[str]] = {
    "aliases-full_name": [],
    "aliases-note": [],
    "identifiers-scheme": [],
    "identifiers-value": [],
    "identifiers-issued_by": [],
}


def in_arabic(client):
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})


def test_names_come_from_cldr_in_english_and_in_arabic():
    assert pickers.country_names("en")["ER"] == "Eritrea"
    assert pickers.country_names("ar")["ER"] == "إريتريا"
    assert pickers.language_names("en")["prs"] == "Dari"
    assert pickers.language_names("ar")["ti"] == "التغرينية"
    # An option reads in both scripts, so a datalist finds it by either.
    assert ("ER", "إريتريا · Eritrea") in pickers.country_options("ar")


def test_a_name_in_either_script_or_a_code_resolves_to_the_code():
    assert pickers.resolve_country("إريتريا", "ar") == "ER"
    assert pickers.resolve_country("eritrea", "ar") == "ER"
    assert pickers.resolve_country("إريتريا · Eritrea", "ar") == "ER"
    assert pickers.resolve_country("af", "en") == "AF"
    assert pickers.resolve_language("Dari", "en") == "prs"
    assert pickers.resolve_language("الدارية", "ar") == "prs"
    assert pickers.resolve_language("Narnian", "en") == "Narnian"  # left for the schema to refuse


def test_the_register_page_offers_names_in_english_and_stores_codes(client, people):
    login(client, people.giulia)
    html = client.get(URL).content.decode()
    assert '<option value="Eritrea"></option>' in html
    assert '<option value="Dari"></option>' in html
    assert "ISO 3166" not in html and "ISO 639" not in html  # nobody is asked for a code
    response = client.post(
        URL,
        form_data(nationality="Eritrea", languages=["Tigrinya", "Arabic", ""], **NO_ROWS),
    )
    assert response.status_code == 302, response.context["form"].errors
    child = Case.objects.get().child
    assert child.nationality == "ER"
    assert child.languages == ["ti", "ar"]


def test_the_register_page_offers_names_in_arabic_and_stores_codes(client, people):
    login(client, people.giulia)
    in_arabic(client)
    html = client.get(URL).content.decode()
    assert '<option value="إريتريا · Eritrea"></option>' in html
    response = client.post(
        URL,
        form_data(
            nationality="إريتريا · Eritrea",
            languages=["التغرينية", "الدارية · Dari"],
            **NO_ROWS,
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    child = Case.objects.get().child
    assert child.nationality == "ER"
    assert child.languages == ["ti", "prs"]


def test_the_edit_page_shows_the_stored_codes_as_names(client, people):
    case = create_case(people.giulia, nationality="AF", languages=["prs", "ps"])
    login(client, people.giulia)
    html = client.get(reverse("child_edit", args=[case.public_id])).content.decode()
    assert 'value="Afghanistan"' in html
    assert 'value="Dari"' in html
    assert 'value="Pashto"' in html
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Afghanistan" in page and "Dari" in page


def test_an_unknown_country_is_refused_naming_the_field(client, people):
    login(client, people.giulia)
    response = client.post(URL, form_data(nationality="Narnia"))
    assert response.status_code == 422
    assert "nationality" in response.context["form"].errors
    assert not Case.objects.exists()
