"""Best-interests assessments and determinations (issue 13 item 4): recorded with the child's
views first, a determination only by a multidisciplinary panel after the guardian, approved by a
supervisor who is not its author, only a determination recommending a return; each section shown
only where the policy opens its category — a Dublin officer sees the recommendation, family and
legal status, never the child's views or health. Pages and API, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.models import Event
from waymark.cases.tests.api_client import api_as
from waymark.continuity import actions
from waymark.continuity.models import BestInterests, BestInterestsStatus
from waymark.continuity.schemas import BestInterestsIn
from waymark.errors import ActionError
from waymark.test import create_case, create_user, login
from waymark.vocab import Purpose, Role

TRACING = Purpose.FAMILY_TRACING


def _body(**extra):
    return {
        "kind": "assessment",
        "child_views": "I want to live with my brother in Brussels (fictional).",
        "child_views_language": "ti",
        "family": "An older brother in Belgium, in contact by phone (fictional).",
        "health": "Asthma, treated (fictional).",
        "safety": "Approached by a smuggler at the station (fictional).",
        "legal_status": "Asylum application registered in Italy (fictional).",
        "options": "Stay in Milan in foster care; reunion with the brother in Belgium.",
        "recommendation": "family_reunification",
        "recommendation_country": "BE",
        "recommendation_reason": "The brother can care for him; the child wishes it (fictional).",
        "guardian_consulted": True,
        "guardian_views": "Agrees with the reunion (fictional).",
    } | extra


PANEL = [
    {"name": "Anna (fictional)", "discipline": "social work"},
    {"name": "Luca (fictional)", "discipline": "law"},
]


def test_a_caseworker_records_an_assessment_and_reads_every_section(people):
    case = create_case(people.giulia)
    client = api_as(people.giulia)
    response = client.post(f"/api/cases/{case.public_id}/best-interests", _body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "recorded" and body["recommendation"] == "family_reunification"
    assert body["child_views"].startswith("I want to live with my brother")
    assert body["health"].startswith("Asthma") and body["withheld"] == []
    assert Event.objects.filter(case=case, summary__contains="recommends").exists()
    listed = client.get(f"/api/cases/{case.public_id}/best-interests").json()
    assert [r["public_id"] for r in listed] == [body["public_id"]]
    # Sealed at rest: the child's words are not in the column.
    row = BestInterests.objects.get(public_id=body["public_id"])
    assert "brother" not in row.child_views_sealed and row.child_views.startswith("I want")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "determination", "panel": []}, "panel"),  # the bad input: no panel
        ({"kind": "determination", "panel": [PANEL[0], {**PANEL[1], "discipline": "Social work"}]}, "panel"),
        ({"child_views": "   "}, "child_views"),  # the bad input: no child's views
        ({"child_views_language": "zz"}, "child_views_language"),
        ({"recommendation": "return", "recommendation_country": "ER"}, "recommendation"),
        ({"recommendation_country": ""}, "recommendation_country"),
        ({"recommendation_country": "IT"}, "recommendation_country"),  # reunification "here"
        ({"guardian_consulted": True, "guardian_views": ""}, "guardian_views"),
        (
            {"kind": "determination", "panel": PANEL, "guardian_consulted": False, "guardian_views": ""},
            "guardian_consulted",
        ),
        ({"options": ""}, "options"),
        ({"review_on": "2020-01-01"}, "review_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(people, change, field):
    case = create_case(people.giulia)
    response = api_as(people.giulia).post(f"/api/cases/{case.public_id}/best-interests", _body(**change))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert not BestInterests.objects.filter(case=case).exists()


def test_a_case_with_a_guardian_needs_the_guardian_consulted(people):
    case = create_case(people.giulia, case={"guardian": people.marco.username})
    data = BestInterestsIn.model_validate(_body(guardian_consulted=False, guardian_views=""))
    with pytest.raises(ActionError) as refused:
        actions.do_record_best_interests(people.giulia, case, data)
    assert "guardian_consulted" in refused.value.errors


def test_a_determination_waits_for_a_supervisor_who_is_not_its_author(people):
    case = create_case(people.giulia)
    body = _body(kind="determination", panel=PANEL, recommendation="return", recommendation_country="ER")
    made = api_as(people.giulia).post(f"/api/cases/{case.public_id}/best-interests", body).json()
    assert made["status"] == "awaiting_approval" and made["panel"] == PANEL
    url = f"/api/cases/{case.public_id}/best-interests/{made['public_id']}/approval"
    refused = api_as(people.giulia).post(url)  # the author, and not a supervisor
    assert refused.status_code == 422 and "approved_by" in refused.json()["errors"]
    approved = api_as(people.sara).post(url)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["approved_at"]
    again = api_as(people.sara).post(url)
    assert again.status_code == 422 and "status" in again.json()["errors"]
    assert BestInterests.objects.get(public_id=made["public_id"]).status == BestInterestsStatus.APPROVED


def test_a_dublin_officer_sees_the_recommendation_family_and_legal_status_only(people):
    dora = create_user("dublin-dora", people.it_cps, Role.DUBLIN_OFFICER)
    case = create_case(people.giulia)
    api_as(people.giulia).post(f"/api/cases/{case.public_id}/best-interests", _body())
    response = api_as(dora, purpose=TRACING).get(f"/api/cases/{case.public_id}/best-interests")
    assert response.status_code == 200, response.content
    (record,) = response.json()
    assert record["recommendation"] == "family_reunification" and record["recommendation_country"] == "BE"
    assert record["family"].startswith("An older brother") and record["legal_status"].startswith("Asylum")
    for closed in ("child_views", "health", "safety", "options", "panel", "guardian_views"):
        assert record[closed] is None and closed in record["withheld"]
    assert "Asthma" not in response.content.decode() and "I want" not in response.content.decode()
    # ... and may not record one (writing the child's views is not open to the role).
    wrote = api_as(dora, purpose=TRACING).post(f"/api/cases/{case.public_id}/best-interests", _body())
    assert wrote.status_code == 404


def test_another_organisation_and_immigration_enforcement_see_nothing(people):
    case = create_case(people.giulia)
    api_as(people.giulia).post(f"/api/cases/{case.public_id}/best-interests", _body())
    for user, purpose in ((people.claire, Purpose.CHILD_PROTECTION), (people.ivan, Purpose.CHILD_PROTECTION)):
        response = api_as(user, purpose=purpose).get(f"/api/cases/{case.public_id}/best-interests")
        assert response.status_code == 404, (user.username, response.content)


def test_reading_them_is_audited_for_the_child(people):
    case = create_case(people.giulia)
    api_as(people.giulia).post(f"/api/cases/{case.public_id}/best-interests", _body())
    before = AuditEntry.objects.filter(case_reference=case.reference).count()
    api_as(people.giulia).get(f"/api/cases/{case.public_id}/best-interests")
    assert AuditEntry.objects.filter(case_reference=case.reference).count() > before


def test_the_page_records_one_and_the_case_page_shows_it(client, people):
    case = create_case(people.giulia)
    login(client, people.giulia)
    url = reverse("continuity:record_best_interests", args=[case.public_id])
    assert client.get(url).status_code == 200
    form = _body(panel="", review_on="")
    form.pop("guardian_consulted")  # an unticked box sends nothing
    form["guardian_views"] = ""
    refused = client.post(url, form | {"child_views": ""})
    assert refused.status_code == 422 and "own words" in refused.content.decode()
    done = client.post(url, form)
    assert done.status_code == 302, done.content.decode()[:2000]
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Best interests" in page and "I want to live with my brother" in page


def test_a_supervisor_approves_a_determination_on_the_page(client, people):
    case = create_case(people.giulia)
    data = BestInterestsIn.model_validate(_body(kind="determination", panel=PANEL))
    record = actions.do_record_best_interests(people.giulia, case, data)
    login(client, people.sara)
    page = client.get(reverse("case_detail", args=[case.public_id])).content.decode()
    assert "Approve this determination" in page
    url = reverse("continuity:approve_determination", args=[case.public_id, record.public_id])
    assert client.post(url).status_code == 302
    record.refresh_from_db()
    assert record.status == BestInterestsStatus.APPROVED and record.approved_by == people.sara


def test_a_dublin_officer_records_a_take_charge_request_and_sees_its_clocks(people):
    dora = create_user("dublin-dora", people.it_cps, Role.DUBLIN_OFFICER)
    case = create_case(people.giulia)
    now = timezone.now()
    body = {
        "requested_country": "BE",
        "registered_at": (now - dt.timedelta(days=100)).isoformat(),
        "request_sent_at": (now - dt.timedelta(days=70)).isoformat(),
    }
    client = api_as(dora, purpose=TRACING)
    made = client.post(f"/api/cases/{case.public_id}/take-charge-requests", body)
    assert made.status_code == 201, made.content
    reply = next(d for d in made.json()["deadlines"] if d["step"] == "reply")
    assert reply["notice"] == "tacit_acceptance" and reply["loud"] is True
    listed = client.get(f"/api/cases/{case.public_id}/take-charge-requests").json()
    assert [r["public_id"] for r in listed] == [made.json()["public_id"]]
    # A bad date order is named.
    bad = client.post(
        f"/api/cases/{case.public_id}/take-charge-requests",
        body | {"request_sent_at": (now - dt.timedelta(days=120)).isoformat()},
    )
    assert bad.status_code == 422 and "request_sent_at" in bad.json()["errors"]


def test_the_api_records_an_age_assessment_and_keeps_the_earlier(people):
    case = create_case(people.giulia)
    client = api_as(people.giulia)
    first = {
        "methods": ["interview"],
        "assessors": "Two social workers (fictional)",
        "assessed_on": "2026-10-01",
        "age_min": 15,
        "age_max": 17,
        "margin": 1,
    }
    assert client.post(f"/api/cases/{case.public_id}/age-assessments", first).status_code == 201
    second = client.post(
        f"/api/cases/{case.public_id}/age-assessments",
        first | {"age_min": 17, "age_max": 19.5, "country": "BE"},
    )
    assert second.status_code == 201, second.content
    assert second.json()["governing_age"] == "16.0" and second.json()["is_child"] is True
    assert case.age_assessments.count() == 2
    medical = client.post(
        f"/api/cases/{case.public_id}/age-assessments", first | {"methods": ["medical_examination"]}
    )
    assert medical.status_code == 422 and "medical_consent" in medical.json()["errors"]


def test_ages_are_numbers_to_one_decimal_as_the_document_says(people):
    case = create_case(people.giulia)
    client = api_as(people.giulia)
    base = {"methods": ["interview"], "assessors": "x", "assessed_on": "2026-10-01", "age_max": 17}
    for refused in ("15", 15.25, True):
        response = client.post(f"/api/cases/{case.public_id}/age-assessments", base | {"age_min": refused})
        assert response.status_code == 400, (refused, response.content)
    assert (
        client.post(f"/api/cases/{case.public_id}/age-assessments", base | {"age_min": 15.5}).status_code
        == 201
    )
