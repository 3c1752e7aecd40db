"""The demo loader: a fictional node with every role, many scripts, loaded once."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command

from waymark.accounts.models import Organisation, User
from waymark.cases import demo
from waymark.cases.models import Case, Child, ChildName, Consent, Event, NameKey
from waymark.vocab import CaseStatus, EventType, Role


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def scripts_of(text: str) -> set[str]:
    """Unicode script of each letter, from its character name (LATIN, ARABIC, ETHIOPIC...)."""
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


def counts() -> dict[str, int]:
    models = (Organisation, User, Child, ChildName, NameKey, Case, Event, Consent)
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db
def test_it_loads_a_fictional_node_with_a_login_for_every_role():
    output = load()

    assert Case.objects.count() >= 50
    assert not Case.objects.filter(is_fictional=False).exists()
    assert not Child.objects.filter(is_fictional=False).exists()
    orgs = Organisation.objects.all()
    assert orgs.count() >= 3
    assert len({o.country for o in orgs}) >= 2
    assert all(o.is_fictional and "(fictional)" in o.name for o in orgs)
    for role in Role:
        assert User.objects.filter(role=role, username__startswith="demo-").exists(), role
    admin = User.objects.get(role=Role.NODE_ADMIN)
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="demo-caseworker").check_password(demo.DEFAULT_PASSWORD)

    assert "demo-caseworker" in output
    assert demo.DEFAULT_PASSWORD in output
    assert "http://127.0.0.1:" in output


@pytest.mark.django_db
def test_the_children_carry_names_in_several_scripts_spellings_and_histories():
    load()

    scripts: set[str] = set()
    for full_name in ChildName.objects.values_list("full_name", flat=True):
        scripts |= scripts_of(full_name)
    assert {"LATIN", "ARABIC", "ETHIOPIC"} <= scripts
    # One Latin query finds a child registered in Arabic script and under other spellings.
    mohamed = Case.objects.filter(child__name_keys__skeleton="mhmd").distinct()
    assert mohamed.count() >= 2
    assert ChildName.objects.filter(kind="alias").exclude(recorded_by_org=None).count() >= 10
    assert set(Case.objects.values_list("status", flat=True)) >= {
        CaseStatus.OPEN,
        CaseStatus.MISSING,
        CaseStatus.FOUND,
        CaseStatus.CLOSED,
    }
    assert not Case.objects.filter(status=CaseStatus.MISSING, missing_category="").exists()
    assert len(set(Child.objects.values_list("nationality", flat=True))) >= 6
    assert len(set(Child.objects.values_list("birth_date_precision", flat=True))) >= 3
    assert Case.objects.filter(guardian__isnull=False).exists()


@pytest.mark.django_db
def test_the_two_training_scenarios_are_there():
    load()

    aster = Case.objects.get(child__name_latin="Aster Kidane", organisation__slug="it-cps-milano")
    assert aster.status == CaseStatus.MISSING
    assert aster.child.nationality == "ER"
    assert aster.events.filter(type=EventType.SIGHTING, location__contains="France").exists()
    assert aster.guardian is not None

    kadir = Case.objects.get(organisation__slug="be-police-mpu", child__names__full_name="Qadir Rasul")
    assert kadir.status == CaseStatus.FOUND
    assert kadir.child.nationality == "IQ"
    assert kadir.events.filter(type=EventType.FOUND).exists()


@pytest.mark.django_db
def test_once_loads_nothing_the_second_time_but_still_prints_the_logins():
    load("--once")
    before = counts()

    output = load("--once")

    assert counts() == before
    assert "already loaded" in output
    assert "demo-guardian" in output


@pytest.mark.django_db
def test_without_once_a_second_load_is_refused():
    load()
    with pytest.raises(CommandError, match="already loaded"):
        load()


@pytest.mark.django_db
def test_it_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        load()
    assert not Case.objects.exists()


def test_the_generated_population_is_the_same_on_every_run():
    assert demo.generated_cases() == demo.generated_cases()
    assert demo.generated_cases(seed=1) != demo.generated_cases(seed=2)
