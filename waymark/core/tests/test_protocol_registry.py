"""A node trusts a registry only when the registry key signed it, nobody changed it since, it is in
date, not older than the one it holds, and valid — an immigration-enforcement organisation can
never be a party to an agreement."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from jwcrypto.jwk import JWK
from pydantic import ValidationError

from waymark.core.protocol import jose
from waymark.core.protocol import testing as fed
from waymark.core.protocol.messages import MessageType
from waymark.core.protocol.registry import (
    BASELINE_MESSAGE_TYPES,
    RegistryFault,
    RegistryRefused,
    load_registry,
    registry_json,
    sign_registry,
)

NOW = fed.NOW


def load(raw: bytes, now: dt.datetime = NOW, **kwargs):
    return load_registry(raw, fed.registry_public_key(), now, **kwargs)


def refusal(raw: bytes, now: dt.datetime = NOW, **kwargs) -> RegistryFault:
    with pytest.raises(RegistryRefused) as caught:
        load(raw, now, **kwargs)
    return caught.value.fault


def test_a_signed_registry_loads_as_it_was_issued():
    doc = fed.registry()

    loaded = load(sign_registry(doc, fed.registry_key()))

    assert loaded == doc
    assert loaded.node_for_org("fr-ngo-calais").node_id == "node-fr"


def test_a_registry_without_a_signature_is_refused():
    doc = fed.registry()

    assert refusal(registry_json(doc).encode()) == RegistryFault.UNSIGNED
    header = jose.b64url_encode(json.dumps({"alg": "none", "typ": jose.TYP_REGISTRY}).encode())
    payload = jose.b64url_encode(jose.canonical_json(doc.model_dump(mode="json")))
    assert refusal(f"{header}.{payload}.".encode()) == RegistryFault.UNSIGNED


def test_a_registry_changed_after_signing_is_refused():
    head, payload, signature = sign_registry(fed.registry(), fed.registry_key()).decode().split(".")
    data = json.loads(jose.b64url_decode(payload))
    data["nodes"][1]["endpoint"] = "https://attacker.example/inbox"
    tampered = ".".join([head, jose.b64url_encode(jose.canonical_json(data)), signature]).encode()

    assert refusal(tampered) == RegistryFault.BAD_SIGNATURE


def test_a_registry_signed_by_another_key_is_refused():
    rogue = JWK.generate(kty="OKP", crv="Ed25519")

    assert refusal(sign_registry(fed.registry(), rogue)) == RegistryFault.BAD_SIGNATURE


def test_a_registry_key_rollover_accepts_either_trusted_key():
    new_key = JWK.generate(kty="OKP", crv="Ed25519")
    raw = sign_registry(fed.registry(version=2), new_key)

    loaded = load_registry(raw, [fed.registry_public_key(), JWK.from_json(new_key.export_public())], NOW)

    assert loaded.version == 2


def test_an_expired_registry_is_refused():
    raw = sign_registry(fed.registry(), fed.registry_key())

    assert refusal(raw, now=NOW + dt.timedelta(days=8)) == RegistryFault.EXPIRED


def test_a_registry_from_the_future_is_refused():
    raw = sign_registry(fed.registry(), fed.registry_key())

    assert refusal(raw, now=NOW - dt.timedelta(hours=2)) == RegistryFault.NOT_YET_VALID


def test_an_older_registry_cannot_replace_a_newer_one():
    # Rolling back would bring back a key the federation has revoked.
    raw = sign_registry(fed.registry(version=3), fed.registry_key())

    assert refusal(raw, min_version=4) == RegistryFault.ROLLED_BACK
    assert load(raw, min_version=3).version == 3


def test_an_immigration_enforcement_party_is_refused_even_when_signed():
    doc = fed.registry().model_dump(mode="json")
    doc["agreements"][0]["parties"].append("xx-immigration")
    raw = jose.sign(jose.canonical_json(doc), fed.registry_key(), jose.TYP_REGISTRY).encode()

    with pytest.raises(RegistryRefused) as caught:
        load(raw)

    assert caught.value.fault == RegistryFault.INVALID
    assert "firewall" in caught.value.detail


def test_an_immigration_enforcement_party_cannot_even_be_written_down():
    with pytest.raises(ValidationError, match="firewall"):
        fed.registry(agreements=(fed.agreement(parties=(*fed.PARTIES, "xx-immigration")),))


def test_no_grant_may_name_the_immigration_enforcement_purpose():
    doc = fed.registry().model_dump(mode="json")
    doc["agreements"][0]["grants"][0]["purpose"] = "immigration_enforcement"
    raw = jose.sign(jose.canonical_json(doc), fed.registry_key(), jose.TYP_REGISTRY).encode()

    assert refusal(raw) == RegistryFault.INVALID


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("nodes", 0, "signing_jwk", "d"), "c2VjcmV0"),  # a private key published by mistake
        (("nodes", 0, "signing_jwk", "kid"), "not-the-thumbprint"),
        (("nodes", 0, "endpoint"), "http://node-it.example/inbox"),  # plain HTTP off loopback
        (("organisations", 0, "node_id"), "node-zz"),
        (("agreements", 0, "grants", 0, "org"), "it-guardians"),  # a grant to a non-party
        (("nodes", 0, "country"), "XX"),
    ],
)
def test_an_incoherent_registry_is_refused(path, value):
    doc = fed.registry().model_dump(mode="json")
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    raw = jose.sign(jose.canonical_json(doc), fed.registry_key(), jose.TYP_REGISTRY).encode()

    assert refusal(raw) == RegistryFault.INVALID


def test_a_registry_signed_as_something_else_is_refused():
    doc = fed.registry()
    raw = jose.sign(jose.canonical_json(doc.model_dump(mode="json")), fed.registry_key(), jose.TYP_RECEIPT)

    assert refusal(raw.encode()) == RegistryFault.MALFORMED


def with_node_types(types_by_node: dict[str, object]) -> bytes:
    doc = fed.registry().model_dump(mode="json")
    for node in doc["nodes"]:
        if node["node_id"] in types_by_node:
            node["message_types"] = types_by_node[node["node_id"]]
    return jose.sign(jose.canonical_json(doc), fed.registry_key(), jose.TYP_REGISTRY).encode()


def test_a_node_lists_the_message_types_it_implements():
    registry = load(with_node_types({"node-fr": ["notice", "missing_alert"]}))
    france = registry.node("node-fr")

    assert france is not None
    assert france.takes(MessageType.MISSING_ALERT) and france.takes(MessageType.NOTICE)
    assert not france.takes(MessageType.REFERRAL_OFFER)


def test_a_node_that_lists_no_types_is_read_as_the_baseline_and_nothing_newer():
    registry = load(with_node_types({}))
    italy = registry.node("node-it")

    assert italy is not None and italy.message_types is None
    assert all(italy.takes(t) for t in BASELINE_MESSAGE_TYPES)
    assert not italy.takes(MessageType.MISSING_ALERT)
    assert not italy.takes(MessageType.ERASURE_NOTICE)


def test_a_registry_naming_no_nodes_types_is_written_without_the_member():
    # Nodes older than the member refuse a registry that has it (unknown members are refused).
    doc = json.loads(registry_json(fed.registry()))

    assert all("message_types" not in node for node in doc["nodes"])


def test_a_type_a_newer_node_lists_and_this_version_does_not_know_is_ignored():
    registry = load(with_node_types({"node-fr": ["notice", "drone_sighting"]}))
    france = registry.node("node-fr")

    assert france is not None and france.message_types == (MessageType.NOTICE,)


@pytest.mark.parametrize("types", [["receipt"], ["notice", "notice"], "notice"])
def test_a_nodes_message_types_must_make_sense(types):
    assert refusal(with_node_types({"node-fr": types})) == RegistryFault.INVALID
