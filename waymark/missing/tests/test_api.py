"""The missing-child API: report, read, assess the risk, mark a step done, the board — each
through the policy for the declared purpose, audited, redacted by what the caller may read."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from waymark.audit.models import AuditEntry
from waymark.cases.models import Case
from waymark.cases.tests.api_client import api_as
from waymark.missing.models import Disappearance
from waymark.test import create_case, create_user
from waymark.vocab import CaseStatus, Purpose, Role

from .helpers import report

LOCATE = Purpose.LOCATE_MISSING_CHILD


def _body(case, **extra):
    return {
        "case": str(case.public_id),
        "last_seen_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "missing_category": "unaccompanied_migrant",
        "last_seen_place": "Milano Centrale (fictional)",
        "circumstances": "Left with a new friend (fictional)",
        "route_countries": ["FR", "BE"],
        "destination_country": "SE",
        "triggers": ["new_friend", "dublin_delay"],
    } | extra


def test_a_hotline_system_reports_a_disappearance_and_the_case_is_missing(people):
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    case = create_case(people.giulia)
    response = api_as(hana, purpose=LOCATE).post("/api/missing", _body(case))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == str(case.public_id) and body["open"] is True
    assert body["route_countries"] == ["FR", "BE"]
    # What the hotline wrote of the case notes and the risk is not read back to it: named, null.
    assert body["circumstances"] is None and body["risk"] is None
    assert set(body["withheld"]) >= {"circumstances", "triggers", "steps", "risk"}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MISSING


def test_the_caseworker_reads_it_all_with_its_clocks(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    response = api_as(people.giulia, purpose=LOCATE).get(f"/api/missing/{d.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["withheld"] == {}
    assert body["circumstances"] == "Left after dinner with a new friend (fictional)"
    first = body["steps"][0]
    assert first["key"] == "police_informed" and first["clock"]["state"] == "running"
    assert body["risk"]["reasons"][0]["code"] in {"grooming", "unaccompanied", "several_factors"}


def test_a_report_is_refused_with_reasons_the_document_gives(people):
    case = create_case(people.giulia)
    client = api_as(people.giulia, purpose=LOCATE)
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = client.post("/api/missing", _body(case, last_seen_at=future))
    assert response.status_code == 422 and list(response.json()["errors"]) == ["last_seen_at"]
    response = client.post("/api/missing", _body(case, route_countries=["FR", "ZZ"]))
    assert response.status_code == 422 and list(response.json()["errors"]) == ["route_countries.1"]
    assert client.post("/api/missing", _body(case)).status_code == 201
    again = client.post("/api/missing", _body(case))
    assert again.status_code == 422 and "already reported missing" in again.json()["errors"][""][0]


def test_nobody_outside_reports_or_reads_and_immigration_is_refused(people):
    case = create_case(people.giulia)
    assert api_as(people.claire, purpose=LOCATE).post("/api/missing", _body(case)).status_code == 404
    assert (
        api_as(people.ivan, purpose=Purpose.IMMIGRATION_ENFORCEMENT)
        .post("/api/missing", _body(case))
        .status_code
        == 403
    )
    d = report(people.giulia, case)
    assert api_as(people.claire, purpose=LOCATE).get(f"/api/missing/{d.public_id}").status_code == 404
    assert api_as(people.ivan, purpose=LOCATE).get(f"/api/missing/{d.public_id}").status_code == 404
    assert api_as(people.giulia, purpose=LOCATE).get("/api/missing/not-a-uuid").status_code == 404


def test_the_risk_checklist_gives_the_level_and_reasons_and_an_override_needs_a_reason(people):
    case = create_case(people.giulia, birth_date=dt.date(2009, 5, 1))
    d = report(people.giulia, case)
    client = api_as(people.giulia, purpose=LOCATE)
    url = f"/api/missing/{d.public_id}/risk"
    response = client.put(url, {"debt": True, "previous_disappearances": 1})
    assert response.status_code == 200, response.content
    risk = response.json()["risk"]
    assert risk["level"] == risk["computed"] == "high"
    assert "debt" in [r["code"] for r in risk["reasons"]]
    assert Case.objects.get(pk=case.pk).risk_level == "high"  # urgent wherever the case appears

    refused = client.put(url, {"override": "low"})
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["override_reason"]
    response = client.put(
        url, {"debt": True, "override": "critical", "override_reason": "Seen with the smuggler (fictional)"}
    )
    risk = response.json()["risk"]
    assert (risk["level"], risk["computed"], risk["override"]) == ("critical", "high", "critical")
    assert Case.objects.get(pk=case.pk).risk_level == "critical"


def test_a_step_is_marked_done_once_and_audited(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    client = api_as(people.giulia, purpose=LOCATE)
    url = f"/api/missing/{d.public_id}/steps/police_informed/done"
    response = client.post(url, {"note": "Report 12/2026 at the Questura (fictional)"})
    assert response.status_code == 200, response.content
    assert response.json()["clock"]["state"] == "met"
    assert response.json()["done_by"]["username"] == "giulia"
    assert client.post(url, {}).status_code == 422
    assert client.post(f"/api/missing/{d.public_id}/steps/nope/done", {}).status_code == 422
    assert AuditEntry.objects.filter(details__step="police_informed").count() == 1
    # The police officer of the organisation may not mark steps (no case notes for them).
    officer = create_user("paolo", people.it_cps, Role.POLICE_OFFICER)
    other = f"/api/missing/{d.public_id}/steps/guardian_informed/done"
    assert api_as(officer, purpose=LOCATE).post(other, {}).status_code == 404


def test_the_board_lists_what_the_caller_may_see_redacted_per_row(people):
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    report(people.giulia, create_case(people.giulia))
    report(people.giulia, create_case(people.giulia, given_names="Amina"))
    body = api_as(people.giulia, purpose=LOCATE).get("/api/missing").json()
    assert body["count"] == 2 and body["page_size"] == 50
    assert all(row["steps"] and row["withheld"] == {} for row in body["items"])
    hotline = api_as(hana, purpose=LOCATE).get("/api/missing").json()
    assert hotline["count"] == 2
    assert all(
        row["child_name"] and row["risk_level"] is None and "risk_level" in row["withheld"]
        for row in hotline["items"]
    )
    assert api_as(people.claire, purpose=LOCATE).get("/api/missing").json()["count"] == 0
    assert api_as(people.ivan, purpose=Purpose.IMMIGRATION_ENFORCEMENT).get("/api/missing").status_code == 403
    assert Disappearance.objects.count() == 2
