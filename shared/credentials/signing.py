"""The signed credential of a certificate: a compact JWS (EdDSA over Ed25519) anyone can check offline.

The private key is the secret ``certificate-signing-key`` of the secrets port: a PEM (PKCS#8) Ed25519
key, or its raw 32 bytes in base64. The embedded profile generates one on first use; in Azure it
lives in Key Vault (set it before the first certificate, or let the app generate it there: it holds
Key Vault Secrets Officer). The public key is published as a JWK whose ``kid`` is its RFC 7638
thumbprint, so a verifier matches a credential's header to its key without asking anyone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.credentials.model import Jwk
from shared.errors import Unavailable
from shared.platform.runtime import Platform
from shared.platform.secrets import SecretStore, ensure_secret

__all__ = ["ALGORITHM", "SIGNING_KEY_SECRET", "parse_private_key", "public_jwk", "sign_credential"]

SIGNING_KEY_SECRET = "certificate-signing-key"  # noqa: S105 - the name of a secret, not its value
ALGORITHM = "EdDSA"

_keys: dict[int, tuple[SecretStore, Ed25519PrivateKey]] = {}
_keys_lock = threading.Lock()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _generate_pem() -> str:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode()


def parse_private_key(value: str) -> Ed25519PrivateKey:
    """The Ed25519 key a secret holds, as PEM or as the raw 32-byte key in (URL-safe) base64."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise Unavailable("the certificate signing key is not a readable PEM key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise Unavailable("the certificate signing key must be an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Unavailable("the certificate signing key is neither PEM nor base64") from exc
    if len(raw) != 32:
        raise Unavailable("a raw Ed25519 signing key has 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def _private_key(platform: Platform) -> Ed25519PrivateKey:
    """The signing key, read (or generated) once per process: Key Vault is slow, and the lock keeps
    two first certificates of one process from generating two keys."""
    store = platform.secrets
    with _keys_lock:
        cached = _keys.get(id(store))
        if cached is None or cached[0] is not store:
            cached = (store, parse_private_key(ensure_secret(store, SIGNING_KEY_SECRET, _generate_pem)))
            _keys[id(store)] = cached
        return cached[1]


def _jwk_of(public: Ed25519PublicKey) -> Jwk:
    x = _b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # RFC 7638: the SHA-256 of the required members, in lexical order, without whitespace.
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    kid = _b64url(hashlib.sha256(canonical.encode()).digest())
    return Jwk(kty="OKP", crv="Ed25519", x=x, kid=kid, alg="EdDSA", use="sig")


def public_jwk(platform: Platform) -> Jwk:
    """The public key that verifies every credential this platform signs."""
    return _jwk_of(_private_key(platform).public_key())


def sign_credential(platform: Platform, claims: Mapping[str, Any]) -> str:
    """``claims`` as a compact JWS signed with the platform's certificate key, its ``kid`` in the header."""
    key = _private_key(platform)
    headers = {"kid": _jwk_of(key.public_key()).kid, "typ": "JWT"}
    return jwt.encode(dict(claims), key, algorithm=ALGORITHM, headers=headers)
