"""What the police see: the unit asked reads the minimal identifiers its agreement grants, for
locating the child, while the alert is live — never health, disclosures, case notes or family,
even under a wrong grant; and an immigration-enforcement organisation never reads a police
record or its extract, whatever is written in the database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from waymark.cases.actions import create_event
from waymark.cases.models import Event
from waymark.errors import NotFound, Refused
from waymark.police.access import access_alert
from waymark.police.extract import extract_for
from waymark.policy.models import Grant
from waymark.test import create_user, share
from waymark.vocab import DataCategory, EventType, PolicyAction, Purpose, Role

from .helpers import LOCATE, MINIMAL, advance, missing_case, police_agreement, request_alert

SECRET_TEXTS = ("asthma", "told us about the debt", "Left after dinner", "An aunt in Stockholm")


def _with_care_record(people, case):
    now = timezone.now()
    create_event(
        case,
        type=EventType.HEALTH,
        occurred_at=now,
        category="health",
        summary="asthma",
        author=people.giulia,
    )
    create_event(
        case,
        type=EventType.INTERVIEW,
        occurred_at=now,
        category="disclosure",
        summary="told us about the debt",
        author=people.giulia,
    )
    assert Event.objects.filter(case=case).count() >= 3


def test_the_unit_reads_the_minimal_identifiers_and_nothing_of_the_care_record(people):
    police_agreement(people)
    case, _d = missing_case(people)
    _with_care_record(people, case)
    alert = request_alert(people, case, physical_description="1.60 m, red jacket (fictional)")
    got, seen = access_alert(people.luc, alert.public_id, LOCATE)
    extract = extract_for(got.case, seen.case_access.decisions, got)
    assert extract.fields["given_names"] == "Amina"
    assert extract.fields["physical_description"] == "1.60 m, red jacket (fictional)"
    assert extract.fields["belongings"] == "Red jacket, small black backpack"
    assert extract.fields["last_seen_place"].startswith("Reception centre")
    assert extract.withheld == frozenset()
    dumped = repr(extract.fields)
    assert not any(secret in dumped for secret in SECRET_TEXTS)
    assert not seen.can(DataCategory.HEALTH) and not seen.can(DataCategory.CASE_NOTES)


def test_a_wrong_grant_of_health_still_puts_no_health_in_the_extract(people):
    agreement = police_agreement(people, (*MINIMAL, "health", "disclosure", "family"))
    assert Grant.objects.filter(agreement=agreement, category="health").exists()
    case, _d = missing_case(people)
    _with_care_record(people, case)
    alert = request_alert(people, case)
    got, seen = access_alert(people.luc, alert.public_id, LOCATE)
    extract = extract_for(got.case, seen.case_access.decisions, got)
    assert set(extract.fields) <= {
        "given_names", "family_name", "name_latin", "aliases", "sex", "birth_date", "birth_date_precision",
        "assessed_age_min", "assessed_age_max", "languages", "physical_description", "belongings",
        "has_photo", "last_seen_at", "last_seen_place", "destination_country", "route_countries",
    }  # fmt: skip
    assert not any(secret in repr(extract.fields) for secret in SECRET_TEXTS)


def test_a_unit_granted_less_sees_less_and_is_told_what_is_withheld(people):
    police_agreement(people, ("identity",))
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    got, seen = access_alert(people.luc, alert.public_id, LOCATE)
    extract = extract_for(got.case, seen.case_access.decisions, got)
    assert "given_names" in extract.fields and "last_seen_place" not in extract.fields
    assert extract.withheld == {"physical_description", "photo", "contact_location"}


def test_the_unit_no_longer_reads_once_the_alert_is_closed(people):
    police_agreement(people)
    case, _d = missing_case(people)
    alert = advance(people, request_alert(people, case), "withdrawn")
    with pytest.raises(NotFound):
        access_alert(people.luc, alert.public_id, LOCATE)


def test_without_an_agreement_the_unit_reads_nothing(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    with pytest.raises(NotFound):
        access_alert(people.luc, alert.public_id, LOCATE)


def test_the_police_side_is_only_for_locating_a_missing_child(people):
    police_agreement(people)
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    with pytest.raises(Refused):
        access_alert(people.luc, alert.public_id, Purpose.TRAFFICKING_INVESTIGATION)
    with pytest.raises(Refused):
        access_alert(people.giulia, alert.public_id, Purpose.IMMIGRATION_ENFORCEMENT)


def test_immigration_enforcement_never_reads_a_police_record_or_its_extract(people):
    case, _d = missing_case(people)
    alert = request_alert(people, case)
    # The worst the database could hold: an immigration officer of the role "police officer", a
    # grant to their organisation written past the validator, and an open context on the child.
    officer = create_user("ines", people.immigration, Role.POLICE_OFFICER)
    agreement = police_agreement(people)
    agreement.parties.add(people.immigration)
    for category in MINIMAL:
        Grant.objects.create(
            agreement=agreement,
            organisation=people.immigration,
            role=Role.POLICE_OFFICER,
            category=category,
            purpose=LOCATE,
            action=PolicyAction.READ,
        )
    share(case, people.immigration, LOCATE)
    for user in (officer, people.ivan):
        with pytest.raises(NotFound):
            access_alert(user, alert.public_id, LOCATE)
        with pytest.raises(Refused):
            access_alert(user, alert.public_id, Purpose.IMMIGRATION_ENFORCEMENT)
