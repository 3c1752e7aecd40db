"""The registry authority (and ``make run``) lists what each node implements, but only once every
node says: nodes older than the member refuse a registry that has it (upgrade one at a time)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from jwcrypto.jwk import JWK

from waymark.core.protocol import testing as proto
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import load_registry
from waymark.devtools.devnode import DevNode, publish_registry
from waymark.exchange import authority

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def descriptor(node_id: str, message_types: list[str] | None) -> dict[str, Any]:
    keys = proto.node_keys(node_id)
    out: dict[str, Any] = {
        "node_id": node_id,
        "endpoint": "http://127.0.0.1:8101/exchange/inbox",
        "signing_jwk": keys.public_signing_jwk(),
        "encryption_jwk": keys.public_encryption_jwk(),
    }
    if message_types is not None:
        out["message_types"] = message_types
    return out


def build(**types: list[str] | None):
    spec = {
        "federation": "waymark-test",
        "nodes": [
            {"descriptor": descriptor(n.replace("_", "-"), t), "country": "IT"} for n, t in types.items()
        ],
    }
    return authority.build_registry(spec, version=1, now=NOW)


def test_every_node_declaring_its_types_puts_them_in_the_registry():
    registry = build(node_it=["notice", "sighting"], node_fr=["notice"])

    assert registry.node("node-it").message_types == (MessageType.NOTICE, MessageType.SIGHTING)
    assert not registry.node("node-fr").takes(MessageType.SIGHTING)


def test_while_one_node_is_older_no_node_is_listed_with_types():
    registry = build(node_it=["notice", "sighting"], node_fr=None)

    assert all(n.message_types is None for n in registry.nodes)
    assert "message_types" not in registry.model_dump_json()


def test_make_run_signs_its_registry_again_when_the_node_implements_other_types(tmp_path):
    node = DevNode(data_dir=tmp_path, port=8765)
    node.folder.mkdir(parents=True)
    node.descriptor_file.parent.mkdir(parents=True)
    listed = descriptor("local-node", ["notice", "referral_offer"])
    node.descriptor_file.write_text(json.dumps(listed))
    assert publish_registry(node)
    assert not publish_registry(node)  # nothing changed: nothing signed

    listed["message_types"] = [*listed["message_types"], "sighting"]  # after an upgrade
    node.descriptor_file.write_text(json.dumps(listed))

    assert publish_registry(node)
    registry = load_registry(
        node.registry_file.read_bytes().strip(),
        JWK.from_json(node.registry_anchor.read_text()),
        dt.datetime.now(dt.UTC),
    )
    assert registry.node("local-node").takes(MessageType.SIGHTING)  # type: ignore[union-attr]
