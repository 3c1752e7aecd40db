"""The alert fan-out benchmark's fictional recipient nodes: found again from their id (another
process runs ``exchange_demo``), and under an agreement with Milan that carries an alert for
locate_missing_child and nothing else."""

from __future__ import annotations

import pytest

from waymark.devtools import demo
from waymark.vocab import DataCategory, Purpose


def test_a_fanout_node_is_found_again_from_its_id():
    spec = demo.fanout_nodes(3)[2]
    assert spec.node_id == "node-fan-de" and spec.country == "DE"
    assert demo.node("node-fan-de") == spec
    assert spec.orgs[0].name.endswith("(fictional)")
    with pytest.raises(KeyError):
        demo.node("node-fan-xx")
    with pytest.raises(ValueError, match="between 1 and"):
        demo.fanout_nodes(len(demo.FANOUT_COUNTRIES) + 1)


def test_milan_and_the_fanout_nodes_share_an_alert_agreement_for_locating_a_child_only():
    nodes = (demo.node("node-it"), *demo.fanout_nodes(3))
    spec = demo.registry_spec({n.node_id: f"/{n.node_id}.json" for n in nodes}, nodes=nodes)
    # The demo agreement would have Milan alone: left out (an agreement needs two parties); the
    # locating agreement is the Italian node's own organisations (hotline, guardians, services).
    ids = [a["identifier"] for a in spec["agreements"]]
    assert demo.AGREEMENT_ID not in ids and demo.FANOUT_AGREEMENT_ID in ids
    agreement = next(a for a in spec["agreements"] if a["identifier"] == demo.FANOUT_AGREEMENT_ID)
    locate = [a for a in spec["agreements"] if a["identifier"] == demo.LOCATE_AGREEMENT_ID]
    assert all(not p.endswith("-fanout-ngo") for a in locate for p in a["parties"])
    assert agreement["parties"] == ["it-cps-milano", "be-fanout-ngo", "de-fanout-ngo", "fr-fanout-ngo"]
    assert {g["purpose"] for g in agreement["grants"]} == {Purpose.LOCATE_MISSING_CHILD}
    granted = {g["category"] for g in agreement["grants"]}
    assert DataCategory.HEALTH not in granted and DataCategory.DISCLOSURE not in granted
    # The alert's conversation only: no referral, transfer or information request.
    assert set(agreement["message_types"]) == {
        "missing_alert",
        "missing_alert_update",
        "missing_alert_seen",
        "missing_alert_withdraw",
        "sighting",
        "found",
        "case_closed",
    }


def test_the_demo_agreement_leaves_out_a_party_when_asked():
    nodes = demo.DEMO_NODES
    spec = demo.registry_spec(
        {n.node_id: f"/{n.node_id}.json" for n in nodes}, parties=("it-cps-milano", "fr-ngo-calais")
    )
    by_id = {a["identifier"]: a for a in spec["agreements"]}
    agreement = by_id[demo.AGREEMENT_ID]
    assert agreement["parties"] == ["it-cps-milano", "fr-ngo-calais"]
    assert "be-police-mpu" not in {g["org"] for g in agreement["grants"]}
    # ...and out of the locating agreement too.
    assert "be-police-mpu" not in by_id[demo.LOCATE_AGREEMENT_ID]["parties"]
