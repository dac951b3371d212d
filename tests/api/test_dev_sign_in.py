"""The embedded profile's dev sign-in: the users of this store, and a token for one of them with its
stored roles; on the azure profile the routes do not exist at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.http.app import create_api
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.settings import Settings
from tests.conftest import Tokens

SIGN_IN = "/api/v1/dev/sign-in"


def _tenant(client: TestClient, tokens: Tokens, tenant_id: str, name: str, **extra: Any) -> None:
    body = {"id": tenant_id, "name": name, **extra}
    assert client.post("/api/v1/tenants", json=body, headers=tokens.super_admin()).status_code == 201


def _user(client: TestClient, tokens: Tokens, tenant_id: str, user_id: str, *roles: str, name: str) -> None:
    body = {"id": user_id, "email": f"{user_id}@{tenant_id}.example.com", "displayName": name, "roles": list(roles)}
    created = client.post("/api/v1/users", json=body, headers=tokens(tenant_id, "setup", Role.TENANT_ADMIN))
    assert created.status_code == 201, created.text


@pytest.fixture
def two_tenants(client: TestClient, tokens: Tokens) -> None:
    _tenant(client, tokens, "zeta", "Zeta School")
    _tenant(client, tokens, "demo", "Demo Academy")
    _user(client, tokens, "zeta", "tom", "Learner", name="Tom")
    _user(client, tokens, "demo", "learner", "Learner", name="Lea Learner")
    _user(client, tokens, "demo", "admin", "TenantAdmin", name="Ada Admin")
    _user(client, tokens, "demo", "ian", "Learner", "Instructor", name="Ian Instructor")


def test_the_list_holds_every_user_of_every_tenant_by_tenant_then_user(client: TestClient, two_tenants: None) -> None:
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    assert response.json() == {
        "users": [
            {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "admin", "displayName": "Ada Admin",
             "roles": ["TenantAdmin"]},
            {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "ian", "displayName": "Ian Instructor",
             "roles": ["Instructor", "Learner"]},
            {"tenantId": "demo", "tenantName": "Demo Academy", "userId": "learner", "displayName": "Lea Learner",
             "roles": ["Learner"]},
            {"tenantId": "zeta", "tenantName": "Zeta School", "userId": "tom", "displayName": "Tom",
             "roles": ["Learner"]},
        ]
    }  # fmt: skip
    assert response.headers["cache-control"] == "no-store"


def test_disabled_users_and_suspended_tenants_are_not_listed_and_cannot_sign_in(
    client: TestClient, tokens: Tokens, two_tenants: None, platform: Platform
) -> None:
    admin = tokens("demo", "setup", Role.TENANT_ADMIN)
    body = {"status": "disabled", "reason": "left"}
    assert client.patch("/api/v1/users/ian", json=body, headers=admin).status_code == 200
    doc = platform.documents.read("tenants", "zeta", "zeta")
    platform.documents.replace("tenants", "zeta", {**doc, "status": "suspended"})
    platform.cache.delete("tenancy:tenant:zeta")

    listed = [(u["tenantId"], u["userId"]) for u in client.get(SIGN_IN).json()["users"]]
    assert listed == [("demo", "admin"), ("demo", "learner")]
    for tenant, user in (("demo", "ian"), ("zeta", "tom")):
        refused = client.post(SIGN_IN, json={"tenantId": tenant, "userId": user})
        assert refused.status_code == 404, refused.text


def test_signing_in_gives_a_token_with_the_stored_roles_that_the_api_accepts(
    client: TestClient, two_tenants: None
) -> None:
    response = client.post(SIGN_IN, json={"tenantId": "demo", "userId": "ian"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: v for k, v in body.items() if k != "accessToken"} == {
        "tokenType": "Bearer",
        "expiresIn": 43200,
        "tenantId": "demo",
        "userId": "ian",
        "roles": ["Instructor", "Learner"],
    }
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.status_code == 200
    assert me.json() == {
        "userId": "ian",
        "tenantId": "demo",
        "roles": ["Instructor", "Learner"],
        "displayName": "Ian Instructor",
        "email": "ian@demo.example.com",
        "registered": True,
    }


def test_the_token_carries_the_roles_stored_now(client: TestClient, tokens: Tokens, two_tenants: None) -> None:
    body = {"roles": ["Instructor"], "reason": "promoted"}
    admin = tokens("demo", "setup", Role.TENANT_ADMIN)
    assert client.patch("/api/v1/users/learner", json=body, headers=admin).is_success
    signed_in = client.post(SIGN_IN, json={"tenantId": "demo", "userId": "learner"}).json()
    assert signed_in["roles"] == ["Instructor"]


@pytest.mark.parametrize(
    "body",
    [
        {"tenantId": "nowhere", "userId": "learner"},
        {"tenantId": "demo", "userId": "nobody"},
        {"tenantId": "zeta", "userId": "learner"},  # a user of another tenant
    ],
)
def test_an_unknown_tenant_or_user_is_a_404_problem(client: TestClient, two_tenants: None, body: Any) -> None:
    response = client.post(SIGN_IN, json=body)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "accessToken" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"tenantId": "demo"},
        {"tenantId": "demo", "userId": "learner", "roles": ["TenantAdmin"]},  # roles are never asked for
        {"tenantId": "Not A Tenant!", "userId": "learner"},
        {"tenantId": "demo", "userId": 7},
        [],
    ],
)
def test_a_bad_body_is_a_422_problem(client: TestClient, two_tenants: None, body: Any) -> None:
    response = client.post(SIGN_IN, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "/problems/invalid-input"


def test_the_routes_are_public_operations_of_the_embedded_profile(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert paths[SIGN_IN]["get"]["x-public"] is True and paths[SIGN_IN]["post"]["x-public"] is True


def test_on_the_azure_profile_the_routes_do_not_exist(tmp_path: Path) -> None:
    # The app is built without a platform: routing alone decides, as in a deployed Functions app.
    app = create_api(settings=Settings(profile="azure", data_dir=tmp_path))
    with TestClient(app, raise_server_exceptions=False) as azure:
        paths = azure.get("/api/openapi.json").json()["paths"]
        assert "/api/v1/me" in paths
        assert not [p for p in paths if p.startswith("/api/v1/dev")]
        for method in ("GET", "POST"):
            response = azure.request(method, SIGN_IN, json={"tenantId": "demo", "userId": "learner"})
            assert response.status_code == 404
            assert response.headers["content-type"].startswith("application/problem+json")
