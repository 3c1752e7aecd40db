"""The demo federation (``make network``) has an agreement granting family_tracing between the
organisations whose caseworkers trace relatives (Milan's child-protection service, the Calais NGO,
and any such organisation a node adds): a tracing request travels under it, and nothing else
does — no other purpose, no other conversation, no guardian, hotline or police party."""

from __future__ import annotations

import datetime as dt

from waymark.core.protocol.messages import MessageType
from waymark.devtools import demo
from waymark.exchange import authority
from waymark.exchange.tests.test_registry_authority import descriptor
from waymark.vocab import DataCategory, Purpose

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
AT = NOW + dt.timedelta(days=1)


def registry():
    spec = demo.registry_spec({n.node_id: "unused" for n in demo.DEMO_NODES})
    for item, node in zip(spec["nodes"], demo.DEMO_NODES, strict=True):
        item["descriptor"] = descriptor(node.node_id, None)
    return authority.build_registry(spec, version=1, now=NOW)


def test_a_tracing_request_and_its_result_travel_under_the_tracing_agreement():
    reg = registry()
    asked = reg.find_agreement(
        from_org="it-cps-milano",
        to_org="fr-ngo-calais",
        purpose=Purpose.FAMILY_TRACING,
        categories=[DataCategory.IDENTITY, DataCategory.FAMILY],
        type=MessageType.TRACING_REQUEST,
        at=AT,
    )
    assert asked is not None and asked.identifier == demo.TRACING_AGREEMENT_ID
    answered = reg.find_agreement(
        from_org="fr-ngo-calais",
        to_org="it-cps-milano",
        purpose=Purpose.FAMILY_TRACING,
        categories=[DataCategory.FAMILY, DataCategory.CONTACT_LOCATION],
        type=MessageType.TRACING_RESULT,
        at=AT,
    )
    assert answered is not None and answered.identifier == demo.TRACING_AGREEMENT_ID
    assert dt.timedelta(days=30) in [c.respond_within for c in answered.response_commitments]


def test_nothing_else_travels_under_it():
    reg = registry()
    tracing = next(a for a in reg.agreements if a.identifier == demo.TRACING_AGREEMENT_ID)
    assert set(tracing.parties) == {"it-cps-milano", "fr-ngo-calais", "be-aide-jeunesse"}
    assert {g.purpose for g in tracing.grants} == {Purpose.FAMILY_TRACING}
    assert {str(t) for t in tracing.message_types} == {
        "tracing_request",
        "tracing_progress",
        "tracing_result",
        "tracing_withdraw",
    }
    # Not a health or case-notes grant, and no other purpose through it.
    assert not {g.category for g in tracing.grants} & {DataCategory.HEALTH, DataCategory.CASE_NOTES}
    other = reg.find_agreement(
        from_org="it-cps-milano",
        to_org="fr-ngo-calais",
        purpose=Purpose.FAMILY_TRACING,
        categories=[DataCategory.IDENTITY],
        type=MessageType.REFERRAL_OFFER,
        at=AT,
    )
    assert other is None
