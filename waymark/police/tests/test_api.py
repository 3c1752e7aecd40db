"""The police API: a police case system or the care side's own system requests an alert, reads
it with the extract, moves it along, asks and answers SIRENE requests — each through the policy
for locate_missing_child, audited; refused to the wrong person, and to immigration enforcement."""

from __future__ import annotations

from waymark.audit.models import AuditEntry
from waymark.cases.tests.api_client import api_as
from waymark.police.models import PoliceAlert, SireneRequest
from waymark.vocab import Purpose

from .helpers import LOCATE, missing_case, police_agreement, request_alert


def test_the_care_side_requests_an_alert_and_the_unit_reads_it_with_the_extract(people):
    police_agreement(people)
    case, _d = missing_case(people)
    response = api_as(people.giulia, purpose=LOCATE).post(
        "/api/police/alerts",
        {"case": str(case.public_id), "kind": "sis_missing_minor", "police_org": "be-police-mpu"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "requested" and body["next_states"] == ["issued", "withdrawn"]
    assert body["issue_clock"]["rule"] == "police_alert_issue"
    read = api_as(people.luc, purpose=LOCATE).get(f"/api/police/alerts/{body['public_id']}")
    assert read.status_code == 200
    extract = read.json()["extract"]
    assert extract["fields"]["given_names"] == "Amina" and extract["withheld"] == []
    assert not {"circumstances", "family_abroad", "risk", "health"} & set(extract["fields"])
    assert AuditEntry.objects.filter(actor="luc", purpose=LOCATE, actor_org="be-police-mpu").exists()


def test_the_lifecycle_over_the_api_with_a_clear_refusal(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    api = api_as(people.giulia, purpose=LOCATE)
    refused = api.post(f"/api/police/alerts/{alert.public_id}/transition", {"to": "hit", "place": "Lille"})
    assert refused.status_code == 422 and "to" in refused.json()["errors"]
    issued = api.post(
        f"/api/police/alerts/{alert.public_id}/transition", {"to": "issued", "reference": "SIS-1"}
    )
    assert issued.status_code == 200 and issued.json()["police_reference"] == "SIS-1"
    assert issued.json()["next_states"] == ["hit", "closed", "withdrawn"]


def test_sirene_requests_over_the_api(people):
    police_agreement(people)
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    asked = api_as(people.luc, purpose=LOCATE).post(
        "/api/police/requests",
        {"alert": str(alert.public_id), "questions": [{"category": "identity", "text": "Other names?"}]},
    )
    assert asked.status_code == 201, asked.content
    rid = asked.json()["public_id"]
    assert asked.json()["clock"]["rule"] == "sirene_reply" and asked.json()["direction"] == "from_police"
    health = api_as(people.luc, purpose=LOCATE).post(
        "/api/police/requests",
        {"alert": str(alert.public_id), "questions": [{"category": "health", "text": "Ill?"}]},
    )
    assert health.status_code in (400, 422)
    answered = api_as(people.giulia, purpose=LOCATE).post(
        f"/api/police/requests/{rid}/answer", {"answers": [{"question_id": "q1", "text": "Amna (fictional)"}]}
    )
    assert answered.status_code == 200 and answered.json()["answered_at"] is not None
    assert api_as(people.luc, purpose=LOCATE).get(f"/api/police/requests/{rid}").json()["answers"][0]["text"]


def test_refused_to_the_wrong_person_and_to_immigration_enforcement(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    request = SireneRequest.objects.create(
        case=case, alert=alert, direction="to_police", police_org=people.be_police, asked_by=people.giulia,
        asked_at=alert.requested_at, due_at=alert.issue_due_at, questions=[{"id": "q1", "category": "identity", "text": "?"}],
    )  # fmt: skip
    for user in (people.claire, people.luc, people.ivan):  # luc: no agreement with Milan
        api = api_as(user, purpose=LOCATE)
        assert api.get(f"/api/police/alerts/{alert.public_id}").status_code == 404
        assert api.get(f"/api/police/requests/{request.public_id}").status_code == 404
        assert (
            api.post(f"/api/police/alerts/{alert.public_id}/transition", {"to": "withdrawn"}).status_code
            == 404
        )
    assert api_as(people.ivan, purpose=Purpose.IMMIGRATION_ENFORCEMENT).get(
        f"/api/police/alerts/{alert.public_id}"
    ).status_code in (403, 404)
    assert PoliceAlert.objects.get(pk=alert.pk).state == "requested"
