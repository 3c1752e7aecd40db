"""``manage.py load_federation``: idempotent, all or nothing, problems named by entry."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from waymark.accounts.models import Organisation, User
from waymark.policy import service
from waymark.policy.models import Agreement, Grant
from waymark.test import PASSWORD, create_case, share
from waymark.vocab import AgreementStatus, DataCategory, Purpose

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "federation-demo.yaml"


def load(path) -> str:
    out = io.StringIO()
    call_command("load_federation", str(path), stdout=out)
    return out.getvalue()


def write(tmp_path, data) -> Path:
    path = tmp_path / "federation.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def snapshot():
    return (
        sorted(Organisation.objects.values_list("slug", "name", "sector")),
        sorted(User.objects.values_list("username", "role", "organisation_id")),
        sorted(Agreement.objects.values_list("identifier", "status", "title")),
        sorted(
            Grant.objects.values_list(
                "agreement_id", "organisation_id", "role", "category", "purpose", "action"
            )
        ),
    )


AGREEMENT: dict[str, Any] = {
    "identifier": "it-fr-test",
    "title": "Test agreement (fictional)",
    "status": "active",
    "valid_from": "2026-01-01",
    "valid_until": "2030-01-01",
    "parties": ["it-cps-milano", "fr-ngo-calais"],
    "grants": [
        {
            "organisation": "fr-ngo-calais",
            "role": "caseworker",
            "purpose": "locate_missing_child",
            "categories": ["identity", "photo"],
        }
    ],
}


def test_the_example_file_loads_then_changes_nothing_the_second_time(db):
    first = load(EXAMPLE)
    assert "agreement 'it-fr-missing-children-2026': created" in first
    assert "organisation 'fr-ngo-calais': created" in first
    before = snapshot()
    second = load(EXAMPLE)
    assert second.strip().endswith("no changes (10 entries unchanged)")
    assert "created" not in second and "updated" not in second
    assert snapshot() == before
    agreement = Agreement.objects.get(identifier="it-fr-missing-children-2026")
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.grants.count() == 8
    assert not User.objects.get(username="dpo-milano").has_usable_password()


def test_after_loading_the_example_claire_reads_what_it_grants_and_nothing_else(people):
    load(EXAMPLE)
    case = create_case(people.giulia)
    share(case, people.fr_ngo, Purpose.LOCATE_MISSING_CHILD, missing=True)  # need to know
    allowed = service.permitted_categories(people.claire, case, purpose=Purpose.LOCATE_MISSING_CHILD)
    assert allowed == {
        DataCategory.IDENTITY,
        DataCategory.PHYSICAL_DESCRIPTION,
        DataCategory.PHOTO,
        DataCategory.CONTACT_LOCATION,
    }


def test_a_changed_entry_is_updated_and_named(people, tmp_path):
    load(write(tmp_path, {"agreements": [AGREEMENT]}))
    changed = dict(
        AGREEMENT, title="Renamed (fictional)", grants=[dict(AGREEMENT["grants"][0], categories=["photo"])]
    )
    out = load(write(tmp_path, {"agreements": [changed]}))
    assert "agreement 'it-fr-test': updated (title, grants)" in out
    assert list(Grant.objects.values_list("category", flat=True)) == ["photo"]


def test_users_are_created_with_their_password_and_kept_on_a_second_run(db, tmp_path):
    data = {
        "organisations": [{"slug": "it-x", "name": "X (fictional)", "country": "IT", "sector": "ngo"}],
        "users": [{"username": "anna", "organisation": "it-x", "role": "caseworker", "password": PASSWORD}],
    }
    load(write(tmp_path, data))
    assert User.objects.get(username="anna").check_password(PASSWORD)
    assert "user 'anna': unchanged" in load(write(tmp_path, data))


def refused(tmp_path, data) -> str:
    before = snapshot()
    with pytest.raises(CommandError) as exc:
        load(write(tmp_path, data))
    assert snapshot() == before, "a refused file changes nothing"
    message = str(exc.value)
    assert "nothing was changed" in message
    return message


def test_an_immigration_enforcement_party_refuses_the_whole_file(people, tmp_path):
    data = {
        "organisations": [{"slug": "de-new", "name": "New (fictional)", "country": "DE", "sector": "ngo"}],
        "agreements": [dict(AGREEMENT, parties=["it-cps-milano", "fr-ngo-calais", "xx-immigration"])],
    }
    message = refused(tmp_path, data)
    assert (
        "agreement 'it-fr-test': organisation 'xx-immigration' is an immigration-enforcement organisation"
        in message
    )
    assert not Organisation.objects.filter(slug="de-new").exists()


def test_bad_dates_are_refused_by_name(people, tmp_path):
    message = refused(tmp_path, {"agreements": [dict(AGREEMENT, valid_until="2025-01-01")]})
    assert (
        "agreement 'it-fr-test': the validity ends (2025-01-01T00:00:00+00:00) before or when it starts"
        in message
    )
    message = refused(tmp_path, {"agreements": [dict(AGREEMENT, valid_from="2026-01-01T10:00:00")]})
    assert "agreements[0] 'it-fr-test': valid_from: Value error, give the time zone offset" in message


def test_contradictory_grants_are_refused_by_name(people, tmp_path):
    grants = [
        {
            "organisation": "fr-ngo-calais",
            "role": "caseworker",
            "purpose": "locate_missing_child",
            "categories": ["photo", "photo"],
        },
        {
            "organisation": "fr-ngo-calais",
            "role": "node_admin",
            "purpose": "child_protection",
            "categories": ["identity"],
        },
        {
            "organisation": "be-police-mpu",
            "role": "police_officer",
            "purpose": "locate_missing_child",
            "categories": ["photo"],
        },
        {
            "organisation": "fr-ngo-calais",
            "role": "caseworker",
            "purpose": "immigration_enforcement",
            "categories": ["identity"],
        },
    ]
    message = refused(tmp_path, {"agreements": [dict(AGREEMENT, grants=grants)]})
    assert "grant 'fr-ngo-calais caseworker read photo for locate_missing_child' is listed twice" in message
    assert "contradicts the firewall rule 'limit-node-admin'" in message
    assert "organisation 'be-police-mpu' is not a party to this agreement" in message
    assert "the purpose immigration_enforcement is never granted" in message


def test_schema_errors_name_the_entry(people, tmp_path):
    data = {
        "users": [{"username": "bob", "organisation": "fr-ngo-calais", "role": "boss"}],
        "agreements": [dict(AGREEMENT, parties=["it-cps-milano", "nowhere"])],
    }
    message = refused(tmp_path, data)
    assert "users[0] 'bob': role: Input should be" in message


def test_unknown_organisations_and_immigration_users_are_refused(people, tmp_path):
    data = {
        "users": [
            {"username": "bob", "organisation": "nowhere", "role": "caseworker"},
            {"username": "ivan2", "organisation": "xx-immigration", "role": "caseworker"},
        ],
        "agreements": [dict(AGREEMENT, parties=["it-cps-milano", "nowhere"])],
    }
    message = refused(tmp_path, data)
    assert "user 'bob': organisation 'nowhere' is neither in the file nor on this node" in message
    assert "user 'ivan2': immigration enforcement is not a user of Waymark" in message
    assert "agreement 'it-fr-test': party 'nowhere' is neither in the file nor on this node" in message


def test_turning_a_party_into_immigration_enforcement_is_refused(people, tmp_path):
    load(write(tmp_path, {"agreements": [AGREEMENT]}))
    org = {"slug": "fr-ngo-calais", "name": "Association Refuge Calais (fictional)", "country": "FR"}
    message = refused(tmp_path, {"organisations": [dict(org, sector="immigration_enforcement")]})
    assert (
        "organisation 'fr-ngo-calais': an immigration-enforcement organisation cannot stay a party" in message
    )


def test_a_dry_run_writes_nothing(people, tmp_path):
    before = snapshot()
    out = io.StringIO()
    call_command(
        "load_federation", str(write(tmp_path, {"agreements": [AGREEMENT]})), "--dry-run", stdout=out
    )
    assert "dry run: 1 created" in out.getvalue()
    assert snapshot() == before


def test_a_file_that_is_not_yaml_is_refused(db, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("agreements: [\n")
    with pytest.raises(CommandError, match="not valid YAML"):
        load(path)
