"""A node's keys: two key pairs named by their thumbprints, exported only under a passphrase."""

from __future__ import annotations

import json

import pytest
from jwcrypto.jwk import JWK

from waymark.core.protocol import jose
from waymark.core.protocol.keys import MIN_SCRYPT_N, KeyFileError, NodeKeys

FAST = MIN_SCRYPT_N  # keeps the test quick; production uses DEFAULT_SCRYPT_N


def test_a_node_has_an_ed25519_signing_key_and_an_x25519_encryption_key():
    keys = NodeKeys.generate()

    jwks = keys.public_jwks()["keys"]
    assert [(k["crv"], k["use"], k["alg"]) for k in jwks] == [
        ("Ed25519", "sig", "EdDSA"),
        ("X25519", "enc", "ECDH-ES+A256KW"),
    ]
    assert all("d" not in k for k in jwks)


def test_each_kid_is_the_rfc7638_thumbprint_of_the_public_key():
    keys = NodeKeys.generate()

    for published in keys.public_jwks()["keys"]:
        bare = {name: published[name] for name in ("crv", "kty", "x")}
        assert published["kid"] == JWK(**bare).thumbprint()
    assert keys.signing_kid != keys.encryption_kid


def test_private_keys_round_trip_under_the_passphrase():
    keys = NodeKeys.generate()

    loaded = NodeKeys.load_private(
        keys.export_private("correct horse battery", scrypt_n=FAST), "correct horse battery"
    )

    assert loaded.signing_kid == keys.signing_kid
    assert loaded.encryption_kid == keys.encryption_kid
    token = jose.sign(b"same key", loaded.signing, jose.TYP_MESSAGE)
    assert (
        jose.verify(token, jose.TYP_MESSAGE, lambda kid: JWK(**keys.public_signing_jwk()))[0] == b"same key"
    )


def test_the_export_does_not_show_the_private_keys():
    keys = NodeKeys.generate()
    exported = keys.export_private("passphrase", scrypt_n=FAST)

    assert json.loads(keys.signing.export_private())["d"].encode() not in exported
    assert b"PRIVATE" not in exported


def test_a_wrong_passphrase_is_refused():
    exported = NodeKeys.generate().export_private("passphrase", scrypt_n=FAST)

    with pytest.raises(KeyFileError):
        NodeKeys.load_private(exported, "Passphrase")


def test_a_key_file_with_a_weakened_kdf_is_refused():
    exported = NodeKeys.generate().export_private("passphrase", scrypt_n=FAST).decode()
    head, *rest = exported.split(".")
    header = json.loads(jose.b64url_decode(head))
    header["wm_kdf"]["n"] = 2
    forged = ".".join([jose.b64url_encode(json.dumps(header).encode()), *rest])

    with pytest.raises(KeyFileError):
        NodeKeys.load_private(forged, "passphrase")


def test_an_empty_passphrase_is_not_allowed():
    with pytest.raises(ValueError):
        NodeKeys.generate().export_private("", scrypt_n=FAST)


def test_node_keys_must_be_private_keys_of_the_right_curves():
    public_only = JWK(**NodeKeys.generate().public_signing_jwk())
    with pytest.raises(ValueError):
        NodeKeys(signing=public_only, encryption=JWK.generate(kty="OKP", crv="X25519"))
    with pytest.raises(ValueError):
        NodeKeys(
            signing=JWK.generate(kty="OKP", crv="X25519"), encryption=JWK.generate(kty="OKP", crv="X25519")
        )
