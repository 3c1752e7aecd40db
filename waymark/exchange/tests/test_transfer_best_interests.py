"""A best-interests assessment travelling with a case transfer (issue 13 item 4): the sender
attaches the case's BIA; only the sections the agreement grants the receiver travel, and where the
receiver's grants go to Dublin officers only its recommendation, family and legal status — never
health, the child's views (disclosure) or case notes, even under a wrongly granted agreement. On
the receiving node it is kept with the case, one timeline entry per category."""

from __future__ import annotations

import pytest

from waymark.cases.models import Event
from waymark.continuity import actions as continuity
from waymark.continuity.schemas import BestInterestsIn
from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Grant, GrantAction
from waymark.errors import ActionError
from waymark.exchange.dispatcher import dispatch_pending
from waymark.exchange.models import Direction, Thread
from waymark.exchange.testing import dated_agreement, dated_registry
from waymark.exchange.threads import transfer as transfers
from waymark.test import create_case
from waymark.vocab import DataCategory, Purpose, Role

pytestmark = pytest.mark.django_db

SECTIONS = {
    "kind": "assessment",
    "child_views": "I want to live with my brother in Brussels (fictional).",
    "child_views_language": "ti",
    "family": "An older brother in Belgium, in contact by phone (fictional).",
    "health": "Asthma, treated (fictional).",
    "safety": "Approached by a smuggler at the station (fictional).",
    "legal_status": "Asylum application registered in Italy (fictional).",
    "options": "Stay in Milan in foster care; reunion with the brother in Belgium (fictional).",
    "recommendation": "family_reunification",
    "recommendation_country": "BE",
    "recommendation_reason": "The brother can care for him (fictional).",
    "guardian_consulted": True,
    "guardian_views": "Agrees with the reunion (fictional).",
}
SECRETS = ("Asthma", "I want to live with my brother", "smuggler", "Stay in Milan in foster care")


@pytest.fixture
def case_with_bia(people):
    case = create_case(people.giulia, given_names="Yonas", family_name="Haile", case={"guardian": "marco"})
    record = continuity.do_record_best_interests(people.giulia, case, BestInterestsIn(**SECTIONS))
    return case, record


def _offer(people, federation, wire, case, record):
    sent = transfers.do_offer_transfer(
        people.giulia,
        case,
        transfers.TransferIn(
            to_org="fr-ngo-calais",
            purpose=Purpose.CHILD_PROTECTION,
            confirmed=True,
            best_interests=record.public_id,
        ),
        node=federation.it,
    )
    dispatch_pending(federation.it, wire)
    return sent, Thread.objects.filter(kind="transfer").get(direction=Direction.INCOMING)


def test_the_bia_travels_within_the_grant_and_is_kept_with_the_received_case(
    people, federation, wire, case_with_bia
):
    case, record = case_with_bia
    _sent, received = _offer(people, federation, wire, case, record)
    travelled = received.data.doc("offer")["best_interests"]
    # The test agreement grants the NGO legal status, family and case notes — not health, not
    # disclosures, not guardian.
    assert travelled["recommendation"] == "family_reunification" and travelled["family"].startswith(
        "An older"
    )
    assert (
        not travelled.get("health")
        and not travelled.get("child_views")
        and not travelled.get("guardian_views")
    )
    assert travelled["safety"].startswith("Approached")  # case notes are granted to this NGO
    sent_note = [
        e.summary_text for e in Event.objects.filter(case=case) if "sent with the transfer" in e.summary_text
    ]
    assert sent_note and "health" not in sent_note[0] and "legal_status" in sent_note[0]
    accepted = transfers.do_accept_transfer(
        people.claire, received, transfers.TransferAcceptIn(), node=federation.fr
    )
    theirs = accepted.case
    entries = {
        e.category: e
        for e in Event.objects.filter(case=theirs)
        if e.summary_text.startswith("Best-interests")
    }
    assert "recommends family reunification in BE" in entries[DataCategory.LEGAL_STATUS].summary_text
    assert entries[DataCategory.FAMILY].details_text.startswith("An older brother")
    assert DataCategory.HEALTH not in entries and DataCategory.DISCLOSURE not in entries


def test_to_dublin_officers_no_health_disclosure_or_case_notes_even_if_wrongly_granted(
    people, federation, wire, case_with_bia
):
    case, record = case_with_bia
    wrong = tuple(
        Grant(
            org="fr-ngo-calais",
            role=role,
            category=category,
            purpose=Purpose.CHILD_PROTECTION,
            action=GrantAction.READ,
        )
        for role in (Role.DUBLIN_OFFICER, Role.CASEWORKER)
        for category in (DataCategory.HEALTH, DataCategory.DISCLOSURE, DataCategory.GUARDIAN)
    )
    federation.publish(
        dated_registry(version=2, agreements=(dated_agreement(grants=proto.grants() + wrong),))
    )
    _sent, received = _offer(people, federation, wire, case, record)
    travelled = received.data.doc("offer")["best_interests"]
    assert travelled["recommendation"] == "family_reunification" and travelled["family"]
    assert travelled["legal_status"].startswith("Asylum")
    for name in ("health", "child_views", "child_views_language", "safety", "options", "guardian_views"):
        assert not travelled.get(name), name
    envelope_text = str(received.data.doc("offer"))
    assert not any(secret in envelope_text for secret in SECRETS)


def test_another_cases_bia_is_refused_naming_the_field(people, federation, wire, case_with_bia):
    case, _record = case_with_bia
    theirs = continuity.do_record_best_interests(
        people.giulia, create_case(people.giulia), BestInterestsIn(**SECTIONS)
    )
    with pytest.raises(ActionError) as refused:
        _offer(people, federation, wire, case, theirs)
    assert "best_interests" in refused.value.errors


def test_without_legal_status_granted_the_bia_does_not_travel(people, federation, wire, case_with_bia):
    case, record = case_with_bia
    only = tuple(g for g in proto.grants() if g.category != DataCategory.LEGAL_STATUS)
    federation.publish(dated_registry(version=2, agreements=(dated_agreement(grants=only),)))
    with pytest.raises(ActionError) as refused:
        _offer(people, federation, wire, case, record)
    assert "best_interests" in refused.value.errors


def test_the_travelling_sections_carry_the_models_categories():
    from waymark.continuity.models import BestInterests
    from waymark.core import best_interests as b

    for name, category in b.EXTRACT_FIELDS.items():
        if name in BestInterests.SECTION_CATEGORIES:
            assert BestInterests.SECTION_CATEGORIES[name] == category, name
