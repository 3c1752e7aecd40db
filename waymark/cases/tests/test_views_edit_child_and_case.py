"""Editing the child's identity, the case, and adding an alias."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from waymark.cases.models import Case, ChildName, NameKind
from waymark.test import create_case, login


def test_giulia_corrects_the_childs_identity_and_keeps_every_alias(client, people):
    case = create_case(
        people.giulia,
        given_names="Amina",
        family_name="Tesfaye",
        aliases=[{"full_name": "Amna", "note": "hotline"}],
        nationality="ER",
    )
    url = reverse("child_edit", args=[case.public_id])
    login(client, people.giulia)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["nationality"] == "ER"
    assert "Amna" in page.content.decode()

    response = client.post(
        url,
        {
            "given_names": "Amina",
            "family_name": "Tesfay",
            "sex": "female",
            "birth_date_precision": "estimated",
            "assessed_age_min": "15",
            "assessed_age_max": "17",
            "assessed_on": "2026-01-10",
            "nationality": "ET",
            "languages": "ti",
            "aliases-full_name": ["Aminat", ""],
            "aliases-note": ["told to the shelter", ""],
        },
    )
    assert response.status_code == 302
    child = Case.objects.get(pk=case.pk).child
    assert (child.family_name, child.nationality, child.assessed_age_max) == ("Tesfay", "ET", 17)
    aliases = set(
        ChildName.objects.filter(child=child, kind=NameKind.ALIAS).values_list("full_name", flat=True)
    )
    assert aliases == {"Amna", "Aminat"}


def test_a_child_known_only_by_an_alias_can_still_be_edited(client, people):
    case = create_case(people.giulia, given_names="", family_name="", aliases=[{"full_name": "Abu Ali"}])
    login(client, people.giulia)
    response = client.post(
        reverse("child_edit", args=[case.public_id]),
        {"sex": "male", "birth_date_precision": "exact", "nationality": "SY"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).child.nationality == "SY"


def test_a_future_birth_date_is_refused_naming_the_field(client, people):
    case = create_case(people.giulia, birth_date=dt.date(2011, 1, 1))
    login(client, people.giulia)
    response = client.post(
        reverse("child_edit", args=[case.public_id]),
        {
            "given_names": "Muhammad",
            "sex": "male",
            "birth_date_precision": "exact",
            "birth_date": "2099-01-01",
        },
    )
    assert response.status_code == 422
    assert "birth_date" in response.context["form"].errors
    assert Case.objects.get(pk=case.pk).child.birth_date == dt.date(2011, 1, 1)


def test_giulia_reports_the_child_missing(client, people):
    case = create_case(people.giulia)
    url = reverse("case_edit", args=[case.public_id])
    login(client, people.giulia)
    assert client.get(url).context["form"].initial["caseworker"] == "giulia"

    refused = client.post(url, {"status": "missing", "risk_level": "high", "caseworker": "giulia"})
    assert refused.status_code == 422
    assert "missing_category" in refused.context["form"].errors
    assert Case.objects.get(pk=case.pk).status == "open"

    response = client.post(
        url,
        {
            "status": "missing",
            "missing_category": "unaccompanied_migrant",
            "risk_level": "critical",
            "caseworker": "giulia",
            "guardian": "marco",
            "unaccompanied": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.risk_level, case.guardian) == ("missing", "critical", people.marco)
    assert any("Status changed" in e.summary_text for e in case.events.all())


def test_giulia_adds_an_alias_with_where_it_was_given(client, people):
    case = create_case(people.giulia)
    url = reverse("alias_add", args=[case.public_id])
    login(client, people.giulia)
    assert client.get(url).status_code == 200

    assert client.post(url, {"full_name": "", "note": "x"}).status_code == 422
    response = client.post(url, {"full_name": "محمد حسين", "note": "written on a phone"})
    assert response.status_code == 302
    alias = ChildName.objects.get(child=case.child, kind=NameKind.ALIAS)
    assert (alias.full_name, alias.note, alias.recorded_by) == (
        "محمد حسين",
        "written on a phone",
        people.giulia,
    )
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "written on a phone" in html
