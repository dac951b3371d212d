"""Every route not marked public refuses bad tokens with 401 and roles outside the
matrix with 403; the roles the matrix allows get past the guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.platform.identity import DevIssuer
from shared.roles import ROLE_MATRIX, Role
from shared.settings import Settings
from tests.api.openapi_walk import WRITE_METHODS, call, operations
from tests.conftest import Tokens

SAMPLE = "sample-1"


def _sample_values(op_params: list[str], tenant_id: str) -> dict[str, str]:
    return {p: tenant_id if p == "tenantId" else SAMPLE for p in op_params}


def test_every_operation_is_public_or_names_its_roles(client: TestClient) -> None:
    unguarded = [str(op) for op in operations(client) if not op.public and not op.roles]
    assert unguarded == []


# The operations anyone may call without a token, each public on purpose: a new public route fails
# this test until it is added here (and so is walked by nothing else).
PUBLIC_OPERATIONS = {
    "GET /api/health",
    "GET /api/ready",
    "GET /api/v1/.well-known/jwks.json",
    "GET /api/v1/media/playlists/{name}",  # the playback grant in the query is the credential
    "GET /api/v1/media/keys/{assetId}",  # the same grant: the key of the one video it names
    "GET /api/v1/tenants/{tenantId}/branding",
    "GET /api/v1/verify/{code}",
    "POST /api/v1/webhooks/payments",  # HMAC-signed by the payment provider
    "GET /api/v1/dev/sign-in",  # the embedded profile only: it hands out tokens
    "POST /api/v1/dev/sign-in",
}
EMBEDDED_ONLY = {"GET /api/v1/dev/sign-in", "POST /api/v1/dev/sign-in"}


def test_the_public_operations_are_exactly_the_intended_ones(client: TestClient) -> None:
    assert {str(op) for op in operations(client) if op.public} == PUBLIC_OPERATIONS


def test_the_azure_profile_has_every_operation_but_the_embedded_only_ones(client: TestClient, tmp_path: Path) -> None:
    with TestClient(create_api(settings=Settings(profile="azure", data_dir=tmp_path))) as azure:
        on_azure = {str(op) for op in operations(azure)}
    assert on_azure == {str(op) for op in operations(client)} - EMBEDDED_ONLY
    assert EMBEDDED_ONLY <= PUBLIC_OPERATIONS


def test_every_guarded_operation_uses_a_role_matrix_entry(client: TestClient) -> None:
    for op in operations(client):
        if not op.public:
            assert op.roles == ROLE_MATRIX[next(k for k in ROLE_MATRIX if k.value == op.spec["x-operation"])]


def _bad_tokens(tmp_path: Path, tokens: Tokens, tenant: str, clock: ManualClock) -> dict[str, dict[str, str]]:
    settings = Settings()
    stranger = DevIssuer(tmp_path / "stranger", issuer=settings.auth_issuer, audience=settings.auth_audience)
    forged = stranger.issue(user_id="admin-1", tenant_id=tenant, roles=[Role.TENANT_ADMIN])
    expired = tokens(tenant, "admin-1", Role.TENANT_ADMIN, ttl=60)
    return {
        "missing": {},
        "not a jwt": {"Authorization": "Bearer not-a-token"},
        "basic scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "wrong signature": {"Authorization": f"Bearer {forged}"},
        "wrong audience": tokens(tenant, "admin-1", Role.TENANT_ADMIN, audience="api://someone-else"),
        "expired": expired,
    }


def test_guarded_routes_refuse_missing_expired_forged_and_foreign_tokens_with_401(
    client: TestClient, tokens: Tokens, make_tenant, tmp_path: Path, clock: ManualClock
) -> None:
    tenant = make_tenant()
    bad = _bad_tokens(tmp_path, tokens, tenant.id, clock)
    clock.advance(3600)  # the 60-second token is now well past its expiry and leeway
    checked = 0
    for op in operations(client):
        if op.public:
            continue
        for label, headers in bad.items():
            response = call(client, op, _sample_values(op.path_params, tenant.id), headers)
            assert response.status_code == 401, f"{op} with {label} token: {response.status_code}"
            assert response.headers["content-type"].startswith("application/problem+json")
            checked += 1
    assert checked > 0


def _headers_for(role: Role, tenant: str, tokens: Tokens) -> dict[str, str]:
    if role is Role.SUPER_ADMIN:
        return tokens.super_admin()
    return tokens(tenant, f"walker-{role.value.lower()}", role)


def test_roles_outside_the_matrix_get_403_and_roles_inside_get_past_the_guard(
    client: TestClient, tokens: Tokens, make_tenant
) -> None:
    tenant = make_tenant()
    for op in operations(client):
        if op.public:
            continue
        for role in Role:
            response = call(
                client, op, _sample_values(op.path_params, tenant.id), _headers_for(role, tenant.id, tokens)
            )
            if role in op.roles:
                assert response.status_code not in (401, 403), f"{op} refused allowed role {role}"
            else:
                assert response.status_code == 403, f"{op} let {role} through: {response.status_code}"


@pytest.mark.parametrize("status", ["suspended"])
def test_members_of_an_inactive_tenant_are_refused(client: TestClient, make_tenant, platform, status: str) -> None:
    tenant = make_tenant()
    doc = platform.documents.read("tenants", tenant.id, tenant.id)
    platform.documents.replace("tenants", tenant.id, {**doc, "status": status})
    platform.cache.delete(f"tenancy:tenant:{tenant.id}")
    response = client.get("/api/v1/tenant", headers=tenant.as_(Role.TENANT_ADMIN))
    assert response.status_code == 403


# SupportReadonly changes nothing of a tenant's. The writes it may make are to its own inbox: marking
# the notifications it was sent read, and asking for a ticket to read its own notification stream
# (a POST that stores nothing), as every member does.
SUPPORT_OWN_STATE = {"notifications.update", "notifications.read"}
# The GDPR archive of one person is for TenantAdmins alone (shared/roles.py); support reads the rest.
TENANT_ADMIN_ONLY_READS = {"users.export"}


def test_support_readonly_is_refused_every_write_route_with_403(
    client: TestClient, tokens: Tokens, make_tenant
) -> None:
    tenant = make_tenant()
    support = _headers_for(Role.SUPPORT_READONLY, tenant.id, tokens)
    walked = []
    for op in operations(client):
        if op.public or op.method not in WRITE_METHODS:
            continue
        if op.spec["x-operation"] in SUPPORT_OWN_STATE:
            assert op.path.startswith("/api/v1/me/"), f"{op} is not the caller's own state"
            continue
        response = call(client, op, _sample_values(op.path_params, tenant.id), support)
        assert response.status_code == 403, f"{op} let SupportReadonly through: {response.status_code}"
        walked.append(str(op))
    assert "PATCH /api/v1/tenant" in walked and "DELETE /api/v1/users/{userId}" in walked


def test_support_readonly_may_read_everything_a_tenant_admin_reads(
    client: TestClient, tokens: Tokens, make_tenant
) -> None:
    tenant = make_tenant()
    support = _headers_for(Role.SUPPORT_READONLY, tenant.id, tokens)
    for op in operations(client):
        if op.public or op.method != "get" or Role.TENANT_ADMIN not in op.roles:
            continue
        if op.spec["x-operation"] in TENANT_ADMIN_ONLY_READS:
            continue
        response = call(client, op, _sample_values(op.path_params, tenant.id), support)
        assert response.status_code not in (401, 403), f"{op} refused SupportReadonly: {response.status_code}"
