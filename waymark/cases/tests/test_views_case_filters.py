"""Narrowing the case list by status, risk, missing-child category and organisation."""

from __future__ import annotations

from django.urls import reverse

from waymark.test import create_case, login
from waymark.vocab import CaseStatus, MissingCategory, RiskLevel


def listing(client, **params):
    return client.get(reverse("case_list"), params).content.decode()


def test_giulia_filters_by_status_risk_and_missing_category(client, people):
    missing = create_case(
        people.giulia,
        given_names="Amina",
        family_name="Tesfaye",
        case={
            "status": CaseStatus.MISSING,
            "missing_category": MissingCategory.UNACCOMPANIED_MIGRANT,
            "risk_level": RiskLevel.HIGH,
        },
    )
    runaway = create_case(
        people.giulia,
        given_names="Yonas",
        family_name="Haile",
        case={"status": CaseStatus.MISSING, "missing_category": MissingCategory.RUNAWAY},
    )
    open_ = create_case(people.giulia, given_names="Omar", family_name="Said")
    login(client, people.giulia)

    html = listing(client, status="missing")
    assert missing.reference in html and runaway.reference in html
    assert open_.reference not in html

    html = listing(client, risk_level="high")
    assert missing.reference in html
    assert runaway.reference not in html and open_.reference not in html

    html = listing(client, missing_category="runaway")
    assert runaway.reference in html
    assert missing.reference not in html and open_.reference not in html

    html = listing(client, status="open", q="Omar")
    assert open_.reference in html
    assert missing.reference not in html


def test_marco_filters_by_organisation_among_the_cases_he_guards(client, people):
    guarded = create_case(
        people.giulia, given_names="Amina", family_name="Tesfaye", case={"guardian": "marco"}
    )
    create_case(people.giulia, given_names="Omar", family_name="Said")
    login(client, people.marco)

    html = listing(client, organisation="it-cps-milano")
    assert guarded.reference in html
    assert "Omar" not in html
    # Only organisations holding a case he can see are offered.
    assert 'value="it-cps-milano"' in html
    assert 'value="fr-ngo-calais"' not in html


def test_an_unknown_filter_value_is_reported_and_filters_nothing(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    response = client.get(reverse("case_list"), {"status": "teleported"})
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert case.reference in response.content.decode()
