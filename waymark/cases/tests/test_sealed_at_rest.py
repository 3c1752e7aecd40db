"""Special categories are sealed at rest: the database holds ciphertext, people see the text.

FIREWALL.md, "Data protection mechanics": case notes, health, psychosocial notes, trafficking
indicators and disclosures are encrypted with the child's own key (waymark/vault). What a
caseworker types is what the case page and the API show; what a database dump holds is
``sealed:…``; and once the child's key is shredded no copy of it opens again.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from waymark.cases import actions
from waymark.cases.erasure import do_erase_child
from waymark.cases.models import CarePlan, Case, Child, Consent, Event
from waymark.cases.schemas import CarePlanIn, CaseIn, ConsentIn, EventIn
from waymark.cases.tests.api_client import api_as, case_url
from waymark.test import create_case, create_user, days_ago
from waymark.vault import keys
from waymark.vault import service as vault
from waymark.vocab import Role

RISK = "Approached twice by a man who offered her work in Paris"
NEEDS = "Specialised shelter; a Tigrinya-speaking psychologist"
OBJECTIVES = "Keep her safe while her aunt in Sweden is traced"
SERVICES = "Guardian; family tracing request"
VIEWS = "She wants her aunt to be found and asked whether she can live with her"
DISCLOSURE = "She says she owes 3000 euros for the crossing"
DISCLOSURE_DETAILS = "The debt is owed to the driver who brought her from Libya; he has her phone number."
HEALTH = "Health check at the clinic"
SIGHTING = "Seen near Milano Centrale by an outreach team"
PLACE = "Milano Centrale"
SECRETS = (RISK, NEEDS, OBJECTIVES, SERVICES, VIEWS, DISCLOSURE, DISCLOSURE_DETAILS, HEALTH)


@pytest.fixture(autouse=True)
def node_keys(settings, tmp_path, monkeypatch) -> Path:
    """This node's KEK (and audit keys, for erasures) in a fresh folder for each test."""
    monkeypatch.delenv(keys.ENV_VAR, raising=False)
    monkeypatch.setattr(keys, "_cache", None)
    settings.WAYMARK_KEK_FILE = tmp_path / "keys" / "kek"
    settings.WAYMARK_KEK_AUTOCREATE = True
    settings.WAYMARK_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-signing.pem"
    settings.WAYMARK_PSEUDONYM_KEY_FILE = tmp_path / "keys" / "pseudonym.key"
    return settings.WAYMARK_KEK_FILE


@pytest.fixture
def amina(people) -> Case:
    """Amina's case, with something in every special-category column and a clear sighting."""
    case = create_case(
        people.giulia,
        given_names="Amina",
        family_name="Tesfaye",
        case={"risk_level": "high", "risk_reasons": RISK},
    )
    actions.do_update_care_plan(
        people.giulia, case, CarePlanIn(needs=NEEDS, objectives=OBJECTIVES, services=SERVICES)
    )
    actions.do_record_consent(
        people.giulia,
        case,
        ConsentIn(
            recipient_org="fr-ngo-calais",
            purpose="family_tracing",
            categories=["identity", "family"],
            valid_from=days_ago(1),
            childs_views=VIEWS,
        ),
    )
    actions.do_add_event(
        people.giulia,
        case,
        EventIn(
            type="interview",
            category="trafficking_indicators",
            summary=DISCLOSURE,
            details=DISCLOSURE_DETAILS,
            location=PLACE,
        ),
    )
    actions.do_add_event(people.giulia, case, EventIn(type="health", category="health", summary=HEALTH))
    actions.do_add_event(
        people.giulia,
        case,
        EventIn(type="sighting", category="contact_location", summary=SIGHTING, location=PLACE),
    )
    return case


def stored(case: Case) -> dict[str, str]:
    """What the database holds in the sealed columns of this case, as a dump would: plain column
    values (``values_list``), with no model code in between that could open them."""
    out: dict[str, str] = {}
    out["risk_reasons"] = Case.objects.filter(pk=case.pk).values_list("risk_reasons", flat=True).get()
    out["needs"], out["objectives"], out["services"] = (
        CarePlan.objects.filter(case=case).values_list("needs", "objectives", "services").get()
    )
    out["childs_views"] = Consent.objects.filter(case=case).values_list("childs_views", flat=True).get()
    for type_, summary, details in Event.objects.filter(case=case).values_list("type", "summary", "details"):
        out[f"{type_}.summary"], out[f"{type_}.details"] = summary, details
    return out


