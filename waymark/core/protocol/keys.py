"""A node's two key pairs: Ed25519 to sign what it sends, X25519 to receive encrypted envelopes.

Two keys, not one, because signing and key agreement are different jobs (RFC 8037 keeps the
curves apart) and can be rotated separately. Every key's ``kid`` is its RFC 7638 thumbprint,
so a kid names exactly one key and anyone can recompute it from the public JWK.

The private export is one compact JWE (``dir`` + ``A256GCM``) whose key comes from the
passphrase through scrypt; the scrypt parameters and salt sit in the protected header, which
AES-GCM authenticates. We do not use PEM PKCS#8 (``BestAvailableEncryption`` uses 2,048 PBKDF2
rounds) nor JWE PBES2 (jwcrypto caps it at 16,384 rounds): both are cheap to brute-force.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from jwcrypto.jwe import JWE
from jwcrypto.jwk import JWK

from waymark.core.protocol.jose import (
    KEY_ALG,
    SIGNATURE_ALG,
    JoseError,
    b64url_decode,
    b64url_encode,
    is_ed25519,
    is_x25519,
    protected_header,
    split_compact,
    strict_json,
)

PRIVATE_EXPORT_CTY = "waymark-node-keys+json"
# scrypt cost: 2**17 * 8 * 128 B = 128 MiB and ~0.3 s per try, once at start-up (RFC 7914 advice).
DEFAULT_SCRYPT_N = 2**17
MIN_SCRYPT_N = 2**14  # tests may go this low; below it a file is refused
MAX_SCRYPT_N = 2**20  # a hostile file must not make us allocate gigabytes


class KeyFileError(Exception):
    """A private key export could not be read: wrong passphrase, tampered or not ours."""


def _with_kid(key: JWK) -> JWK:
    key["kid"] = key.thumbprint()
    return key


def public_jwk(key: JWK) -> JWK:
    """The public half of ``key`` with its ``kid``."""
    public = JWK.from_json(key.export_public())
    return _with_kid(public)


def thumbprint(jwk_dict: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of a JWK given as a dict."""
    return str(JWK(**jwk_dict).thumbprint())


@dataclass(frozen=True)
class NodeKeys:
    """A node's private keys. ``signing``: Ed25519; ``encryption``: X25519. Both carry their kid."""

    signing: JWK
    encryption: JWK

    def __post_init__(self) -> None:
        if not (is_ed25519(self.signing) and self.signing.has_private):
            raise ValueError("signing must be a private Ed25519 JWK")
        if not (is_x25519(self.encryption) and self.encryption.has_private):
            raise ValueError("encryption must be a private X25519 JWK")
        _with_kid(self.signing)
        _with_kid(self.encryption)

    @classmethod
    def generate(cls) -> NodeKeys:
        return cls(
            signing=JWK.generate(kty="OKP", crv="Ed25519"),
            encryption=JWK.generate(kty="OKP", crv="X25519"),
        )

    @property
    def signing_kid(self) -> str:
        return str(self.signing["kid"])

    @property
    def encryption_kid(self) -> str:
        return str(self.encryption["kid"])

    def public_signing_jwk(self) -> dict[str, Any]:
        """The public signing key as a JWK dict, as it goes into the registry."""
        out: dict[str, Any] = json.loads(public_jwk(self.signing).export_public())
        out.update(use="sig", alg=SIGNATURE_ALG)
        return out

    def public_encryption_jwk(self) -> dict[str, Any]:
        """The public encryption key as a JWK dict, as it goes into the registry."""
        out: dict[str, Any] = json.loads(public_jwk(self.encryption).export_public())
        out.update(use="enc", alg=KEY_ALG)
        return out

    def public_jwks(self) -> dict[str, Any]:
        """Both public keys as a JWK Set (RFC 7517 §5)."""
        return {"keys": [self.public_signing_jwk(), self.public_encryption_jwk()]}

    def export_private(self, passphrase: str | bytes, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> bytes:
        """Both private keys, encrypted under ``passphrase``, as one compact JWE (ASCII bytes)."""
        if not MIN_SCRYPT_N <= scrypt_n <= MAX_SCRYPT_N:
            raise ValueError(f"scrypt_n must be between {MIN_SCRYPT_N} and {MAX_SCRYPT_N}")
        salt = os.urandom(16)
        kdf = {"name": "scrypt", "salt": b64url_encode(salt), "n": scrypt_n, "r": 8, "p": 1}
        cek = _derive(passphrase, kdf)
        plaintext = json.dumps(
            {
                "signing": json.loads(self.signing.export_private()),
                "encryption": json.loads(self.encryption.export_private()),
            }
        ).encode("utf-8")
        token = JWE(
            plaintext,
            protected=json.dumps({"alg": "dir", "enc": "A256GCM", "cty": PRIVATE_EXPORT_CTY, "wm_kdf": kdf}),
        )
        token.add_recipient(cek)
        return str(token.serialize(compact=True)).encode("ascii")

    @classmethod
    def load_private(cls, data: bytes | str, passphrase: str | bytes) -> NodeKeys:
        """Read what ``export_private`` wrote. Raises KeyFileError on any problem."""
        try:
            token = data.decode("ascii").strip() if isinstance(data, bytes) else data.strip()
            header = protected_header(split_compact(token, 5)[0])
            if header.get("alg") != "dir" or header.get("enc") != "A256GCM":
                raise KeyFileError("not a Waymark key file (unexpected algorithms)")
            if header.get("cty") != PRIVATE_EXPORT_CTY:
                raise KeyFileError("not a Waymark key file")
            cek = _derive(passphrase, header.get("wm_kdf"))
            reader = JWE(algs=["dir", "A256GCM"])
            reader.deserialize(token, key=cek)
            keys = strict_json(reader.payload)
            return cls(signing=JWK(**keys["signing"]), encryption=JWK(**keys["encryption"]))
        except KeyFileError:
            raise
        except (JoseError, UnicodeDecodeError) as exc:
            raise KeyFileError("not a Waymark key file") from exc
        except Exception as exc:  # jwcrypto's decryption failures: wrong passphrase or tampered
            raise KeyFileError("wrong passphrase, or the key file was altered") from exc


def _derive(passphrase: str | bytes, kdf: Any) -> JWK:
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    if not passphrase:
        raise ValueError("an empty passphrase protects nothing")
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise KeyFileError("unknown key derivation")
    n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
    if not (isinstance(n, int) and MIN_SCRYPT_N <= n <= MAX_SCRYPT_N and n & (n - 1) == 0):
        raise KeyFileError("scrypt n out of bounds")
    if r != 8 or p != 1:
        raise KeyFileError("scrypt r/p out of bounds")
    salt = b64url_decode(str(kdf.get("salt", "")))
    if len(salt) < 16:
        raise KeyFileError("salt too short")
    raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)
    return JWK(kty="oct", k=b64url_encode(raw))
