"""The azure profile, wired by ``bootstrap`` from settings alone, serves the API on the
Cosmos DB emulator and Azurite (Service Bus, AI Search and Key Vault have no emulator and
stay embedded through their ``LMS_*_ADAPTER`` overrides), with tokens from a JWKS issuer.

This is what the README's "Running against the emulators" does by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform import _cosmos_documents
from shared.platform.identity import DevIssuer
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.settings import Settings
from tests.contract.emulators import azurite, cosmosdb_server
from tests.contract.test_documents_cosmos import EmulatorWire
from tests.jwks_server import serving_jwks

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

ISSUER, AUDIENCE = "https://login.example.test/lms/v2.0", "api://lms-e2e"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> DevIssuer:
    return DevIssuer(tmp_path_factory.mktemp("idp"), issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, issuer: DevIssuer) -> Iterator[Platform]:
    workspace = tmp_path_factory.mktemp("azure-profile")
    with (
        cosmosdb_server(workspace) as cosmos_endpoint,
        azurite(workspace) as blob_connection_string,
        serving_jwks(issuer) as jwks_url,
        pytest.MonkeyPatch.context() as patch,
    ):
        # The one emulator bug the contract tests correct on the wire (a missing document read
        # answers 500); everything else is the composition root's own Cosmos wiring.
        real_client = _cosmos_documents.cosmos_client
        patch.setattr(
            _cosmos_documents, "cosmos_client", lambda *a, **k: real_client(*a, transport=EmulatorWire(), **k)
        )
        settings = Settings(
            profile="azure",
            public_base_url="https://func-lms-e2e.azurewebsites.net",
            data_dir=workspace / "data",
            cosmos_endpoint=cosmos_endpoint,
            cosmos_key="ZW11bGF0b3I=",
            cosmos_emulator=True,
            cosmos_database=f"e2e-{uuid.uuid4().hex[:8]}",
            blob_connection_string=blob_connection_string,
            bus_adapter="sqlite",
            search_adapter="fts",
            secrets_adapter="local",
            auth_issuer=ISSUER,
            auth_audience=AUDIENCE,
            auth_jwks_url=jwks_url,
        )
        yield bootstrap(settings)


@pytest.fixture(scope="module")
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_api(platform), raise_server_exceptions=False) as test_client:
        yield test_client


def bearer(issuer: DevIssuer, tenant: str | None, user: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.issue(user_id=user, tenant_id=tenant, roles=[role])}"}


def test_the_ports_are_the_azure_adapters_where_an_emulator_exists(platform: Platform) -> None:
    assert type(platform.documents).__name__ == "CosmosDocumentStore"
    assert type(platform.blobs).__name__ == "AzureBlobStore"
    assert type(platform.signer).__name__ == "BlobSasUrlSigner"


def test_a_tenant_and_its_users_live_in_cosmos_and_are_isolated_by_tenant(
    client: TestClient, issuer: DevIssuer
) -> None:
    operator = bearer(issuer, None, "operator", Role.SUPER_ADMIN)
    tenants = [f"e2e{n}-{uuid.uuid4().hex[:6]}" for n in (1, 2)]
    for tenant in tenants:
        body: dict[str, Any] = {"id": tenant, "name": f"Academy {tenant}"}
        body["admin"] = {"id": "admin-1", "email": f"admin@{tenant}.example", "displayName": "Admin"}
        assert client.post("/api/v1/tenants", json=body, headers=operator).status_code == 201
    admin = bearer(issuer, tenants[0], "admin-1", Role.TENANT_ADMIN)
    created = client.post(
        "/api/v1/users",
        json={"email": "ada@example.com", "displayName": "Ada", "roles": ["Learner"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]

    listed = client.get("/api/v1/users", headers=admin).json()["items"]
    assert {u["email"] for u in listed} == {f"admin@{tenants[0]}.example", "ada@example.com"}
    other_admin = bearer(issuer, tenants[1], "admin-1", Role.TENANT_ADMIN)
    assert client.get(f"/api/v1/users/{user_id}", headers=other_admin).status_code == 404
    assert client.get(f"/api/v1/users/{user_id}", headers=admin).json()["displayName"] == "Ada"


def test_the_audit_log_pages_newest_first_through_its_composite_index(client: TestClient, issuer: DevIssuer) -> None:
    operator = bearer(issuer, None, "operator", Role.SUPER_ADMIN)
    tenant = f"e2e-audit-{uuid.uuid4().hex[:6]}"
    body = {"id": tenant, "name": "Audited", "admin": {"id": "admin-1", "email": "a@x.example", "displayName": "A"}}
    assert client.post("/api/v1/tenants", json=body, headers=operator).status_code == 201
    admin = bearer(issuer, tenant, "admin-1", Role.TENANT_ADMIN)
    for n in range(3):
        user = {"email": f"u{n}@x.example", "displayName": f"U{n}", "roles": ["Learner"]}
        assert client.post("/api/v1/users", json=user, headers=admin).status_code == 201
    first = client.get("/api/v1/audit?limit=2", headers=admin)
    assert first.status_code == 200, first.text
    page = first.json()
    rest = client.get(f"/api/v1/audit?limit=50&continuation={page['continuation']}", headers=admin).json()
    times = [e["at"] for e in page["items"] + rest["items"]]
    assert len(times) >= 3 and times == sorted(times, reverse=True)


def test_a_signed_url_reads_a_blob_straight_from_storage_and_a_tampered_one_is_refused(platform: Platform) -> None:
    name = f"e2e/{uuid.uuid4().hex}/poster.jpg"
    platform.blobs.write("media", name, b"\xff\xd8 poster bytes", content_type="image/jpeg")
    url = platform.signer.sign("media", name, ttl_seconds=300)
    fetched = httpx.get(url)
    assert (fetched.status_code, fetched.content) == (200, b"\xff\xd8 poster bytes")
    assert httpx.get(url.replace("poster.jpg", "other.jpg")).status_code == 403


def test_readiness_reports_the_emulators_as_reachable(client: TestClient) -> None:
    response = client.get("/api/ready")
    assert response.status_code == 200, response.text
