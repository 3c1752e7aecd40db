"""The firewall, tried through the real HTTP API and web pages (not only the service).

Named cases from the firewall issue: each row says who asks, for what, and what they must get.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases import actions
from waymark.cases.schemas import EventIn
from waymark.cases.tests.api_client import api_as
from waymark.errors import NotFound
from waymark.policy import breakglass
from waymark.policy.tests.factories import create_agreement
from waymark.test import create_case, create_user, login, share
from waymark.vocab import AgreementStatus, ContextSource, DataCategory, Purpose, Role

LOCATE = Purpose.LOCATE_MISSING_CHILD
CP = Purpose.CHILD_PROTECTION


@pytest.fixture
def italian_case(people):
    case = create_case(
        people.giulia,
        given_names="Saba",
        family_name="Tesfay",
        nationality="ER",
        case={"guardian": "marco", "risk_level": "high", "risk_reasons": "Fled a forced marriage"},
    )
    actions.do_add_event(
        people.giulia,
        case,
        EventIn(type="health", category=DataCategory.HEALTH, summary="Asthma, needs an inhaler"),
    )
    # Saba is missing, and Milan has alerted Calais about her (need to know).
    share(case, people.fr_ngo, LOCATE, source=ContextSource.MISSING_ALERT, missing=True)
    return case


def locate_agreement(people, **kwargs):
    grants = [
        (people.fr_ngo, Role.CASEWORKER, c, LOCATE)
        for c in (
            DataCategory.IDENTITY,
            DataCategory.PHYSICAL_DESCRIPTION,
            DataCategory.PHOTO,
            DataCategory.CONTACT_LOCATION,
        )
    ]
    return create_agreement("IT-FR-LOCATE-2026", [people.it_cps, people.fr_ngo], grants=grants, **kwargs)


def get_case(user, case, purpose=CP):
    return api_as(user, purpose=purpose).get(f"/api/cases/{case.public_id}")


def test_the_guardian_reads_their_wards_case(people, italian_case):
    body = get_case(people.marco, italian_case).json()
    assert body["child"]["given_names"] == "Saba"
    assert body["risk_reasons"] == "Fled a forced marriage"
    assert body["withheld"] == {}


def test_a_french_caseworker_without_an_agreement_gets_not_found(people, italian_case):
    assert get_case(people.claire, italian_case, LOCATE).status_code == 404
    assert api_as(people.claire, purpose=LOCATE).get("/api/cases", {"q": "Saba"}).json()["count"] == 0


def test_with_the_agreement_the_french_caseworker_sees_exactly_the_granted_categories(people, italian_case):
    locate_agreement(people)
    response = get_case(people.claire, italian_case, LOCATE)
    assert response.status_code == 200
    body = response.json()
    assert body["child"]["given_names"] == "Saba"
    assert body["child"]["nationality"] is None  # legal status is not granted
    assert body["risk_reasons"] is None
    assert body["withheld"]["risk_reasons"] == "not shared with you under agreement IT-FR-LOCATE-2026"
    assert "child.nationality" in body["withheld"]
    events = api_as(people.claire, purpose=LOCATE).get(f"/api/cases/{italian_case.public_id}/events").json()
    health = next(e for e in events["items"] if e["category"] == "health")
    assert health["summary"] is None and "summary" in health["withheld"]
    # The care plan is case notes: refused as a whole, saying why.
    plan = api_as(people.claire, purpose=LOCATE).get(f"/api/cases/{italian_case.public_id}/care-plan")
    assert plan.status_code == 403


def test_the_agreement_does_not_open_the_case_for_another_purpose(people, italian_case):
    locate_agreement(people)
    assert get_case(people.claire, italian_case, CP).status_code == 404


@pytest.mark.parametrize(
    "agreement",
    [
        {"valid_until": timezone.now() - dt.timedelta(days=1)},
        {"status": AgreementStatus.SUSPENDED},
    ],
    ids=["expired", "suspended"],
)
def test_an_expired_or_suspended_agreement_opens_nothing(people, italian_case, agreement):
    locate_agreement(people, **agreement)
    assert get_case(people.claire, italian_case, LOCATE).status_code == 404


def test_a_category_not_granted_cannot_be_written(people, italian_case):
    locate_agreement(people)
    response = api_as(people.claire, purpose=LOCATE).post(
        f"/api/cases/{italian_case.public_id}/events",
        {"type": "note", "category": "case_notes", "summary": "Trying to write"},
    )
    assert response.status_code == 404


def test_a_police_officer_never_reads_health_data(people, italian_case):
    # Even in his own organisation a police officer reads no health data; here he has none.
    assert get_case(people.luc, italian_case, LOCATE).status_code == 404


def test_an_immigration_enforcement_user_is_refused_everything_even_with_a_grant(people, italian_case):
    create_agreement(
        "MISTAKE",
        [people.it_cps, people.immigration],
        grants=[(people.immigration, Role.CASEWORKER, DataCategory.IDENTITY, CP)],
    )
    assert get_case(people.ivan, italian_case).status_code == 404
    assert api_as(people.ivan).get("/api/cases").json()["count"] == 0
    register = api_as(people.ivan).post("/api/cases", {"child": {"given_names": "Test"}})
    assert register.status_code == 403


def test_the_purpose_immigration_enforcement_is_refused_everywhere(client, people, italian_case):
    api = api_as(people.giulia, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
    for path in (
        "/api/cases",
        f"/api/cases/{italian_case.public_id}",
        f"/api/cases/{italian_case.public_id}/events",
    ):
        response = api.get(path)
        assert response.status_code == 403, path
        assert "Waymark-Purpose" in response.json()["errors"]
    login(client, people.giulia, purpose=None)
    page = client.post(reverse("purpose_choose"), {"purpose": "immigration_enforcement"})
    assert page.status_code == 403
    assert client.get(reverse("case_list"))["Location"].startswith(reverse("purpose_choose"))
    assert AuditEntry.objects.filter(purpose="immigration_enforcement", decision="deny").count() >= 4


def test_a_missing_or_unknown_purpose_header_is_a_clear_400(people, italian_case):
    for purpose in (None, "curiosity"):
        response = api_as(people.giulia, purpose=purpose).get(f"/api/cases/{italian_case.public_id}")
        assert response.status_code == 400
        assert "Waymark-Purpose" in response.json()["errors"]


def test_the_web_page_redacts_with_a_visible_marker(client, people, italian_case):
    locate_agreement(people)
    login(client, people.claire, purpose=LOCATE)
    html = client.get(reverse("case_detail", args=[italian_case.public_id])).content.decode()
    assert "Saba" in html
    assert "Fled a forced marriage" not in html
    assert "Asthma" not in html
    assert "not shared with you under agreement IT-FR-LOCATE-2026" in html
    assert reverse("care_plan_edit", args=[italian_case.public_id]) not in html


def test_break_glass_on_another_organisations_child_waits_for_its_supervisor(people, italian_case):
    locate_agreement(people)
    glass = breakglass.do_open_break_glass(
        people.claire,
        italian_case,
        LOCATE,
        "Seen with an adult who took her passport; she may be moved tonight",
    )
    body = get_case(people.claire, italian_case, LOCATE).json()
    assert body["risk_reasons"] is None  # nothing beyond the agreement before Milan confirms
    breakglass.do_confirm_break_glass(people.sara, glass.pk)
    body = get_case(people.claire, italian_case, LOCATE).json()
    assert body["risk_reasons"] == "Fled a forced marriage"  # opened beyond the agreement
    assert body["withheld"] == {}


def test_break_glass_confirmed_by_the_owners_supervisor_holds_and_its_dpo_sees_it(people, italian_case):
    fr_supervisor = create_user("louise", people.fr_ngo, Role.SUPERVISOR)
    it_dpo = create_user("dominique", people.it_cps, Role.DPO)
    locate_agreement(people)
    glass = breakglass.do_open_break_glass(
        people.claire,
        italian_case,
        LOCATE,
        "Seen with an adult who took her passport; she may be moved tonight",
    )
    with pytest.raises(NotFound):  # the opener can never confirm their own
        breakglass.do_confirm_break_glass(people.claire, glass.pk)
    with pytest.raises(NotFound):  # nor their own organisation
        breakglass.do_confirm_break_glass(fr_supervisor, glass.pk)
    breakglass.do_confirm_break_glass(people.sara, glass.pk)
    type(glass).objects.filter(pk=glass.pk).update(confirm_by=timezone.now() - dt.timedelta(seconds=1))
    assert get_case(people.claire, italian_case, LOCATE).json()["risk_reasons"] == "Fled a forced marriage"
    assert list(breakglass.dpo_alerts(it_dpo)) == [glass]
    assert AuditEntry.objects.filter(kind="break_glass").count() == 2


def test_break_glass_never_overrides_the_firewall(people, italian_case):
    with pytest.raises(NotFound):
        breakglass.do_open_break_glass(
            people.ivan, italian_case, CP, "An officer says it is urgent and wants the address now"
        )
    assert get_case(people.ivan, italian_case).status_code == 404
