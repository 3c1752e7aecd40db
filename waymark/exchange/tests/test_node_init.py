"""node_init: keys encrypted on disk under the passphrase, a TLS certificate, a public descriptor."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from waymark.core.protocol.keys import MIN_SCRYPT_N, KeyFileError, NodeKeys
from waymark.exchange import keys
from waymark.exchange.threads import declared_types, implemented_types
from waymark.exchange.transport import fingerprint_pem


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.WAYMARK_EXCHANGE_KEY_DIR = tmp_path / "keys"
    settings.WAYMARK_EXCHANGE_PASSPHRASE = "fictional passphrase for tests"
    settings.WAYMARK_NODE_ID = "node-xx"
    keys.load_node_keys.cache_clear()
    yield tmp_path / "keys"
    keys.load_node_keys.cache_clear()


def init(*extra):
    call_command(
        "node_init",
        "--endpoint",
        "https://node-xx.example/exchange/inbox",
        "--org",
        "xx-org",
        "--scrypt-n",
        str(MIN_SCRYPT_N),
        *extra,
        stdout=io.StringIO(),
    )


def test_it_writes_encrypted_keys_a_certificate_and_a_descriptor(key_dir):
    init()
    descriptor = json.loads((key_dir / "node.json").read_text())
    node_keys = keys.load_node_keys()
    assert descriptor["node_id"] == "node-xx"
    assert descriptor["signing_jwk"]["kid"] == node_keys.signing_kid
    assert descriptor["encryption_jwk"]["kid"] == node_keys.encryption_kid
    assert "d" not in descriptor["signing_jwk"]
    secret = (key_dir / "node-keys.jwe").read_text()
    private_d = json.loads(node_keys.signing.export_private())["d"]
    assert private_d not in secret  # encrypted, not merely encoded
    assert stat.S_IMODE((key_dir / "node-keys.jwe").stat().st_mode) == 0o600
    assert stat.S_IMODE((key_dir / "tls-key.pem").stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in (key_dir / "tls-key.pem").read_bytes()
    assert descriptor["tls_cert_sha256"] == fingerprint_pem((key_dir / "tls-cert.pem").read_bytes())


def test_the_keys_do_not_open_with_another_passphrase(key_dir):
    init()
    with pytest.raises(KeyFileError):
        NodeKeys.load_private((key_dir / "node-keys.jwe").read_bytes(), "another passphrase")


def test_existing_keys_are_never_replaced_silently(key_dir):
    init()
    before = (key_dir / "node-keys.jwe").read_bytes()
    with pytest.raises(CommandError, match="force"):
        init()
    init("--if-missing")
    assert (key_dir / "node-keys.jwe").read_bytes() == before


def test_without_a_passphrase_nothing_is_written(key_dir, settings):
    settings.WAYMARK_EXCHANGE_PASSPHRASE = ""
    with pytest.raises(CommandError, match="PASSPHRASE"):
        init()
    assert not (key_dir / "node-keys.jwe").exists()


def test_the_descriptor_lists_the_message_types_this_node_implements(key_dir):
    init()
    descriptor = json.loads((key_dir / "node.json").read_text())
    assert descriptor["message_types"] == sorted(t.value for t in implemented_types())


def test_after_an_upgrade_if_missing_brings_the_list_up_to_date_and_keeps_the_keys(key_dir):
    init()
    # A descriptor written by a version that did not list its types.
    descriptor = json.loads((key_dir / "node.json").read_text())
    del descriptor["message_types"]
    (key_dir / "node.json").write_text(json.dumps(descriptor))
    before = (key_dir / "node-keys.jwe").read_bytes()

    init("--if-missing")

    assert json.loads((key_dir / "node.json").read_text())["message_types"] == declared_types()
    assert (key_dir / "node-keys.jwe").read_bytes() == before
