"""Mutual TLS between nodes, pinned to the registry.

Every node has one self-signed certificate (``node_init``), used both as its server certificate
and as its client certificate. The signed registry lists each node's certificate fingerprint
(``tls_cert_sha256``). Trust is pinning, not a CA:

- as a client (the dispatcher, ``transport.HttpTransport``) a node accepts a server only if the
  certificate it presents has the registry's fingerprint for that node;
- as a server (``gunicorn_tls``) a node requires a client certificate, and trusts exactly the
  certificates of the registry's nodes: ``peer_bundle`` fetches each peer's certificate from its
  endpoint, keeps it only if its fingerprint is the registry's pin, and writes the bundle the
  server loads (``manage.py exchange_tls_peers``). Which node signed a message is then proven by
  the envelope signature, as always.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from waymark.core.protocol.registry import Registry

from .transport import fingerprint_der


def server_context(
    cert_file: Path, key_file: Path, passphrase: Callable[[], str], peers_file: Path
) -> ssl.SSLContext:
    """TLS 1.2+ server context that requires a client certificate from ``peers_file``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_file, key_file, password=passphrase)
    ctx.verify_mode = ssl.CERT_REQUIRED
    # The peers' self-signed certificates are the trust anchors, each one pinned by the registry.
    ctx.load_verify_locations(cafile=str(peers_file))
    return ctx


def fetch_certificate(endpoint: str, *, timeout: float = 10.0) -> bytes:
    """The DER certificate a TLS endpoint presents (not validated: the caller pins it)."""
    url = urlsplit(endpoint)
    if url.scheme != "https" or not url.hostname:
        raise ValueError(f"not an https endpoint: {endpoint}")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((url.hostname, url.port or 443), timeout=timeout) as raw,
        ctx.wrap_socket(raw, server_hostname=url.hostname) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    if not der:
        raise ValueError(f"{endpoint} presented no certificate")
    return der


@dataclass(frozen=True)
class BundleResult:
    pinned: list[str]
    problems: list[str]


def peer_bundle(
    registry: Registry,
    out: Path,
    *,
    own_node: str,
    own_cert_pem: bytes | None = None,
    fetch: Callable[[str], bytes] = fetch_certificate,
) -> BundleResult:
    """Write the PEM bundle of every registry node's certificate whose fingerprint matches its pin."""
    pems: list[str] = []
    pinned: list[str] = []
    problems: list[str] = []
    for node in registry.nodes:
        if not node.tls_cert_sha256:
            problems.append(f"{node.node_id}: the registry pins no certificate")
            continue
        try:
            if node.node_id == own_node and own_cert_pem is not None:
                der = ssl.PEM_cert_to_DER_cert(own_cert_pem.decode("ascii"))
            else:
                der = fetch(str(node.endpoint))
        except (OSError, ValueError) as exc:
            problems.append(f"{node.node_id}: {exc}")
            continue
        if fingerprint_der(der) != node.tls_cert_sha256:
            problems.append(f"{node.node_id}: presented a certificate the registry does not pin")
            continue
        pems.append(ssl.DER_cert_to_PEM_cert(der))
        pinned.append(node.node_id)
    out.write_text("".join(pems), encoding="ascii")
    return BundleResult(pinned, problems)
