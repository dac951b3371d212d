"""The edge admits a request in at most one thread-pool hop, and its caches change no decision:
a revoked role, a disabled user or a suspended tenant is refused with the very token that was
admitted (and cached) a moment before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from shared.errors import Forbidden
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.tenancy import service as tenancy


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function the app hands to the thread pool."""
    seen: list[str] = []
    real = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return seen


def test_a_learners_catalog_read_takes_one_thread_pool_hop_once_admitted(
    client: TestClient, make_tenant: Any, hops: list[str]
) -> None:
    tenant = make_tenant()
    learner = tenant.as_(Role.LEARNER)
    assert client.get("/api/v1/courses", headers=learner).status_code == 200  # token, tenant, roles now known
    hops.clear()
    for _ in range(3):
        assert client.get("/api/v1/courses", headers=learner).status_code == 200
    assert len(hops) == 3  # the route itself, nothing else


def test_a_first_request_validates_and_resolves_in_one_hop_before_the_route(
    client: TestClient, make_tenant: Any, hops: list[str]
) -> None:
    tenant = make_tenant()
    client.get("/api/v1/me", headers=tenant.as_(Role.INSTRUCTOR))  # the tenant is in the cache now
    hops.clear()
    assert client.get("/api/v1/me", headers=tenant.as_(Role.LEARNER, "new-learner")).status_code == 200
    assert len(hops) == 2  # validation and tenant context together, then the route


def test_a_revoked_role_is_refused_with_the_token_admitted_a_moment_before(
    client: TestClient, make_tenant: Any, make_user: Any
) -> None:
    tenant = make_tenant()
    make_user(tenant, id="gail", roles=["TenantAdmin", "Learner"])
    make_user(tenant, id="hal", roles=["TenantAdmin"])
    gail = tenant.tokens(tenant.id, "gail", Role.TENANT_ADMIN)
    for _ in range(2):
        assert client.get("/api/v1/users", headers=gail).status_code == 200
    demoted = client.patch("/api/v1/users/gail", json={"roles": ["Learner"]}, headers=tenant.as_(Role.TENANT_ADMIN))
    assert demoted.status_code == 200
    assert client.get("/api/v1/users", headers=gail).status_code == 403
    assert client.get("/api/v1/me", headers=gail).json()["roles"] == ["Learner"]


def test_a_disabled_user_is_refused_with_an_admitted_token(
    client: TestClient, make_tenant: Any, make_user: Any
) -> None:
    tenant = make_tenant()
    make_user(tenant, id="ivy")
    ivy = tenant.tokens(tenant.id, "ivy", Role.LEARNER)
    assert client.get("/api/v1/me", headers=ivy).status_code == 200
    client.patch("/api/v1/users/ivy", json={"status": "disabled"}, headers=tenant.as_(Role.TENANT_ADMIN))
    assert client.get("/api/v1/me", headers=ivy).status_code == 403
    assert client.get("/api/v1/courses", headers=ivy).status_code == 403


def test_the_cached_decision_is_the_stored_one(platform: Platform, client: TestClient, make_tenant: Any) -> None:
    tenant = make_tenant()
    learner = Principal(user_id="kim", tenant_id=tenant.id, roles=frozenset({Role.LEARNER, Role.SUPER_ADMIN}))
    assert tenancy.cached_tenant_context(platform, learner) is None  # nothing cached yet: the caller reads
    resolved = tenancy.resolve_tenant_context(platform, learner)
    assert tenancy.cached_tenant_context(platform, learner) == resolved
    assert resolved.roles == {Role.LEARNER}  # a token cannot claim a platform role inside a tenant
    key = f"tenancy:tenant:{tenant.id}"
    cached = platform.cache.get(key)
    assert cached is not None
    platform.cache.set(key, {"doc": {**cached["doc"], "status": "suspended"}}, 60)
    with pytest.raises(Forbidden):
        tenancy.cached_tenant_context(platform, learner)
    operator = Principal(user_id="op", tenant_id=None, roles=frozenset({Role.SUPER_ADMIN}))
    with pytest.raises(Forbidden):
        tenancy.cached_tenant_context(platform, operator)


def test_an_operator_token_is_admitted_as_operator_on_caller_routes(client: TestClient, tokens: Any) -> None:
    operator = tokens.super_admin()
    for _ in range(2):  # validated, then from the token cache
        me = client.get("/api/v1/me", headers=operator).json()
        assert (me["tenantId"], me["roles"], me["registered"]) == (None, ["SuperAdmin"], False)
    assert client.get("/api/v1/courses", headers=operator).status_code == 403
