"""Test helpers: three nodes in one process (one database) and a fake transport between them.

``Federation`` builds the fictional federation of ``waymark.core.protocol.testing`` (node-it,
node-fr, node-be and the personas' organisations) with today's dates, signs it with the test
registry key, makes that key the trust anchor and stores the registry. ``FakeTransport`` hands
an envelope straight to the addressed node's ``inbound.receive`` and can simulate the faults the
exchange must survive: a peer that is down, a response lost after the effect, a tampered wire.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Agreement, Registry, sign_registry

from .inbound import receive
from .models import OutboxMessage, OutboxStatus, RegistryCopy
from .node import LocalNode
from .registry import store_registry
from .transport import Peer, TransportError


def dated_agreement(now: dt.datetime | None = None, **overrides: Any) -> Agreement:
    now = now or timezone.now()
    fields: dict[str, Any] = {
        "valid_from": now - dt.timedelta(days=30),
        "valid_until": now + dt.timedelta(days=365),
    }
    fields.update(overrides)
    return proto.agreement(**fields)


def dated_registry(
    *,
    version: int = 1,
    now: dt.datetime | None = None,
    agreements: tuple[Agreement, ...] | None = None,
    **overrides: Any,
) -> Registry:
    now = now or timezone.now()
    fields: dict[str, Any] = {
        "issued_at": now - dt.timedelta(minutes=1),
        "expires_at": now + dt.timedelta(days=7),
    }
    fields.update(overrides)
    return proto.registry(
        version=version,
        agreements=(dated_agreement(now),) if agreements is None else agreements,
        **fields,
    )


def signed(registry: Registry) -> bytes:
    return sign_registry(registry, proto.registry_key())


@dataclass
class Federation:
    """node-it, node-fr and node-be as ``LocalNode``s sharing this test's database."""

    it: LocalNode
    fr: LocalNode
    be: LocalNode
    anchor: Path

    def node(self, node_id: str) -> LocalNode:
        return {n.node_id: n for n in (self.it, self.fr, self.be)}[node_id]

    def publish(self, registry: Registry) -> RegistryCopy:
        """Sign and store a new registry version (as every node would load it)."""
        return store_registry(signed(registry), source="test")


def make_federation(tmp_path: Path) -> Federation:
    """The federation; its registry key is written to ``anchor`` (point the trust anchor
    setting at it before publishing)."""
    anchor = tmp_path / "registry-key.json"
    anchor.write_text(json.dumps(json.loads(proto.registry_public_key().export_public())))
    return Federation(
        it=LocalNode("node-it", proto.node_keys("node-it")),
        fr=LocalNode("node-fr", proto.node_keys("node-fr")),
        be=LocalNode("node-be", proto.node_keys("node-be")),
        anchor=anchor,
    )


def make_due() -> int:
    """Every waiting outbox row becomes due now (instead of waiting out its backoff)."""
    return OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(next_attempt_at=timezone.now())


@dataclass
class FakeTransport:
    """Delivers in-process to the addressed node. ``down``: node ids that do not answer;
    ``lose_response``: node ids whose receipt is lost on the way back (after the effect);
    ``wire``: a function applied to the bytes in transit (tampering)."""

    federation: Federation
    down: set[str] = field(default_factory=set)
    lose_response: set[str] = field(default_factory=set)
    wire: Callable[[bytes], bytes] | None = None
    sent: list[tuple[str, bytes]] = field(default_factory=list)
    reply: Callable[[str, bytes], bytes] | None = None

    def send(self, peer: Peer, envelope: bytes) -> bytes:
        if peer.node_id in self.down:
            raise TransportError(f"{peer.node_id}: connection refused (simulated)")
        data = self.wire(envelope) if self.wire else envelope
        self.sent.append((peer.node_id, data))
        receipt = receive(self.federation.node(peer.node_id), data).receipt
        if peer.node_id in self.lose_response:
            raise TransportError(f"{peer.node_id}: connection reset before the receipt (simulated)")
        if self.reply is not None:
            return self.reply(peer.node_id, receipt)
        return receipt
