"""The demo federation (``make network``) has a 116 000 hotline and a guardian on every node, and
agreements for locate_missing_child among them: the registry's (across nodes, validated as a
registry is) and each node's own (on one node, loaded as a federation file is)."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from waymark.accounts.models import User
from waymark.core.protocol import testing as proto
from waymark.core.protocol.messages import MessageType
from waymark.devtools import demo
from waymark.exchange import authority
from waymark.exchange.tests.test_registry_authority import descriptor
from waymark.hotline.access import is_operator
from waymark.policy.models import Agreement
from waymark.vocab import DataCategory, Purpose, Role, Sector

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_every_node_has_a_hotline_operator_and_a_guardian():
    for node in demo.DEMO_NODES:
        sectors = {o.slug: o.sector for o in node.orgs}
        roles = {(u.role, sectors[u.org]) for u in node.users}
        assert (Role.HOTLINE_OPERATOR, Sector.HOTLINE) in roles, node.node_id
        assert (Role.GUARDIAN, Sector.GUARDIANSHIP) in roles, node.node_id
        assert all("(fictional)" in o.name for o in node.orgs)


def test_the_registry_agreement_lets_hotlines_alert_and_refer_each_other_to_locate_a_child():
    spec = demo.registry_spec({n.node_id: "unused" for n in demo.DEMO_NODES})
    for item, node in zip(spec["nodes"], demo.DEMO_NODES, strict=True):
        item["descriptor"] = descriptor(node.node_id, None)
    registry = authority.build_registry(spec, version=1, now=NOW)
    at = NOW + dt.timedelta(days=1)
    for type in (MessageType.REFERRAL_OFFER, MessageType.MISSING_ALERT, MessageType.SIGHTING):
        found = registry.find_agreement(
            from_org="it-hotline",
            to_org="fr-hotline",
            purpose=Purpose.LOCATE_MISSING_CHILD,
            categories=[DataCategory.IDENTITY, DataCategory.FAMILY, DataCategory.CASE_NOTES],
            type=type,
            at=at,
        )
        assert found is not None and found.identifier == demo.LOCATE_AGREEMENT_ID
    # The child-protection parties still travel under their own agreement first (the order).
    first = registry.find_agreement(
        from_org="it-cps-milano",
        to_org="fr-ngo-calais",
        purpose=Purpose.CHILD_PROTECTION,
        categories=[DataCategory.IDENTITY],
        type=MessageType.REFERRAL_OFFER,
        at=at,
    )
    assert first is not None and first.identifier == demo.AGREEMENT_ID
    # Nothing for another purpose under the locating agreement.
    assert (
        registry.agreement_decision(
            demo.LOCATE_AGREEMENT_ID,
            from_org="it-hotline",
            to_org="fr-hotline",
            purpose=Purpose.CHILD_PROTECTION,
            categories=[DataCategory.IDENTITY],
            type=MessageType.REFERRAL_OFFER,
            at=at,
        )
        is not None
    )
    assert proto.AGREEMENT_ID not in {a.identifier for a in registry.agreements}


def test_exchange_demo_creates_the_hotline_the_guardian_and_the_nodes_own_agreement(db, settings):
    call_command("exchange_demo", "node-fr")
    call_command("exchange_demo", "node-fr")  # idempotent
    local = Agreement.objects.get(identifier="demo-fr-locate-local-2026")
    assert {o.slug for o in local.parties.all()} == {"fr-ngo-calais", "fr-hotline", "fr-tuteurs"}
    assert local.grants.filter(
        role=Role.HOTLINE_OPERATOR, action="update", category="contact_location"
    ).exists()
    louise = User.objects.get(username="louise")
    assert is_operator(louise) and User.objects.get(username="jeanne").role == Role.GUARDIAN
