"""Shared fixtures: an embedded platform in a temporary folder, the app, tokens, factories."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.settings import Settings

_tenant_numbers = itertools.count(1)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    # The tests' clock stands still, so a bucket never refills: rate limits are off but where a test
    # turns them on (tests/api/test_rate_limits.py).
    limits = {"rate_limit_user_per_minute": 0, "rate_limit_tenant_per_minute": 0}
    return Settings(data_dir=data_dir, **{**limits, **overrides})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def platform(tmp_path: Path, clock: ManualClock) -> Platform:
    return bootstrap(make_settings(tmp_path / "data"), clock=clock)


WITNESS_SUBSCRIPTION = "witness"


def witnessed_platform(data_dir: Path, clock: ManualClock) -> Platform:
    """A platform whose events topic also has a ``witness`` subscription that no consumer reads and
    no filter narrows: it shows everything the topic received (every real subscription receives only
    the event types its consumer handles)."""
    from shared.bootstrap import bus_topology
    from shared.platform._sqlite_bus import SqliteMessageBus
    from shared.platform.bus import BusTopology, EntityOptions

    real = bus_topology()
    topics = {topic: {**subs, WITNESS_SUBSCRIPTION: EntityOptions()} for topic, subs in real.topics.items()}
    data_dir.mkdir(parents=True, exist_ok=True)
    bus = SqliteMessageBus(data_dir / "bus.sqlite3", BusTopology(queues=real.queues, topics=topics), clock=clock)
    return bootstrap(make_settings(data_dir), clock=clock, bus=bus)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_api(platform), raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Tokens:
    platform: Platform

    def __call__(
        self, tenant: str | None, user: str, *roles: Role | str, ttl: int = 3600, audience: str | None = None
    ) -> dict[str, str]:
        issuer = self.platform.dev_issuer
        assert issuer is not None
        token = issuer.issue(user_id=user, tenant_id=tenant, roles=roles, ttl_seconds=ttl, audience=audience)
        return {"Authorization": f"Bearer {token}"}

    def super_admin(self) -> dict[str, str]:
        return self(None, "operator", Role.SUPER_ADMIN)


@pytest.fixture
def tokens(platform: Platform) -> Tokens:
    return Tokens(platform)


def unique_tenant_id(prefix: str = "t") -> str:
    return f"{prefix}{next(_tenant_numbers):04d}-{datetime.now(UTC).strftime('%H%M%S%f')}"


@dataclass
class TenantHandle:
    """A tenant made for one test, with an admin and helpers to act inside it."""

    id: str
    tokens: Tokens

    def as_(self, role: Role | str, user: str | None = None) -> dict[str, str]:
        return self.tokens(self.id, user or f"{Role(role).value.lower()}-1", role)


@pytest.fixture
def make_tenant(client: TestClient, tokens: Tokens) -> Callable[..., TenantHandle]:
    """Create a tenant through the API as a SuperAdmin; each call makes a new one."""

    def make(**overrides: Any) -> TenantHandle:
        body = {"id": unique_tenant_id(), "name": "Test Academy", **overrides}
        response = client.post("/api/v1/tenants", json=body, headers=tokens.super_admin())
        assert response.status_code == 201, response.text
        return TenantHandle(body["id"], tokens)

    return make


@pytest.fixture
def make_user(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Create a user through the API as the tenant's admin."""
    counter = itertools.count(1)

    def make(tenant: TenantHandle, **overrides: Any) -> dict[str, Any]:
        n = next(counter)
        body = {
            "email": f"user{n}@example.com",
            "displayName": f"User {n}",
            "roles": ["Learner"],
            **overrides,
        }
        response = client.post("/api/v1/users", json=body, headers=tenant.as_(Role.TENANT_ADMIN))
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make
