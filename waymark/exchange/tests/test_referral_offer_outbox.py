"""Offering a referral writes the business rows, the timeline, the sealed outbox row and the
audit entry in one transaction — or nothing at all."""

from __future__ import annotations

import pytest

from waymark.audit.models import AuditEntry
from waymark.cases.models import Event
from waymark.errors import ActionError
from waymark.exchange.models import CaseLink, OutboxMessage, OutboxStatus, Thread
from waymark.exchange.threads import referral as referrals
from waymark.test import create_case
from waymark.vocab import AuditKind, DataCategory, EventType, Purpose


def offer(**kw):
    return referrals.ReferralIn(to_org="fr-ngo-calais", reason="She intends to travel to Calais.", **kw)


def test_an_offer_is_queued_sealed_with_its_business_rows(people, federation):
    case = create_case(people.giulia, given_names="Amina", family_name="Tesfay")

    referral = referrals.do_offer_referral(people.giulia, case, offer(), node=federation.it)

    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING
    assert (row.to_node, row.to_org, row.from_org) == ("node-fr", "fr-ngo-calais", "it-cps-milano")
    assert row.message_type == "referral_offer"
    assert row.conversation_id == str(case.public_id)
    assert set(row.categories) == {DataCategory.IDENTITY, DataCategory.CASE_NOTES}
    # Sealed for the recipient: the child's name is not readable in the outbox.
    assert "Amina" not in row.envelope and row.envelope.count(".") == 4
    assert referral.status == "offered" and referral.opened_message_id == row.message_id
    assert CaseLink.objects.filter(
        case=case, peer_node="node-fr", conversation_id=row.conversation_id
    ).exists()
    offered = Event.objects.filter(case=case, type=EventType.REFERRAL).select_related("case__child")
    assert [e.summary_text for e in offered] == [
        "Referral offered to Association Refuge Calais (fictional) (FR)"
    ]
    assert offered[0].summary.startswith("sealed:")  # case notes are sealed at rest
    sent = AuditEntry.objects.get(kind=AuditKind.ENVELOPE_SENT)
    assert sent.details["envelope_sha256"] == row.envelope_sha256
    assert sent.peer_org == "fr-ngo-calais"


def test_nothing_is_written_when_no_agreement_covers_the_purpose(people, federation):
    case = create_case(people.giulia)
    with pytest.raises(ActionError, match="no agreement"):
        referrals.do_offer_referral(
            people.giulia, case, offer(purpose=Purpose.CARE_CONTINUITY), node=federation.it
        )
    assert not OutboxMessage.objects.exists()
    assert not Thread.objects.filter(kind="referral").exists()


def test_an_organisation_outside_the_agreement_cannot_be_sent_to(people, federation):
    case = create_case(people.giulia)
    with pytest.raises(ActionError):
        referrals.do_offer_referral(
            people.giulia, case, referrals.ReferralIn(to_org="it-guardians"), node=federation.it
        )
    assert not OutboxMessage.objects.exists()


def test_an_immigration_enforcement_user_can_send_nothing(people, federation):
    case = create_case(people.giulia)
    with pytest.raises(ActionError, match="may not exchange"):
        referrals.do_offer_referral(people.ivan, case, offer(), node=federation.it)
    assert not OutboxMessage.objects.exists()


def test_immigration_enforcement_is_never_a_purpose(people, federation):
    with pytest.raises(ValueError, match="immigration"):
        offer(purpose=Purpose.IMMIGRATION_ENFORCEMENT)


def test_without_a_registry_the_node_refuses_to_send(people, federation, settings):
    from waymark.exchange.models import RegistryCopy

    RegistryCopy.objects.all().delete()
    case = create_case(people.giulia)
    with pytest.raises(ActionError, match="exchange is unavailable"):
        referrals.do_offer_referral(people.giulia, case, offer(), node=federation.it)
    assert not OutboxMessage.objects.exists()
