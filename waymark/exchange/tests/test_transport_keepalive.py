"""The transport keeps one connection per peer alive, and recovers when the peer closed it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from waymark.exchange.transport import HttpTransport, Peer, TransportError


class _Inbox(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    connections: list[tuple[str, int]] = []
    sockets: list[socket.socket] = []
    close_after_reply = False

    def setup(self) -> None:
        super().setup()
        type(self).connections.append(self.client_address)
        type(self).sockets.append(self.connection)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = b"receipt for " + body
        self.send_response(200)
        self.send_header("Content-Type", "application/jose")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
        if type(self).close_after_reply:
            # As a server whose keep-alive timeout ran out: close without saying so.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def inbox() -> Iterator[tuple[ThreadingHTTPServer, Peer]]:
    _Inbox.connections = []
    _Inbox.sockets = []
    _Inbox.close_after_reply = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Inbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    peer = Peer(node_id="node-fr", endpoint=f"http://127.0.0.1:{server.server_port}/exchange/inbox")
    yield server, peer
    server.shutdown()
    server.server_close()


def test_sends_reuse_one_connection(inbox: tuple[ThreadingHTTPServer, Peer]) -> None:
    _, peer = inbox
    transport = HttpTransport(identity=None, allow_http=True, timeout=5)
    for n in range(5):
        assert transport.send(peer, f"envelope {n}".encode()) == f"receipt for envelope {n}".encode()
    assert len(_Inbox.connections) == 1
    transport.close()


def test_a_connection_the_peer_closed_is_replaced(inbox: tuple[ThreadingHTTPServer, Peer]) -> None:
    _, peer = inbox
    _Inbox.close_after_reply = True
    transport = HttpTransport(identity=None, allow_http=True, timeout=5)
    for n in range(3):
        assert transport.send(peer, f"envelope {n}".encode()) == f"receipt for envelope {n}".encode()
    assert len(_Inbox.connections) == 3


def test_a_peer_that_went_away_is_a_transport_error(inbox: tuple[ThreadingHTTPServer, Peer]) -> None:
    server, peer = inbox
    transport = HttpTransport(identity=None, allow_http=True, timeout=5)
    assert transport.send(peer, b"envelope") == b"receipt for envelope"
    # The peer stops: no listener, and its open connections are cut.
    server.shutdown()
    server.server_close()
    for sock in _Inbox.sockets:
        sock.shutdown(socket.SHUT_RDWR)
    with pytest.raises(TransportError):
        transport.send(peer, b"envelope again")
