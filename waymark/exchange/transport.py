"""Carrying an envelope to a peer's inbox and its receipt back: HTTPS with mutual TLS, pinned.

The transport moves bytes; it decides nothing about them. Envelope crypto (sign, then encrypt)
is always on, so even the loopback-only plain-HTTP mode of the local demo network carries only
sealed envelopes. That mode needs ``WAYMARK_EXCHANGE_ALLOW_HTTP`` and refuses any host but
127.0.0.1 / ::1 / localhost.

Pinning: the peer's certificate is not checked against any CA; after the handshake its SHA-256
fingerprint must equal the one the signed registry lists for that node. Our own certificate
(self-signed, made by ``node_init``) is presented for the peer to pin in turn.
"""

from __future__ import annotations

import hashlib
import http.client
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

CONTENT_TYPE = "application/jose"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# A receipt is a few hundred bytes; anything much larger is not one.
MAX_RECEIPT_BYTES = 64 * 1024


class TransportError(Exception):
    """The envelope may or may not have arrived; no receipt came back. Retry later."""


class TransportRefused(Exception):
    """This node will not send to that peer the way it is configured (never retried as-is):
    plain HTTP without the development flag, a non-loopback plain-HTTP address, no pin."""


@dataclass(frozen=True)
class Peer:
    """Where a node's inbox is and the TLS certificate fingerprint (hex SHA-256) to expect."""

    node_id: str
    endpoint: str
    tls_fingerprint: str = ""


class Transport(Protocol):
    def send(self, peer: Peer, envelope: bytes) -> bytes:
        """POST ``envelope`` to the peer's inbox; return the receipt bytes or raise."""
        ...


def fingerprint_der(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def fingerprint_pem(pem: bytes) -> str:
    return fingerprint_der(ssl.PEM_cert_to_DER_cert(pem.decode("ascii")))


@dataclass(frozen=True)
class ClientIdentity:
    """Our certificate and its (encrypted) key, presented to peers for mutual TLS."""

    cert_file: Path
    key_file: Path
    passphrase: Callable[[], str]


class HttpTransport:
    """``http.client`` over TLS 1.2+ with our client certificate and the peer's pinned one.

    Connections are kept alive, one per peer per thread; the pin is checked on each new one."""

    def __init__(self, *, identity: ClientIdentity | None, allow_http: bool, timeout: float = 15.0) -> None:
        self.identity = identity
        self.allow_http = allow_http
        self.timeout = timeout
        self._context: ssl.SSLContext | None = None
        self._local = threading.local()

    def _tls_context(self) -> ssl.SSLContext:
        if self._context is None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            # No CA: the peer is authenticated by its pinned fingerprint, checked after the
            # handshake in ``send`` before a single byte of the envelope is written.
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            if self.identity is not None:
                ctx.load_cert_chain(
                    self.identity.cert_file, self.identity.key_file, password=self.identity.passphrase
                )
            self._context = ctx
        return self._context

    def _connection(self, peer: Peer) -> http.client.HTTPConnection:
        url = urlsplit(peer.endpoint)
        host = url.hostname or ""
        if url.scheme == "https":
            if not peer.tls_fingerprint:
                raise TransportRefused(f"the registry gives no TLS fingerprint for {peer.node_id}")
            if self.identity is None:
                raise TransportRefused("this node has no TLS certificate (run node_init)")
            return http.client.HTTPSConnection(
                host, url.port or 443, timeout=self.timeout, context=self._tls_context()
            )
        if url.scheme == "http":
            if not self.allow_http:
                raise TransportRefused(
                    f"{peer.node_id} has a plain-HTTP endpoint; set WAYMARK_EXCHANGE_ALLOW_HTTP "
                    "(loopback development only) or give it an https endpoint"
                )
            if host not in LOOPBACK_HOSTS:
                raise TransportRefused(f"plain HTTP is allowed on loopback only, not to {host!r}")
            return http.client.HTTPConnection(host, url.port or 80, timeout=self.timeout)
        raise TransportRefused(f"unsupported endpoint scheme {url.scheme!r} for {peer.node_id}")

    def _open(self, peer: Peer) -> http.client.HTTPConnection:
        """A new connection to ``peer``, connected and (for HTTPS) checked against the pin."""
        conn = self._connection(peer)
        try:
            conn.connect()
            if isinstance(conn, http.client.HTTPSConnection):
                der = conn.sock.getpeercert(binary_form=True) if conn.sock else None
                if not der or fingerprint_der(der) != peer.tls_fingerprint.lower():
                    raise TransportError(f"{peer.node_id} presented a certificate the registry does not pin")
        except BaseException:
            conn.close()
            raise
        return conn

    def _pool(self) -> dict[Peer, http.client.HTTPConnection]:
        pool: dict[Peer, http.client.HTTPConnection] | None = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        return pool

    def close(self) -> None:
        """Close this thread's open connections."""
        pool = self._pool()
        for conn in pool.values():
            conn.close()
        pool.clear()

    def send(self, peer: Peer, envelope: bytes) -> bytes:
        # The registry's endpoint is the inbox URL itself (…/exchange/inbox).
        path = urlsplit(peer.endpoint).path or "/"
        pool = self._pool()
        # Keep-alive: each thread keeps one connection per peer (the ``Peer`` includes the
        # endpoint and the pinned fingerprint, so a registry change opens a new, checked one).
        conn = pool.pop(peer, None)
        reused = conn is not None
        try:
            if conn is None:
                conn = self._open(peer)
            try:
                response, data = self._post(conn, path, envelope)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if not reused:
                    raise
                # The peer closed an idle kept-alive connection: once more on a new one. (If it
                # had applied the message, its inbox answers a re-send with the same receipt.)
                conn.close()
                conn = self._open(peer)
                response, data = self._post(conn, path, envelope)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            if conn is not None:
                conn.close()
            raise TransportError(f"{peer.node_id}: {type(exc).__name__}: {exc}") from exc
        if response.will_close or len(data) > MAX_RECEIPT_BYTES or not response.isclosed():
            conn.close()
        else:
            pool[peer] = conn
        if response.status != 200:
            raise TransportError(f"{peer.node_id} answered HTTP {response.status}")
        if len(data) > MAX_RECEIPT_BYTES:
            raise TransportError(f"{peer.node_id} answered with an oversized receipt")
        return data

    @staticmethod
    def _post(
        conn: http.client.HTTPConnection, path: str, envelope: bytes
    ) -> tuple[http.client.HTTPResponse, bytes]:
        conn.request(
            "POST",
            path,
            body=envelope,
            headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE},
        )
        response = conn.getresponse()
        return response, response.read(MAX_RECEIPT_BYTES + 1)
