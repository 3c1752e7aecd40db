"""The registry authority's tools: a registry key, and a signed registry built from a spec.

The authority is not a node: in a real federation it is whoever the members trust to publish
the registry (a secretariat, with its key on an offline machine). These functions let a node
administrator — or ``make network`` — play that part for a demo or a test federation.

A spec (YAML or JSON) names the federation, the nodes (each by the ``node.json`` descriptor its
``node_init`` wrote, plus its country), the organisations and the agreements, in the registry's
own field names (``waymark.core.protocol.registry``). ``build_registry`` validates all of it,
including the firewall's registry layer.

Nodes' ``message_types`` go into the registry only once every node's descriptor lists them:
nodes older than that field refuse a registry that has it, so while one of them remains (its
descriptor has no list) every node is described by the baseline (``BASELINE_MESSAGE_TYPES``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from jwcrypto.jwk import JWK

from waymark.core.protocol.keys import public_jwk
from waymark.core.protocol.registry import Registry, sign_registry

DEFAULT_VALIDITY = dt.timedelta(days=30)


def generate_registry_key(private_path: Path, public_path: Path) -> JWK:
    """A new Ed25519 registry key: private JWK (mode 0600) and its public half (the anchor)."""
    key = JWK.generate(kty="OKP", crv="Ed25519")
    key["kid"] = key.thumbprint()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.touch(mode=0o600, exist_ok=False)
    private_path.write_text(key.export_private() + "\n", encoding="utf-8")
    public_path.write_text(public_jwk(key).export_public() + "\n", encoding="utf-8")
    return key


def read_private_key(path: Path) -> JWK:
    data = json.loads(path.read_text(encoding="utf-8"))
    key = JWK(**data)
    if not key.has_private:
        raise ValueError(f"{path} holds no private key")
    return key


def node_entry(descriptor: dict[str, Any], country: str) -> dict[str, Any]:
    """A registry node entry from a ``node.json`` descriptor."""
    entry = {k: descriptor[k] for k in ("node_id", "endpoint", "signing_jwk", "encryption_jwk")}
    if descriptor.get("tls_cert_sha256"):
        entry["tls_cert_sha256"] = descriptor["tls_cert_sha256"]
    if "message_types" in descriptor:
        entry["message_types"] = list(descriptor["message_types"])
    entry["country"] = country
    return entry


def build_registry(
    spec: dict[str, Any], *, version: int, now: dt.datetime, base_dir: Path | None = None
) -> Registry:
    """Validate ``spec`` into a registry document issued ``now`` (see the module docstring)."""
    nodes = []
    for item in spec.get("nodes", []):
        descriptor = item.get("descriptor")
        if isinstance(descriptor, str):
            path = Path(descriptor)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        nodes.append(node_entry(descriptor, item["country"]))
    if not all("message_types" in n for n in nodes):
        for n in nodes:
            n.pop("message_types", None)
    valid_days = spec.get("valid_days")
    validity = dt.timedelta(days=int(valid_days)) if valid_days else DEFAULT_VALIDITY
    return Registry.model_validate(
        {
            "federation": spec["federation"],
            "version": version,
            "issued_at": now,
            "expires_at": now + validity,
            "nodes": nodes,
            "organisations": spec.get("organisations", []),
            "agreements": spec.get("agreements", []),
        }
    )


def sign(registry: Registry, key: JWK) -> bytes:
    return sign_registry(registry, key)
