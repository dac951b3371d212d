"""The cache on Azure Cache for Redis (optional; the in-process cache is the default).

Values are stored as JSON with a jittered expiry, like the in-process cache. A Redis
outage never fails a request: reads miss and writes are skipped, so the caller falls
back to the store.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import redis
from redis.credentials import CredentialProvider

from shared.platform.cache import Cache

__all__ = ["EntraRedisCredentials", "RedisCache", "redis_client"]

REDIS_SCOPE = "https://redis.azure.com/.default"
_REFRESH_MARGIN_SECONDS = 300

log = logging.getLogger("lms.cache")


class RedisCache(Cache):
    def __init__(
        self, client: Any, *, prefix: str = "lms:", jitter: float = 0.1, rng: random.Random | None = None
    ) -> None:
        """``client`` is a ``redis.Redis``."""
        if not 0 <= jitter < 1:
            raise ValueError("jitter is a fraction between 0 and 1")
        self._client = client
        self._prefix = prefix
        self._jitter = jitter
        self._rng = rng or random.Random()  # noqa: S311 - spreading expiries, not security
        self._errors = (redis.RedisError, OSError)

    def get(self, key: str) -> Any | None:
        """The value, or None if absent, expired, or Redis is unreachable."""
        try:
            raw = self._client.get(self._prefix + key)
        except self._errors as exc:
            log.warning("cache read failed", extra={"error": str(exc)})
            return None
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Store for about ``ttl_seconds`` (at least one millisecond)."""
        text = json.dumps(value, allow_nan=False)  # strict JSON, refused before anything is written
        ttl_ms = max(1, int(ttl_seconds * 1000 * (1 + self._rng.uniform(-self._jitter, self._jitter))))
        try:
            self._client.set(self._prefix + key, text, px=ttl_ms)
        except self._errors as exc:
            log.warning("cache write failed", extra={"error": str(exc)})

    def delete(self, key: str) -> None:
        """Forget a key. A failed delete is logged loudly: a stale entry lives until its TTL."""
        try:
            self._client.delete(self._prefix + key)
        except self._errors as exc:
            log.error("cache invalidation failed", extra={"error": str(exc), "key": key})


class EntraRedisCredentials(CredentialProvider):
    """Microsoft Entra ID sign-in for Azure Cache for Redis: the user name is the identity's
    object id and the password a fresh access token (redis-py asks on every new connection)."""

    def __init__(self, credential: Any) -> None:
        self._credential = credential
        self._lock = threading.Lock()
        self._token: Any = None

    def get_credentials(self) -> tuple[str, str]:
        """(object id, access token), renewing the token a few minutes before it expires."""
        with self._lock:
            if self._token is None or self._token.expires_on - _REFRESH_MARGIN_SECONDS < time.time():
                self._token = self._credential.get_token(REDIS_SCOPE)
            token = str(self._token.token)
        return _object_id(token), token


def _object_id(token: str) -> str:
    # The token is ours, fresh from Entra ID; only its oid claim is read, nothing is trusted.
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["oid"])


def redis_client(url: str, credential: Any | None = None) -> Any:
    """A client for ``url`` (``redis://`` locally, ``rediss://host:6380`` on Azure). Without a
    password in the URL, ``credential`` signs in with Entra ID."""
    options: dict[str, Any] = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "health_check_interval": 30}
    if credential is not None and not urlsplit(url).password:
        options["credential_provider"] = EntraRedisCredentials(credential)
    return redis.Redis.from_url(url, **options)
