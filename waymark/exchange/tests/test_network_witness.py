"""Issue 9, finding 8 (b), with real node processes: node-it's dispatcher signs checkpoints on
its schedule and sends them to node-fr, whose inbox witnesses them — the first pinned, the next
proven to extend it — and the reconciler finds the ledgers in agreement."""

from __future__ import annotations

import pytest

from .cluster import reconciled, rows, send_notices, two_nodes, wait_until

pytestmark = pytest.mark.network


def witnessed(net, node) -> list[tuple[str, int, int | None]]:
    return [
        (verdict, size, proven)
        for verdict, size, proven in rows(
            net,
            node,
            "SELECT verdict, tree_size, proven_from FROM audit_peercheckpoint WHERE peer_node = ? ORDER BY id",
            "node-it",
        )
    ]


def test_finding_8_a_partner_node_witnesses_checkpoints_over_the_network(tmp_path, sqlite_template):
    with two_nodes(
        tmp_path / "net", template=sqlite_template, env={"WAYMARK_AUDIT_CHECKPOINT_SECONDS": "2"}
    ) as net:
        it, fr = net.nodes["node-it"], net.nodes["node-fr"]
        send_notices(net, it, count=3, label="witness-1")
        wait_until(lambda: len(witnessed(net, fr)) >= 1, what="node-fr witnessing node-it's first checkpoint")
        send_notices(net, it, count=3, label="witness-2")
        wait_until(
            lambda: any(v == "consistent" for v, _, _ in witnessed(net, fr)),
            what="a second checkpoint proven to extend the first",
        )
        held = witnessed(net, fr)
        assert held[0][0] == "first"
        assert all(v in ("first", "consistent", "unchanged") for v, _, _ in held), held
        consistent = next(h for h in held if h[0] == "consistent")
        assert consistent[2] is not None and consistent[2] < consistent[1]
        # The checkpoints node-it signed are the ones node-fr holds.
        signed = {size for (size,) in rows(net, it, "SELECT tree_size FROM audit_checkpoint")}
        assert {size for _, size, _ in held} <= signed
        wait_until(lambda: reconciled(net, allow_in_flight=True).ok, what="ledgers in agreement")