def login(client, user) -> None:
    """Logged in, with a declared purpose (the purpose page keeps it in the session)."""
    client.force_login(user)
    session = client.session
    session["waymark.purpose"] = "child_protection"
    session.save()


def test_the_database_holds_the_special_categories_sealed(amina):
    raw = stored(amina)
    for column in (
        "risk_reasons",
        "needs",
        "objectives",
        "services",
        "childs_views",
        "interview.summary",
        "interview.details",
        "health.summary",
    ):
        assert raw[column].startswith("sealed:"), column
    dump = " ".join(raw.values())
    for secret in SECRETS:
        assert secret not in dump
    # A blank column stays blank: there is nothing to hide and blank checks keep working.
    assert raw["health.details"] == ""
    # A model instance holds the ciphertext too: only the *_text readers open it.
    disclosure = Event.objects.get(case=amina, type="interview")
    assert disclosure.summary == raw["interview.summary"]
    assert disclosure.summary_text == DISCLOSURE


def test_what_is_not_special_stays_in_the_clear(amina):
    raw = stored(amina)
    assert raw["sighting.summary"] == SIGHTING  # contact and location is not a special category
    assert raw["registration.summary"].startswith("Registered by")  # identity
    # Where it happened is contact and location, even on a disclosure.
    assert set(Event.objects.filter(case=amina).exclude(location="").values_list("location", flat=True)) == {
        PLACE
    }


def test_each_column_opens_only_as_itself(people, amina):
    disclosure = Event.objects.get(case=amina, type="interview")
    with pytest.raises(vault.SealError):
        vault.open_text(amina.child, "cases.event.details", disclosure.summary)
    other = create_case(people.giulia, given_names="Yonas", family_name="Haile")
    with pytest.raises(vault.SealError):
        vault.open_text(other.child, "cases.event.summary", disclosure.summary)


def test_the_case_page_shows_the_text(client, people, amina):
    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[amina.public_id])).content.decode()
    for text in (RISK, NEEDS, OBJECTIVES, SERVICES, DISCLOSURE, DISCLOSURE_DETAILS, HEALTH, SIGHTING):
        assert text in html
    assert "sealed:" not in html


def test_the_dashboard_and_the_edit_forms_show_the_text(client, people, amina):
    login(client, people.giulia)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert HEALTH in dashboard and SIGHTING in dashboard
    case_form = client.get(reverse("case_edit", args=[amina.public_id])).content.decode()
    assert RISK in case_form
    plan_form = client.get(reverse("care_plan_edit", args=[amina.public_id])).content.decode()
    assert NEEDS in plan_form and OBJECTIVES in plan_form and SERVICES in plan_form
    for page in (dashboard, case_form, plan_form):
        assert "sealed:" not in page


def test_the_api_shows_the_text(people, amina):
    api = api_as(people.giulia)
    detail = api.get(case_url(amina)).json()
    assert detail["risk_reasons"] == RISK
    assert (detail["care_plan"]["needs"], detail["care_plan"]["services"]) == (NEEDS, SERVICES)
    assert api.get(case_url(amina, "/care-plan")).json()["objectives"] == OBJECTIVES
    assert [c["childs_views"] for c in api.get(case_url(amina, "/consents")).json()["items"]] == [VIEWS]
    events = {e["type"]: e for e in api.get(case_url(amina, "/events")).json()["items"]}
    assert (events["interview"]["summary"], events["interview"]["details"]) == (
        DISCLOSURE,
        DISCLOSURE_DETAILS,
    )
    assert events["interview"]["location"] == PLACE
    assert events["sighting"]["summary"] == SIGHTING

    added = api.post(case_url(amina, "/events"), {"type": "note", "summary": "Called the aunt"})
    assert added.status_code == 201 and added.json()["summary"] == "Called the aunt"
    assert Event.objects.get(public_id=added.json()["public_id"]).summary.startswith("sealed:")


