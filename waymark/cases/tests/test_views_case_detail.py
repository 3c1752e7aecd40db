"""The case page: who the child is, in every name and script, and what has happened."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from waymark.cases import actions
from waymark.cases.schemas import CarePlanIn, ConsentIn, EventIn
from waymark.test import create_case, days_ago, login


def test_giulia_sees_the_childs_identity_case_care_plan_consents_and_timeline(client, people):
    case = create_case(
        people.giulia,
        given_names="محمد",
        family_name="حسين",
        name_latin="Mohammed Hossein",
        aliases=[{"full_name": "Mehmet Hüseyin", "note": "given to the police in Ventimiglia"}],
        identifiers=[{"scheme": "unhcr", "value": "UNHCR-123-FICT", "issued_by": "UNHCR Rome"}],
        sex="male",
        birth_date=dt.date(2010, 3, 1),
        birth_date_precision="year",
        nationality="AF",
        languages=["prs", "ps"],
        case={"risk_level": "high", "risk_reasons": "Contact with a known smuggler", "guardian": "marco"},
    )
    actions.do_update_care_plan(
        people.giulia,
        case,
        CarePlanIn(
            needs="Safe shelter", objectives="Family tracing", responsible="sara", review_date=days_ago(3)
        ),
    )
    actions.do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            recipient_name="Association Refuge Calais",
            purpose="family_tracing",
            categories=["identity", "family"],
            valid_from=days_ago(1),
        ),
    )
    earlier = timezone.now() - dt.timedelta(days=2)
    actions.do_add_event(
        people.giulia,
        case,
        EventIn(type="interview", occurred_at=earlier, summary="First interview", location="Milano"),
    )
    actions.do_add_event(
        people.sara,
        case,
        EventIn(type="health", category="health", summary="Seen by a doctor", details="Fine"),
    )
    login(client, people.giulia)

    response = client.get(reverse("case_detail", args=[case.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    # Identity, in the original script and in Latin.
    for text in [
        "محمد حسين",
        "Mohammed Hossein",
        "Male",
        "2010",
        "Year only",
        "Afghanistan (AF)",
        "Dari",
        "Pushto",
    ]:
        assert text in html, text
    # The alias, with the note and who recorded it.
    assert "Mehmet Hüseyin" in html
    assert "given to the police in Ventimiglia" in html
    assert "recorded by Giulia" in html
    assert "UNHCR-123-FICT" in html
    # The case, the care plan (overdue), the consent.
    for text in [
        "High",
        "Contact with a known smuggler",
        "Marco",
        "Safe shelter",
        "Family tracing",
        "overdue",
    ]:
        assert text in html, text
    assert "Association Refuge Calais" in html
    # The timeline, newest first, with author, organisation, source, category and place.
    assert html.index("Seen by a doctor") < html.index("Registered by") < html.index("First interview")
    assert "<bdi>Sara</bdi> (<bdi>Servizio Tutela Minori Milano (fictional)</bdi>)" in html
    assert "special category" in html  # the health event is marked as such
    assert "Milano" in html
    # The ways to change the record.
    for name in ["child_edit", "case_edit", "care_plan_edit", "alias_add", "event_add"]:
        assert reverse(name, args=[case.public_id]) in html


def test_an_estimated_birth_is_shown_as_a_range_never_as_a_date(client, people):
    case = create_case(
        people.giulia,
        birth_date_precision="estimated",
        assessed_age_min=15,
        assessed_age_max=17,
        assessed_on=dt.date(2026, 1, 10),
    )
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "≈ born 2008–2011" in html
    assert "assessed age 15–17" in html


def test_an_unknown_case_is_a_404(client, people):
    login(client, people.giulia)
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404
