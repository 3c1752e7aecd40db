"""The Police panel of the disappearance page: the caseworker requests an alert and moves it
along its lifecycle with the panel's forms; the unit's officer sees the extract and answers; a
refused form says which field and changes nothing; immigration enforcement gets nothing."""

from __future__ import annotations

from django.test import Client

from waymark.police.models import PoliceAlert, SireneRequest
from waymark.test import login
from waymark.vocab import PoliceAlertState, Purpose

from .helpers import LOCATE, missing_case, police_agreement, request_alert


def _client(user, purpose=LOCATE):
    client = Client()
    login(client, user, purpose)
    return client


def test_the_caseworker_requests_an_alert_and_records_it_issued_from_the_panel(people):
    case, d = missing_case(people)
    client = _client(people.giulia)
    page = client.get(f"/missing/{d.public_id}/").content.decode()
    assert 'id="police"' in page and "Request a police alert" in page
    response = client.post(
        f"/police/cases/{case.public_id}/alerts",
        {"kind": "sis_missing_minor", "police_org": "be-police-mpu", "sis_category": "protection"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#police")
    alert = PoliceAlert.objects.get(case=case)
    page = client.get(f"/missing/{d.public_id}/").content.decode()
    assert f'id="police-alert-{alert.public_id}"' in page and "Mark Issued" in page
    response = client.post(
        f"/police/alerts/{alert.public_id}/transition", {"to": "issued", "reference": "SIS-0042"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == PoliceAlertState.ISSUED and alert.reference == "SIS-0042"
    page = client.get(f"/missing/{d.public_id}/").content.decode()
    assert "SIS-0042" in page and "Mark Hit" in page


def test_a_refused_transition_names_the_field_and_changes_nothing(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    response = _client(people.giulia).post(f"/police/alerts/{alert.public_id}/transition", {"to": "issued"})
    assert response.status_code == 422
    assert "reference" in response.content.decode()
    alert.refresh_from_db()
    assert alert.state == PoliceAlertState.REQUESTED


def test_the_units_officer_sees_the_extract_asks_and_cannot_manage(people):
    police_agreement(people)
    case, d = missing_case(people)
    alert = request_alert(people, case, physical_description="Red jacket, 1.60 m (fictional)")
    client = _client(people.luc)
    page = client.get(f"/missing/{d.public_id}/").content.decode()
    assert "Amina" in page and "Red jacket, 1.60 m (fictional)" in page
    assert "Request a police alert" not in page and "Mark Issued" not in page
    assert "Left after dinner" not in page  # the circumstances are case notes
    response = client.post(f"/police/alerts/{alert.public_id}/transition", {"to": "issued", "reference": "X"})
    assert response.status_code == 404
    response = client.post(
        f"/police/alerts/{alert.public_id}/requests",
        {"question_category": "contact_location", "question_text": "Known contacts in Brussels?"},
    )
    assert response.status_code == 302
    request = SireneRequest.objects.get(alert=alert)
    page = _client(people.giulia).get(f"/missing/{d.public_id}/").content.decode()
    assert f"/police/requests/{request.public_id}/answer" in page


def test_under_another_purpose_the_panel_asks_for_locate_missing_child(people):
    _case, d = missing_case(people)
    page = _client(people.giulia, Purpose.CHILD_PROTECTION).get(f"/missing/{d.public_id}/").content.decode()
    assert "locate a missing child" in page and "Request a police alert" not in page


def test_immigration_enforcement_gets_nothing(people):
    case, d = missing_case(people)
    alert = request_alert(people, case)
    client = _client(people.ivan)
    assert client.get(f"/missing/{d.public_id}/").status_code == 404
    response = client.post(f"/police/alerts/{alert.public_id}/transition", {"to": "withdrawn"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.state == PoliceAlertState.REQUESTED