def test_a_partial_update_keeps_the_sealed_risk_reasons_as_they_were(people, amina):
    api = api_as(people.giulia)
    response = api.patch(case_url(amina), {"risk_level": "critical"})
    assert response.status_code == 200, response.content
    assert response.json()["risk_reasons"] == RISK
    assert Case.objects.get(pk=amina.pk).risk_reasons_text == RISK


def test_a_status_change_note_is_sealed_like_any_case_note(people, amina):
    actions.do_update_case(people.giulia, amina, CaseIn(status="closed", risk_reasons=RISK))
    note = Event.objects.select_related("case__child").get(case=amina, type="note")
    assert note.summary.startswith("sealed:")
    assert note.summary_text == "Status changed from Open to Closed"


def test_after_erasure_no_copy_of_the_sealed_text_opens(people, amina):
    child_id = amina.child.public_id
    dump = stored(amina)  # e.g. last night's database backup
    do_erase_child(create_user("dalia", people.it_cps, Role.DPO), amina.child)

    assert not Child.objects.filter(public_id=child_id).exists()
    with pytest.raises(vault.Shredded):
        vault.open_text(child_id, "cases.event.summary", dump["interview.summary"])
    with pytest.raises(vault.Shredded):
        vault.open_text(child_id, "cases.case.risk_reasons", dump["risk_reasons"])
    # Rows restored from that backup would read as erased, not as the text.
    restored = Case(child=Child(public_id=child_id), risk_reasons=dump["risk_reasons"])
    assert restored.risk_reasons_text == vault.ERASED
    event = Event(case=restored, category="trafficking_indicators", summary=dump["interview.summary"])
    assert event.summary_text == vault.ERASED


def test_once_the_key_is_shredded_pages_and_api_show_erased(client, people, amina):
    vault.shred(amina.child, actor=people.sara)

    login(client, people.giulia)
    html = client.get(reverse("case_detail", args=[amina.public_id])).content.decode()
    for secret in SECRETS:
        assert secret not in html
    assert vault.ERASED in html
    assert SIGHTING in html  # never sealed, so not erased by the shredding alone

    detail = api_as(people.giulia).get(case_url(amina)).json()
    assert detail["risk_reasons"] == vault.ERASED
    assert detail["care_plan"]["needs"] == vault.ERASED
    # Nothing new is sealed for an erased child.
    with pytest.raises(vault.Shredded):
        actions.do_add_event(people.giulia, amina, EventIn(type="note", summary="after the erasure"))


def test_the_migration_seals_what_was_stored_in_the_clear(people, amina):
    """Rows written before sealing (plain text) are sealed by the data migration, once."""
    Case.objects.filter(pk=amina.pk).update(risk_reasons=RISK)
    CarePlan.objects.filter(case=amina).update(needs=NEEDS, objectives="", services=SERVICES)
    Consent.objects.filter(case=amina).update(childs_views=VIEWS)
    Event.objects.filter(case=amina, type="interview").update(summary=DISCLOSURE, details=DISCLOSURE_DETAILS)
    assert stored(amina)["risk_reasons"] == RISK
    # Plain text is refused until the migration seals it (issue 9, finding 8: no plain fallback).
    with pytest.raises(vault.SealError):
        _ = Case.objects.select_related("child").get(pk=amina.pk).risk_reasons_text

    migration = importlib.import_module("waymark.cases.migrations.0003_seal_special_categories")
    migration.seal_existing(apps, None)
    once = stored(amina)
    migration.seal_existing(apps, None)  # idempotent: sealed values are left alone
    assert stored(amina) == once

    assert once["sighting.summary"] == SIGHTING
    assert once["objectives"] == ""
    for column in ("risk_reasons", "needs", "services", "childs_views", "interview.summary"):
        assert once[column].startswith("sealed:"), column
    case = Case.objects.select_related("child", "care_plan").get(pk=amina.pk)
    assert (case.risk_reasons_text, case.care_plan.needs_text) == (RISK, NEEDS)
    disclosure = case.events.get(type="interview")
    assert (disclosure.summary_text, disclosure.details_text) == (DISCLOSURE, DISCLOSURE_DETAILS)
    assert case.consents.get().childs_views_text == VIEWS
