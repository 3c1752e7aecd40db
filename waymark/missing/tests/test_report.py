"""Reporting a disappearance: the case is marked missing in the same action, the report is
sealed at rest, the protocol's clocks start, a timeline entry says so; and who may report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client

from waymark.cases.models import Case, Event
from waymark.errors import ActionError
from waymark.missing.models import Disappearance
from waymark.test import create_case, create_user, login
from waymark.vocab import CaseStatus, EventType, Purpose, Role

from .helpers import report


def test_reporting_marks_the_case_missing_with_its_category_and_a_timeline_entry(people):
    case = create_case(people.giulia, birth_date=dt.date(2010, 1, 1))
    d = report(people.giulia, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.MISSING
    assert case.missing_category == "unaccompanied_migrant"
    event = Event.objects.get(case=case, type=EventType.DISAPPEARANCE)
    assert "Reception centre" in event.summary
    assert "new friend" not in event.summary  # the circumstances are case notes, not in the entry
    assert d.protocol == "it-missing-child@1"
    assert [s.key for s in d.steps.all()][:2] == ["police_informed", "guardian_informed"]
    police = d.steps.get(key="police_informed")
    assert police.due_at - police.started_at == dt.timedelta(hours=2)


def test_the_report_is_sealed_at_rest(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT circumstances_sealed, family_abroad_sealed, contacts_sealed FROM missing_disappearance"
        )
        row = cursor.fetchone()
    assert all(value and "fictional" not in value and "Yonas" not in value for value in row)
    fresh = Disappearance.objects.select_related("case__child").get(pk=d.pk)
    assert fresh.family_abroad == "An aunt in Stockholm (fictional)"
    assert fresh.contacts[0]["phone"] == "+33 6 00 00 00 00"


def test_a_child_already_missing_is_not_reported_twice(people):
    case = create_case(people.giulia)
    report(people.giulia, case)
    with pytest.raises(ActionError, match="already reported missing"):
        report(people.giulia, Case.objects.get(pk=case.pk))
    assert Disappearance.objects.count() == 1


def test_the_first_assessment_uses_what_is_known_and_marks_a_young_child_urgent(people):
    young = create_case(people.giulia, birth_date=dt.date.today().replace(year=dt.date.today().year - 12))
    d = report(people.giulia, young)
    young.refresh_from_db()
    assert d.risk_computed == "high"
    assert young.risk_level == "high"
    assert "under 14" in young.risk_reasons_text


def _post_report(client, case, **extra):
    return client.post(
        f"/missing/report/{case.public_id}",
        {"last_seen_at": "2026-01-05T21:30", "missing_category": "runaway", **extra},
    )


def test_a_caseworker_reports_from_the_page_in_two_answers(people):
    case = create_case(people.giulia)
    client = Client()
    login(client, people.giulia, Purpose.LOCATE_MISSING_CHILD)
    assert client.get(f"/missing/report/{case.public_id}").status_code == 200
    response = _post_report(client, case, contacts="Yonas +33 6 00 00 00 00", route_countries="FR, BE")
    d = Disappearance.objects.get(case=case)
    assert response.status_code == 302 and response["Location"].endswith(f"/missing/{d.public_id}/")
    assert d.route_countries == ["FR", "BE"]
    assert d.contacts == [{"name": "Yonas", "phone": "+33 6 00 00 00 00", "relationship": ""}]
    page = client.get(f"/missing/{d.public_id}/")
    assert page.status_code == 200
    assert b"Police informed" in page.content


def test_a_bad_country_is_refused_naming_the_field(people):
    case = create_case(people.giulia)
    client = Client()
    login(client, people.giulia, Purpose.LOCATE_MISSING_CHILD)
    response = _post_report(client, case, destination_country="ZZ")
    assert response.status_code == 422
    assert Disappearance.objects.count() == 0
    assert b"ISO 3166-1" in response.content


def test_the_guardian_reports_their_ward_missing(people):
    case = create_case(people.giulia, case={"guardian": "marco"})
    client = Client()
    login(client, people.marco, Purpose.LOCATE_MISSING_CHILD)
    assert _post_report(client, case).status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MISSING


def test_a_guardian_cannot_report_a_child_who_is_not_their_ward(people):
    case = create_case(people.giulia)
    client = Client()
    login(client, people.marco, Purpose.LOCATE_MISSING_CHILD)
    assert _post_report(client, case).status_code == 404
    assert Disappearance.objects.count() == 0


def test_a_hotline_operator_of_the_organisation_reports_but_does_not_read_the_case_notes_back(people):
    hana = create_user("hana", people.it_cps, Role.HOTLINE_OPERATOR)
    case = create_case(people.giulia)
    client = Client()
    login(client, hana, Purpose.LOCATE_MISSING_CHILD)
    assert (
        _post_report(client, case, circumstances="Seen leaving with two men (fictional)").status_code == 302
    )
    d = Disappearance.objects.get(case=case)
    page = client.get(f"/missing/{d.public_id}/")
    assert page.status_code == 200
    assert b"Seen leaving" not in page.content
    assert b"not shared with you for this purpose" in page.content  # named, not silently dropped
    assert Event.objects.get(case=case, type=EventType.DISAPPEARANCE).source == "hotline"


def test_a_police_officer_may_not_report_and_immigration_is_refused(people):
    case = create_case(people.giulia)
    officer = create_user("paolo", people.it_cps, Role.POLICE_OFFICER)
    for user, purpose in ((officer, Purpose.LOCATE_MISSING_CHILD), (people.ivan, Purpose.CHILD_PROTECTION)):
        client = Client()
        login(client, user, purpose)
        assert _post_report(client, case).status_code == 404
    assert Disappearance.objects.count() == 0


def test_what_an_alert_may_carry_is_the_last_seen_context_only(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    summary = d.last_seen_summary()
    assert summary["last_seen_place"] == "Reception centre, Via Corelli (fictional)"
    assert summary["route_countries"] == ["FR", "BE"] and summary["destination_country"] == "SE"
    assert summary["categories"] == ["contact_location", "physical_description"]
    text = repr(summary)
    for private in ("new friend", "Yonas", "aunt", "new_friend"):
        assert private not in text  # circumstances, contacts, family, triggers stay home


def test_the_risk_form_records_an_override_with_its_reason(people):
    case = create_case(people.giulia)
    d = report(people.giulia, case)
    client = Client()
    login(client, people.giulia, Purpose.LOCATE_MISSING_CHILD)
    refused = client.post(f"/missing/{d.public_id}/risk", {"override": "low"})
    assert refused.status_code == 422
    response = client.post(
        f"/missing/{d.public_id}/risk",
        {"debt": "on", "override": "critical", "override_reason": "Threats (fictional)"},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert (d.risk_computed, d.risk_override, d.risk_level) == ("high", "critical", "critical")
    assert Case.objects.get(pk=case.pk).risk_level == "critical"
    page = client.get(f"/missing/{d.public_id}/").content.decode()
    assert "owes a debt" in page and "Threats (fictional)" in page


def test_the_measures_suppress_small_counts_in_the_chart_and_the_csv(people):
    from waymark.missing.actions import do_close_disappearance
    from waymark.vocab import DisappearanceOutcome

    for i in range(6):
        d = report(
            people.giulia, create_case(people.giulia, given_names=f"Runaway{i}"), missing_category="runaway"
        )
        if i < 5:
            do_close_disappearance(people.giulia, d, DisappearanceOutcome.FOUND)
    report(
        people.giulia, create_case(people.giulia, given_names="Taken"), missing_category="criminal_abduction"
    )
    client = Client()
    login(client, people.giulia, Purpose.CHILD_PROTECTION)
    page = client.get("/missing/measures")
    assert page.status_code == 200 and b"<svg" in page.content
    lines = client.get("/missing/measures.csv").content.decode().splitlines()
    by_category = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:]}
    assert by_category["runaway"][0] == "6" and by_category["runaway"][2:] == ["5", "5", "5"]
    # One child reported, none found: the count and the median are suppressed (zero may show).
    assert by_category["criminal_abduction"] == ["<5", "<5", "0", "0", "0"]
    assert by_category["lost_injured_other"][0] == "0"
    # Nobody outside the organisation counts its children; immigration enforcement sees nothing.
    client = Client()
    login(client, people.ivan, Purpose.CHILD_PROTECTION)
    assert client.get("/missing/measures.csv").status_code == 404
