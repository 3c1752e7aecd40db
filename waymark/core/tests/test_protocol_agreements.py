"""The registry answers whether an agreement lets one organisation send another a message: parties,
in force, message type covered, and every data category granted to the recipient for the purpose."""

from __future__ import annotations

import datetime as dt
from typing import Any

from waymark.core.protocol import testing as fed
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.reasons import ReasonCode
from waymark.core.protocol.registry import AgreementStatus, Registry
from waymark.core.protocol.vocab import DataCategory, Purpose

NOW = fed.NOW
C = DataCategory


def decide(registry: Registry | None = None, **overrides: Any) -> ReasonCode | None:
    fields: dict[str, Any] = {
        "from_org": "it-cps-milano",
        "to_org": "fr-ngo-calais",
        "purpose": Purpose.CHILD_PROTECTION,
        "categories": [C.IDENTITY, C.CASE_NOTES],
        "type": MessageType.REFERRAL_OFFER,
        "at": NOW,
    }
    agreement_id = overrides.pop("agreement_id", fed.AGREEMENT_ID)
    fields.update(overrides)
    return (registry or fed.registry()).agreement_decision(agreement_id, **fields)


def test_italy_may_refer_a_child_to_the_french_ngo():
    assert decide() is None
    assert fed.registry().agreement_allows(
        fed.AGREEMENT_ID,
        from_org="it-cps-milano",
        to_org="fr-ngo-calais",
        purpose=Purpose.CHILD_PROTECTION,
        categories=[C.IDENTITY],
        type=MessageType.REFERRAL_OFFER,
        at=NOW,
    )


def test_a_category_not_granted_to_the_recipient_is_refused():
    assert decide(categories=[C.IDENTITY, C.HEALTH]) == ReasonCode.NOT_GRANTED


def test_a_purpose_not_granted_is_refused():
    assert decide(purpose=Purpose.STATISTICS) == ReasonCode.NOT_GRANTED


def test_a_message_type_the_agreement_does_not_cover_is_refused():
    registry = fed.registry(
        agreements=(fed.agreement(message_types=(MessageType.MISSING_ALERT,), response_commitments=()),)
    )

    assert decide(registry) == ReasonCode.NOT_GRANTED


def test_an_organisation_outside_the_agreement_is_refused():
    assert decide(to_org="it-guardians") == ReasonCode.NOT_PARTY
    assert decide(from_org="xx-immigration") == ReasonCode.NOT_PARTY


def test_a_suspended_agreement_stops_the_exchange():
    registry = fed.registry(agreements=(fed.agreement(status=AgreementStatus.SUSPENDED),))

    assert decide(registry) == ReasonCode.AGREEMENT_INACTIVE


def test_an_agreement_out_of_date_stops_the_exchange():
    assert decide(at=NOW - dt.timedelta(days=366)) == ReasonCode.NOT_YET_VALID
    assert decide(at=NOW + dt.timedelta(days=366)) == ReasonCode.EXPIRED


def test_an_unknown_agreement_is_refused():
    assert decide(agreement_id="made-up") == ReasonCode.UNKNOWN_AGREEMENT


def test_the_sender_can_find_the_agreement_that_covers_a_message():
    found = fed.registry().find_agreement(
        from_org="be-police-mpu",
        to_org="it-cps-milano",
        purpose=Purpose.LOCATE_MISSING_CHILD,
        categories=[C.CONTACT_LOCATION],
        type=MessageType.SIGHTING,
        at=NOW,
    )

    assert found is not None and found.identifier == fed.AGREEMENT_ID


def test_a_header_is_checked_against_where_its_organisations_live():
    registry = fed.registry()
    body = fed.referral_offer()

    assert registry.check_header(fed.header_for(body), NOW) is None
    assert registry.check_header(fed.header_for(body, from_node="node-be"), NOW) == ReasonCode.UNKNOWN_SENDER
    assert (
        registry.check_header(fed.header_for(body, to_org="be-police-mpu"), NOW) == ReasonCode.WRONG_RECIPIENT
    )


def test_the_registry_resolves_only_the_current_keys_of_a_node():
    registry = fed.registry()
    italy = fed.node_keys("node-it")

    assert registry.resolve_signing_key("node-it", italy.signing_kid) is not None
    assert registry.resolve_signing_key("node-fr", italy.signing_kid) is None
    france = registry.encryption_key("node-fr")
    assert france is not None and france.thumbprint() == fed.node_keys("node-fr").encryption_kid


def test_what_an_agreement_lets_the_recipient_read_is_its_read_grants_for_the_purpose():
    agreement = fed.registry().agreement(fed.AGREEMENT_ID)
    assert agreement is not None
    readable = agreement.readable_categories("fr-ngo-calais", Purpose.CHILD_PROTECTION)

    assert {C.IDENTITY.value, C.CASE_NOTES.value} <= readable
    assert C.HEALTH.value not in readable
    assert agreement.readable_categories("fr-ngo-calais", Purpose.STATISTICS) == frozenset()
    assert all(
        g.org == "fr-ngo-calais" and g.purpose == Purpose.CHILD_PROTECTION and g.action == "read"
        for g in agreement.read_grants("fr-ngo-calais", Purpose.CHILD_PROTECTION)
    )
