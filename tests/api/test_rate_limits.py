"""Rate limits: each user and each tenant draw from a token bucket; a refused request is a 429
problem with Retry-After and changes nothing; the bucket refills with time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from tests.conftest import TenantHandle, Tokens, make_settings, unique_tenant_id

ME = "/api/v1/me"


@pytest.fixture
def limited(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[TestClient, Platform]]:
    settings = make_settings(tmp_path / "data", rate_limit_user_per_minute=3, rate_limit_tenant_per_minute=5)
    platform = bootstrap(settings, clock=clock)
    with TestClient(create_api(platform), raise_server_exceptions=False) as client:
        yield client, platform


def _tenant(client: TestClient, platform: Platform) -> TenantHandle:
    tokens = Tokens(platform)
    tenant_id = unique_tenant_id()
    created = client.post("/api/v1/tenants", json={"id": tenant_id, "name": "Limited"}, headers=tokens.super_admin())
    assert created.status_code == 201, created.text  # an operator's request: no tenant bucket
    return TenantHandle(tenant_id, tokens)


def test_a_user_over_their_limit_gets_429_with_retry_after_until_the_bucket_refills(
    limited: tuple[TestClient, Platform], clock: ManualClock
) -> None:
    client, platform = limited
    lea = _tenant(client, platform).as_(Role.LEARNER, "lea")
    assert [client.get(ME, headers=lea).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(ME, headers=lea)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["Retry-After"] == "20"  # 3 a minute: a token every 20 s
    assert "at most 3 a minute" in refused.json()["detail"]
    clock.advance(20)
    assert client.get(ME, headers=lea).status_code == 200
    assert client.get(ME, headers=lea).status_code == 429


def test_the_tenants_bucket_is_shared_by_its_users_and_no_one_elses(limited: tuple[TestClient, Platform]) -> None:
    client, platform = limited
    tenant, other = _tenant(client, platform), _tenant(client, platform)
    statuses = [client.get(ME, headers=tenant.as_(Role.LEARNER, f"user-{n}")).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]
    last = client.get(ME, headers=tenant.as_(Role.LEARNER, "user-9"))
    assert last.status_code == 429 and "your organisation" in last.json()["detail"]
    assert client.get(ME, headers=other.as_(Role.LEARNER, "user-0")).status_code == 200


def test_a_refused_write_changes_nothing(limited: tuple[TestClient, Platform]) -> None:
    client, platform = limited
    tenant = _tenant(client, platform)
    author = tenant.as_(Role.INSTRUCTOR, "ian")
    for n in range(3):
        assert client.post("/api/v1/courses", json={"id": f"c{n}", "title": "C"}, headers=author).status_code == 201
    assert client.post("/api/v1/courses", json={"id": "c9", "title": "C"}, headers=author).status_code == 429
    admin = tenant.as_(Role.TENANT_ADMIN, "ada")
    listed = client.get("/api/v1/courses", headers=admin, params={"limit": 50})
    assert listed.status_code == 200
    assert sorted(c["id"] for c in listed.json()["items"]) == ["c0", "c1", "c2"]
