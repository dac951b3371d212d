"""The cache contract on the Redis adapter, against a local redis-server.

Redis keeps its own clock, so the contract's expiry tests are skipped; the spread of
expiries is checked here from the TTLs Redis reports instead.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from azure.core.credentials import AccessToken

from shared.platform._redis_cache import REDIS_SCOPE, EntraRedisCredentials, RedisCache, redis_client
from tests.contract.cache_suite import JITTER, TTL, CacheContract
from tests.contract.emulators import HOST, free_port, require_system_program, serving


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    program = require_system_program("redis-server", "redis-server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    argv = [program, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)]
    with serving("redis-server", argv, port=port, log=folder / "redis.log"):
        yield f"redis://{HOST}:{port}/0"


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    return redis_client(redis_url)


class TestRedisCache(CacheContract):
    @pytest.fixture
    def cache(self, client: redis.Redis) -> RedisCache:
        return RedisCache(client, jitter=JITTER, rng=random.Random(7))

    @pytest.fixture
    def advance_clock(self) -> None:
        return None  # Redis expires keys on its own clock


def test_entries_set_together_get_expiries_spread_within_the_jitter(client: redis.Redis) -> None:
    cache = RedisCache(client, prefix="spread:", jitter=JITTER)
    for i in range(100):
        cache.set(str(i), i, TTL)
    ttls = [client.pttl(f"spread:{i}") / 1000 for i in range(100)]
    assert all(TTL * (1 - JITTER) - 1 <= ttl <= TTL * (1 + JITTER) for ttl in ttls), ttls
    assert max(ttls) - min(ttls) > TTL * JITTER / 2, "expiries are not spread"


def test_an_entry_is_gone_after_redis_expires_it(client: redis.Redis) -> None:
    cache = RedisCache(client, prefix="short:", jitter=0.0)
    cache.set("k", "v", 0.05)
    time.sleep(0.2)
    assert cache.get("k") is None


def test_a_bucket_refills_on_redis_s_clock_and_expires_once_full(client: redis.Redis) -> None:
    cache = RedisCache(client, prefix="bucket:")
    assert cache.take("b", 1, 20.0) == 0.0
    assert cache.take("b", 1, 20.0) > 0
    time.sleep(0.2)  # four tokens' worth at 20 a second; the bucket holds one
    assert cache.take("b", 1, 20.0) == 0.0
    assert 0 < client.pttl("bucket:b") <= 1100  # gone once it would be full again (plus a second)


def test_caches_with_different_prefixes_do_not_see_each_others_keys(client: redis.Redis) -> None:
    RedisCache(client, prefix="a:").set("k", "from a", TTL)
    assert RedisCache(client, prefix="b:").get("k") is None
    assert RedisCache(client, prefix="a:").get("k") == "from a"


def test_an_unreachable_redis_never_fails_a_request(caplog: pytest.LogCaptureFixture) -> None:
    cache = RedisCache(redis_client(f"redis://{HOST}:{free_port()}/0"))
    with caplog.at_level(logging.WARNING, logger="lms.cache"):
        assert cache.get("k") is None
        cache.set("k", "v", TTL)
        cache.delete("k")
        assert cache.take("k", 1, 1.0) == 0.0  # a rate limit never takes the API down with the cache
    assert {r.getMessage() for r in caplog.records} >= {"cache read failed", "cache write failed"}
    assert any(r.levelno == logging.ERROR and r.getMessage() == "cache invalidation failed" for r in caplog.records)


def token_for(oid: str, expires_in: int) -> AccessToken:
    claims = base64.urlsafe_b64encode(json.dumps({"oid": oid}).encode()).decode().rstrip("=")
    return AccessToken(f"eyJhbGciOiJub25lIn0.{claims}.sig", int(time.time()) + expires_in)


class CountingCredential:
    def __init__(self, expires_in: int) -> None:
        self.expires_in = expires_in
        self.calls: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        return token_for("00000000-0000-0000-0000-0000000000aa", self.expires_in)


def test_entra_sign_in_uses_the_object_id_as_user_and_reuses_a_fresh_token() -> None:
    credential = CountingCredential(expires_in=3600)
    provider = EntraRedisCredentials(credential)
    user, password = provider.get_credentials()
    provider.get_credentials()
    assert user == "00000000-0000-0000-0000-0000000000aa"
    assert password.startswith("eyJ")
    assert credential.calls == [(REDIS_SCOPE,)]


def test_entra_sign_in_renews_a_token_close_to_expiry() -> None:
    credential = CountingCredential(expires_in=60)
    provider = EntraRedisCredentials(credential)
    provider.get_credentials()
    provider.get_credentials()
    assert len(credential.calls) == 2


def test_a_url_with_a_password_does_not_use_entra_sign_in() -> None:
    credential = CountingCredential(expires_in=3600)
    with_password = redis_client("rediss://:key@cache.example:6380/0", credential)
    without = redis_client("rediss://cache.example:6380/0", credential)
    assert with_password.connection_pool.connection_kwargs.get("credential_provider") is None
    assert isinstance(without.connection_pool.connection_kwargs["credential_provider"], EntraRedisCredentials)


def test_entra_sign_in_is_accepted_by_a_server_that_requires_that_user(tmp_path: Path) -> None:
    program = require_system_program("redis-server", "redis-server")
    port = free_port()
    credential = CountingCredential(expires_in=3600)
    token = credential.get_token(REDIS_SCOPE).token
    acl = f"user default off\nuser 00000000-0000-0000-0000-0000000000aa on >{token} ~* +@all\n"
    (tmp_path / "users.acl").write_text(acl)
    argv = [program, "--bind", HOST, "--port", str(port), "--save", "", "--aclfile", str(tmp_path / "users.acl")]
    with serving("redis-server", argv, port=port, log=tmp_path / "redis.log"):
        cache = RedisCache(redis_client(f"redis://{HOST}:{port}/0", credential))
        cache.set("k", {"signed": "in"}, TTL)
        assert cache.get("k") == {"signed": "in"}
