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


# A token bucket as one atomic step on the server (so it holds across every instance): the bucket is
# a hash of tokens and the time they were counted, refilled by the time passed, in Redis's own clock;
# it expires once it would be full again. Returns 0 when a token was taken, else the wait in ms.
_TAKE = """
local capacity, rate = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]) or capacity, tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
return wait
"""


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
        self._take = client.register_script(_TAKE)

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

    def take(self, key: str, capacity: float, per_second: float) -> float:
        """One token from a bucket shared by every instance. Redis unreachable: the request is let
        through (logged), since a cache outage must not take the API down with it."""
        try:
            wait_ms = self._take(keys=[self._prefix + key], args=[capacity, per_second])
        except self._errors as exc:
            log.warning("rate limit check failed", extra={"error": str(exc)})
            return 0.0
        return float(wait_ms) / 1000


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
