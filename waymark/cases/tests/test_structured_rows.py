"""Aliases and identifiers as rows of inputs (issue 10, item 4), not a "name | where" text format."""

from __future__ import annotations

from django.urls import reverse

from waymark.cases.models import Case, ChildName, NameKind
from waymark.test import create_case, login

from .test_views_register_child import URL, form_data


def test_the_form_offers_rows_with_a_kind_picker_and_no_text_format(client, people):
    login(client, people.giulia)
    html = client.get(URL).content.decode()
    assert 'name="aliases-full_name"' in html and 'name="aliases-note"' in html
    assert '<select name="identifiers-scheme"' in html
    assert ">UNHCR registration</option>" in html
    assert "name | where" not in html and "scheme | reference" not in html
    assert 'aria-label="Name, row 1"' in html


def test_rows_are_stored_as_aliases_and_identifiers(client, people):
    login(client, people.giulia)
    response = client.post(
        URL,
        form_data(
            **{
                "aliases-full_name": ["Amna", "", "أمينة"],
                "aliases-note": ["on the bus ticket", "", ""],
                "identifiers-scheme": ["eurodac", "other"],
                "identifiers-value": ["EU-77-FICT", ""],
                "identifiers-issued_by": ["", ""],
            }
        ),
    )
    assert response.status_code == 302
    child = Case.objects.get().child
    aliases = dict(
        ChildName.objects.filter(child=child, kind=NameKind.ALIAS).values_list("full_name", "note")
    )
    assert aliases == {"Amna": "on the bus ticket", "أمينة": ""}  # the blank row is ignored
    assert list(child.identifiers.values_list("scheme", "value")) == [("eurodac", "EU-77-FICT")]


def test_a_refused_row_comes_back_as_typed_naming_its_row(client, people):
    login(client, people.giulia)
    response = client.post(
        URL, form_data(**{"aliases-full_name": ["Amna", ""], "aliases-note": ["", "a note without a name"]})
    )
    assert response.status_code == 422
    assert response.context["form"].errors["aliases"][0].startswith("Line 2:")
    html = response.content.decode()
    assert 'value="a note without a name"' in html
    assert not Case.objects.exists()


def test_the_edit_page_adds_rows_to_the_known_aliases(client, people):
    case = create_case(people.giulia, aliases=[{"full_name": "Abu Ali", "note": "at the port"}])
    login(client, people.giulia)
    url = reverse("child_edit", args=[case.public_id])
    assert 'name="aliases-full_name"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "given_names": "Muhammad",
            "family_name": "Hussain",
            "sex": "male",
            "birth_date_precision": "exact",
            "aliases-full_name": ["Hamoudi"],
            "aliases-note": ["what his friends call him"],
        },
    )
    assert response.status_code == 302
    names = set(
        ChildName.objects.filter(child=case.child, kind=NameKind.ALIAS).values_list("full_name", flat=True)
    )
    assert names == {"Abu Ali", "Hamoudi"}
