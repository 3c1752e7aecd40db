"""Two real nodes (node-it, node-fr) as separate processes on free loopback ports, for the
process tests (``test_network_*.py``): each a gunicorn web server and a dispatcher, with its own
data folder and SQLite file (or PostgreSQL database) under the test's temporary directory."""

from __future__ import annotations

import datetime as dt
import http.client
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jwcrypto.jwk import JWK

from waymark.core.protocol.keys import MIN_SCRYPT_N, NodeKeys
from waymark.core.protocol.registry import Registry, load_registry
from waymark.devtools import demo
from waymark.devtools.network import Network, Node, free_port
from waymark.exchange.reconcile import Report, reconcile

# Fast retries and a short lease, so faults resolve in seconds rather than minutes.
FAST = {
    "WAYMARK_EXCHANGE_RETRY_BASE_MS": "200",
    "WAYMARK_EXCHANGE_RETRY_MAX_MS": "1500",
    "WAYMARK_EXCHANGE_LEASE_SECONDS": "3",
    "WAYMARK_EXCHANGE_TIMEOUT_SECONDS": "5",
    # No witnessing rounds: these tests count every outbox row (test_network_witness turns it on).
    "WAYMARK_AUDIT_CHECKPOINT_SECONDS": "0",
}


def migrated_template(directory: Path) -> Path:
    """A migrated SQLite database to copy for each node (migrating once saves seconds per node)."""
    network = Network(directory, [(demo.node("node-it"), 0)])
    node = network.nodes["node-it"]
    node.data_dir.mkdir(parents=True, exist_ok=True)
    network.manage(node, "migrate", "--noinput")
    return node.data_dir / "waymark.sqlite3"


@contextmanager
def two_nodes(
    base: Path,
    *,
    template: Path | None,
    postgres_url: str = "",
    env: dict[str, str] | None = None,
    node_ids: tuple[str, str] = ("node-it", "node-fr"),
) -> Iterator[Network]:
    network = Network(
        base,
        [(demo.node(node_id), free_port()) for node_id in node_ids],
        postgres_url=postgres_url,
        db_suffix=f"_t{uuid.uuid4().hex[:8]}" if postgres_url else "",
        env={**FAST, **(env or {})},
        web_workers=1,
    )
    try:
        network.prepare(template=None if postgres_url else template, scrypt_n=MIN_SCRYPT_N)
        network.start()
        yield network
    finally:
        network.stop()
        if postgres_url:
            network.drop_pg_databases()


def wait_until(predicate: Callable[[], bool], *, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def outbox(network: Network, node: Node) -> dict[str, int]:
    return dict(network.query(node, "SELECT status, COUNT(*) FROM exchange_outboxmessage GROUP BY status"))


def all_receipted(network: Network, node: Node, expected: int) -> Callable[[], bool]:
    return lambda: outbox(network, node).get("receipted", 0) >= expected


def send_notices(
    network: Network, node: Node, *, count: int, conversations: int = 1, label: str, rate: float = 0
) -> None:
    user = next(u.username for u in node.spec.users if u.role in ("caseworker", "police_officer"))
    to = "fr-ngo-calais" if node.node_id == "node-it" else "it-cps-milano"
    network.manage(
        node,
        "exchange_load",
        "--to",
        to,
        "--user",
        user,
        "--count",
        str(count),
        "--conversations",
        str(conversations),
        "--label",
        label,
        "--rate",
        str(rate),
    )


def registry(network: Network) -> Registry:
    anchor = JWK.from_json(network.registry_anchor.read_text())
    return load_registry(network.registry_file.read_bytes().strip(), anchor, dt.datetime.now(dt.UTC))


def reconciled(network: Network, *, allow_in_flight: bool = False) -> Report:
    ledgers = [network.ledger(node) for node in network.nodes.values()]
    return reconcile(ledgers, registry(network), allow_in_flight=allow_in_flight)


def node_keys(network: Network, node: Node) -> NodeKeys:
    passphrase = (network.base / f"{node.node_id}.passphrase").read_text().strip()
    return NodeKeys.load_private((node.data_dir / "keys" / "node-keys.jwe").read_bytes(), passphrase)


def post_envelope(node: Node, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
    try:
        conn.request("POST", "/exchange/inbox", body=raw, headers={"Content-Type": "application/jose"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def rows(network: Network, node: Node, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return network.query(node, sql, params)
