"""Mutual TLS between nodes, pinned to the registry: the client checks the server's fingerprint,
the server requires a client certificate from the pinned peer bundle; plain HTTP only on
loopback and only with the development flag."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from waymark.core.protocol import testing as proto
from waymark.core.protocol.registry import Node
from waymark.exchange.keys import make_tls_material
from waymark.exchange.tls import peer_bundle, server_context
from waymark.exchange.transport import (
    ClientIdentity,
    HttpTransport,
    Peer,
    TransportError,
    TransportRefused,
    fingerprint_pem,
)

pytestmark = pytest.mark.network
SECRET = "fictional test passphrase"


def identity(tmp_path, name):
    key_pem, cert_pem = make_tls_material(name, ["127.0.0.1"], SECRET)
    (tmp_path / f"{name}.key").write_bytes(key_pem)
    (tmp_path / f"{name}.crt").write_bytes(cert_pem)
    return ClientIdentity(
        tmp_path / f"{name}.crt", tmp_path / f"{name}.key", lambda: SECRET
    ), fingerprint_pem(cert_pem)


class Echo(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"receipt for " + body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_server(tmp_path):
    """node-b's inbox over mTLS, trusting node-a's certificate only."""
    (server_id, server_fp), (client_id, _) = identity(tmp_path, "node-b"), identity(tmp_path, "node-a")
    peers = tmp_path / "peers.pem"
    peers.write_bytes(client_id.cert_file.read_bytes())
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    httpd.socket = server_context(server_id.cert_file, server_id.key_file, lambda: SECRET, peers).wrap_socket(
        httpd.socket, server_side=True
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    peer = Peer("node-b", f"https://127.0.0.1:{httpd.server_address[1]}/exchange/inbox", server_fp)
    yield peer, client_id, tmp_path
    httpd.shutdown()
    httpd.server_close()


def test_a_pinned_peer_receives_over_mutual_tls(tls_server):
    peer, client_id, _ = tls_server
    transport = HttpTransport(identity=client_id, allow_http=False, timeout=5)
    assert transport.send(peer, b"envelope") == b"receipt for envelope"


def test_a_server_whose_certificate_is_not_the_registry_pin_is_refused(tls_server):
    peer, client_id, _ = tls_server
    impostor = Peer(peer.node_id, peer.endpoint, "0" * 64)
    with pytest.raises(TransportError, match="does not pin"):
        HttpTransport(identity=client_id, allow_http=False, timeout=5).send(impostor, b"envelope")


def test_a_client_without_a_pinned_certificate_is_refused_by_the_server(tls_server):
    peer, _, tmp_path = tls_server
    stranger, _ = identity(tmp_path, "node-x")
    with pytest.raises(TransportError):
        HttpTransport(identity=stranger, allow_http=False, timeout=5).send(peer, b"envelope")


def test_plain_http_needs_the_flag_and_loopback():
    loopback = Peer("node-b", "http://127.0.0.1:9/exchange/inbox")
    with pytest.raises(TransportRefused, match="WAYMARK_EXCHANGE_ALLOW_HTTP"):
        HttpTransport(identity=None, allow_http=False).send(loopback, b"x")
    with pytest.raises(TransportRefused, match="loopback only"):
        HttpTransport(identity=None, allow_http=True).send(
            Peer("node-b", "http://192.0.2.1/exchange/inbox"), b"x"
        )


def test_the_peer_bundle_keeps_only_certificates_matching_their_pin(tls_server):
    peer, _, tmp_path = tls_server
    keys = proto.node_keys("node-fr")
    node = Node(
        node_id="node-b",
        endpoint=peer.endpoint,
        country="FR",
        signing_jwk=keys.public_signing_jwk(),
        encryption_jwk=keys.public_encryption_jwk(),
        tls_cert_sha256=peer.tls_fingerprint,
    )
    wrong = node.model_copy(update={"node_id": "node-c", "tls_cert_sha256": "1" * 64})
    registry = proto.registry(nodes=(node, wrong), organisations=(), agreements=())
    out = tmp_path / "bundle.pem"
    result = peer_bundle(registry, out, own_node="node-a")
    assert result.pinned == ["node-b"]
    assert any("node-c" in p and "does not pin" in p for p in result.problems)
    assert out.read_text().count("BEGIN CERTIFICATE") == 1
