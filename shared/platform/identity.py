"""Bearer tokens: validation for any RS256 issuer, and the local dev issuer.

``TokenValidator`` checks signature, issuer, audience and expiry. Its keys come from a
``KeyResolver``: the dev issuer's public key on the embedded profile, or the issuer's
JWKS document (Entra ID / External ID) when ``LMS_AUTH_JWKS_URL`` is set.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.errors import Unauthorized
from shared.platform.clock import Clock, SystemClock
from shared.roles import Role, parse_roles

__all__ = ["DevIssuer", "JwksKeys", "Principal", "StaticKeys", "TokenValidator"]

ALGORITHMS = ["RS256"]
MAX_TOKEN_LENGTH = 8192
# Validated tokens remembered (by their SHA-256) until they expire, so a caller's every request
# does not pay an RSA verification; the least recently used goes first beyond this many.
TOKEN_CACHE_ENTRIES = 10_000


@dataclass(frozen=True)
class Principal:
    """Who a validated token says the caller is."""

    user_id: str
    tenant_id: str | None
    roles: frozenset[Role]


class KeyResolver(Protocol):
    def key_for(self, token: str) -> Any:
        """The public key that should have signed ``token``."""
        ...


class StaticKeys:
    """One known public key (the local dev issuer's)."""

    def __init__(self, public_key: Any) -> None:
        self._key = public_key

    def key_for(self, token: str) -> Any:
        return self._key


class JwksKeys:
    """Keys from an issuer's JWKS URL, cached and refreshed on an unknown ``kid``."""

    def __init__(self, jwks_url: str) -> None:
        self._client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600)

    def key_for(self, token: str) -> Any:
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.exceptions.PyJWKClientError as exc:
            raise Unauthorized("the token's signing key is not known") from exc


class TokenValidator:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: KeyResolver,
        tenant_claim: str = "tenant",
        roles_claim: str = "roles",
        leeway_seconds: int = 30,
        clock: Clock | None = None,
        extra_issuers: Sequence[str] = (),
        extra_audiences: Sequence[str] = (),
        user_claim: str = "sub",
        tenant_directories: Mapping[str, str] | None = None,
        cache_entries: int = TOKEN_CACHE_ENTRIES,
    ) -> None:
        self._issuers = (issuer, *extra_issuers)
        self._audiences = (audience, *extra_audiences)
        self._user_claim = user_claim
        self._directories = dict(tenant_directories or {})
        self._keys = keys
        self._tenant_claim = tenant_claim
        self._roles_claim = roles_claim
        self._leeway = leeway_seconds
        self._clock = clock or SystemClock()
        self._cache_entries = cache_entries
        self._validated: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, token: str) -> Principal | None:
        """The principal of ``token`` if it was validated before and has not expired since; None
        otherwise (then ``validate`` decides). No key lookup, no I/O: cheap enough for the event loop.
        A token's claims never change, so what it says stays true until it expires; what the tenant
        has since changed (roles, a disabled user) is decided after this, on every request."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key = hashlib.sha256(token.encode()).digest()
        with self._lock:
            entry = self._validated.get(key)
            if entry is None:
                return None
            if self._clock.now().timestamp() > entry[0]:
                del self._validated[key]
                return None
            self._validated.move_to_end(key)
            return entry[1]

    def validate(self, token: str) -> Principal:
        """The principal of a valid token; ``Unauthorized`` for anything else."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthorized("a bearer token is required")
        known = self.cached(token)
        if known is not None:
            return known
        try:
            claims = jwt.decode(
                token,
                key=self._keys.key_for(token),
                algorithms=ALGORITHMS,
                audience=list(self._audiences),
                issuer=self._issuers,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized("the token is not valid") from exc
        self._check_lifetime(claims)
        principal = self._principal(claims)
        self._remember(token, float(claims["exp"]) + self._leeway, principal)
        return principal

    def _remember(self, token: str, until: float, principal: Principal) -> None:
        if self._cache_entries <= 0:
            return
        key = hashlib.sha256(token.encode()).digest()
        with self._lock:
            self._validated[key] = (until, principal)
            self._validated.move_to_end(key)
            while len(self._validated) > self._cache_entries:
                self._validated.popitem(last=False)

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        # Expiry is checked against the injected clock so tests can move time.
        now = self._clock.now().timestamp()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
            raise Unauthorized("the token is not valid")
        if now > exp + self._leeway:
            raise Unauthorized("the token has expired")
        if iat > now + self._leeway:
            raise Unauthorized("the token is not valid yet")

    def _principal(self, claims: dict[str, Any]) -> Principal:
        sub = claims.get(self._user_claim)
        tenant = claims.get(self._tenant_claim)
        if tenant is None and isinstance(claims.get("tid"), str):
            tenant = self._directories.get(claims["tid"])  # an Entra directory mapped to a platform tenant
        raw_roles = claims.get(self._roles_claim, [])
        if not isinstance(sub, str) or not sub or (tenant is not None and not isinstance(tenant, str)):
            raise Unauthorized("the token is not valid")
        if not isinstance(raw_roles, list):
            raise Unauthorized("the token is not valid")
        roles = parse_roles(r for r in raw_roles if isinstance(r, str))
        if tenant is None and roles != {Role.SUPER_ADMIN}:
            raise Unauthorized("the token names no tenant")
        return Principal(user_id=sub, tenant_id=tenant or None, roles=roles)


class DevIssuer:
    """The embedded profile's token issuer. Its RSA key is generated on first use and
    kept in the local data folder (never in git)."""

    KEY_FILE = "dev-issuer-key.pem"

    def __init__(self, key_dir: Path, *, issuer: str, audience: str, clock: Clock | None = None) -> None:
        self._key_path = key_dir / self.KEY_FILE
        self._issuer = issuer
        self._audience = audience
        self._clock = clock or SystemClock()
        self._private_key = self._load_or_create()

    def _load_or_create(self) -> rsa.RSAPrivateKey:
        if self._key_path.is_file():
            key = serialization.load_pem_private_key(self._key_path.read_bytes(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise RuntimeError(f"{self._key_path} does not hold an RSA key")
            return key
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._key_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._key_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.replace(tmp, self._key_path)
        return key

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self._private_key.public_key()

    def issue(
        self,
        *,
        user_id: str,
        tenant_id: str | None,
        roles: Iterable[Role | str],
        ttl_seconds: int = 3600,
        audience: str | None = None,
    ) -> str:
        """A signed bearer token for a local user."""
        now = int(self._clock.now().timestamp())
        claims: dict[str, Any] = {
            "iss": self._issuer,
            "aud": audience or self._audience,
            "sub": user_id,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "roles": sorted(str(r) for r in roles),
        }
        if tenant_id is not None:
            claims["tenant"] = tenant_id
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": "dev"})
