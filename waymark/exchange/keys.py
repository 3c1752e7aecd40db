"""This node's key material on disk: the envelope keys and the TLS certificate.

``DATA_DIR/keys`` (``WAYMARK_EXCHANGE_KEY_DIR``) holds, once ``node_init`` has run:

- ``node-keys.jwe``  — the Ed25519 signing and X25519 encryption private keys, one JWE encrypted
  under the passphrase (scrypt; ``waymark.core.protocol.keys``). Never in the database.
- ``tls-key.pem``    — the TLS private key (P-256), PKCS#8 PEM encrypted under the passphrase (the
  format ``ssl.load_cert_chain`` reads with a password).
- ``tls-cert.pem``   — the self-signed TLS certificate whose fingerprint the registry pins.
- ``node.json``      — the public descriptor to hand to the registry authority: node id,
  endpoint, organisations, public JWKs, the certificate fingerprint and the message types this
  node implements.

The passphrase comes from ``WAYMARK_EXCHANGE_PASSPHRASE`` or the file named by
``WAYMARK_EXCHANGE_PASSPHRASE_FILE`` (kept outside the key folder, ideally outside backups).
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from waymark.core.protocol.keys import DEFAULT_SCRYPT_N, NodeKeys

from .transport import ClientIdentity, fingerprint_pem

NODE_KEYS_FILE = "node-keys.jwe"
TLS_KEY_FILE = "tls-key.pem"
TLS_CERT_FILE = "tls-cert.pem"
DESCRIPTOR_FILE = "node.json"
TLS_VALIDITY = dt.timedelta(days=825)


class KeysMissing(Exception):
    """The node has no keys yet, or no passphrase to open them: run ``node_init``."""


def key_dir() -> Path:
    return Path(settings.WAYMARK_EXCHANGE_KEY_DIR)


def passphrase() -> str:
    """The key passphrase from the environment or its file; ``KeysMissing`` if neither is set."""
    if settings.WAYMARK_EXCHANGE_PASSPHRASE:
        return str(settings.WAYMARK_EXCHANGE_PASSPHRASE)
    path = settings.WAYMARK_EXCHANGE_PASSPHRASE_FILE
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KeysMissing(f"cannot read the passphrase file {path}: {exc.strerror}") from exc
        if value:
            return value
    raise KeysMissing("set WAYMARK_EXCHANGE_PASSPHRASE or WAYMARK_EXCHANGE_PASSPHRASE_FILE")


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by this user only, replacing any earlier one atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


@dataclass(frozen=True)
class NodeIdentity:
    """What ``node_init`` produced: the public descriptor (node.json) and where files are."""

    descriptor: dict[str, Any]
    directory: Path


def make_tls_material(node_id: str, hosts: list[str], passphrase_value: str) -> tuple[bytes, bytes]:
    """A fresh P-256 key (encrypted PEM) and a self-signed certificate for ``hosts``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, node_id)])
    sans: list[x509.GeneralName] = []
    for host in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + TLS_VALIDITY)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase_value.encode("utf-8")),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def init_node(
    *,
    node_id: str,
    endpoint: str,
    organisations: list[str],
    hosts: list[str],
    directory: Path | None = None,
    force: bool = False,
    scrypt_n: int = DEFAULT_SCRYPT_N,
    message_types: list[str] | None = None,
) -> NodeIdentity:
    """Create this node's keys and TLS material; refuse to overwrite unless ``force``."""
    folder = directory or key_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    if (folder / NODE_KEYS_FILE).exists() and not force:
        raise FileExistsError(f"{folder / NODE_KEYS_FILE} exists; keys are not replaced without --force")
    secret = passphrase()
    keys = NodeKeys.generate()
    _write_private(folder / NODE_KEYS_FILE, keys.export_private(secret, scrypt_n=scrypt_n))
    key_pem, cert_pem = make_tls_material(node_id, hosts, secret)
    _write_private(folder / TLS_KEY_FILE, key_pem)
    (folder / TLS_CERT_FILE).write_bytes(cert_pem)
    # The registry's node entry, field for field (plus the organisations this node hosts).
    descriptor = {
        "node_id": node_id,
        "endpoint": endpoint,
        "signing_jwk": keys.public_signing_jwk(),
        "encryption_jwk": keys.public_encryption_jwk(),
        "tls_cert_sha256": fingerprint_pem(cert_pem),
        "organisations": organisations,
    }
    if message_types is not None:
        descriptor["message_types"] = message_types
    (folder / DESCRIPTOR_FILE).write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    load_node_keys.cache_clear()
    return NodeIdentity(descriptor=descriptor, directory=folder)


@functools.cache
def load_node_keys() -> NodeKeys:
    """This node's private keys, read and decrypted once per process (scrypt is slow on purpose)."""
    path = key_dir() / NODE_KEYS_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeysMissing(f"no node keys at {path}: run `manage.py node_init`") from exc
    return NodeKeys.load_private(data, passphrase())


def read_descriptor() -> dict[str, Any]:
    path = key_dir() / DESCRIPTOR_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise KeysMissing(f"no node descriptor at {path}: run `manage.py node_init`") from exc
    return data


def declare_message_types(message_types: list[str], directory: Path | None = None) -> bool:
    """Make ``node.json`` list ``message_types`` (after an upgrade); True if it changed."""
    path = (directory or key_dir()) / DESCRIPTOR_FILE
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    if descriptor.get("message_types") == message_types:
        return False
    descriptor["message_types"] = message_types
    path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    return True


def client_identity() -> ClientIdentity | None:
    """Our TLS certificate and key for mutual TLS, or None before ``node_init``."""
    folder = key_dir()
    cert, key = folder / TLS_CERT_FILE, folder / TLS_KEY_FILE
    if not (cert.exists() and key.exists()):
        return None
    return ClientIdentity(cert_file=cert, key_file=key, passphrase=passphrase)
