"""A tenant placed in a dedicated Cosmos DB database, on the emulator: its documents live there, where
the Cosmos DB triggers of the shared database never look, and the placement followers
(``functions/placement.py``) relays its events and indexes its courses as those triggers do.

The shared database's leases container is made as the Bicep makes it, partitioned by ``/id``, so the
timer's checkpoints are kept as they are in Azure.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from azure.cosmos import PartitionKey
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.placement import follow_placed_feeds
from shared.platform import _cosmos_documents
from shared.platform.bus import subscription_path
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC, LEASES
from shared.roles import Role
from shared.settings import Settings
from tests.conftest import TenantHandle, Tokens
from tests.contract.emulators import cosmosdb_server
from tests.contract.test_documents_cosmos import EmulatorWire, emulator_client
from tests.factories import enroll, published_course

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

# Only the relays run in these tests, so this subscription shows everything the topic received.
WITNESS = subscription_path(EVENTS_TOPIC, "reporting")


@pytest.fixture(scope="module")
def cosmos_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with cosmosdb_server(tmp_path_factory.mktemp("cosmos")) as endpoint, pytest.MonkeyPatch.context() as patch:
        # The one emulator bug the contract tests correct on the wire (a missing document read answers 500).
        real_client = _cosmos_documents.cosmos_client
        patch.setattr(
            _cosmos_documents, "cosmos_client", lambda *a, **k: real_client(*a, transport=EmulatorWire(), **k)
        )
        yield endpoint


@dataclass(frozen=True)
class Placement:
    shared: str
    dedicated: str
    placed_tenant: str


@pytest.fixture
def placement(cosmos_endpoint: str) -> Placement:
    run = uuid.uuid4().hex[:8]
    chosen = Placement(shared=f"e2e-{run}", dedicated=f"e2e-{run}-dedicated", placed_tenant=f"placed-{run}")
    database = emulator_client(cosmos_endpoint).create_database_if_not_exists(id=chosen.shared)
    database.create_container_if_not_exists(id=LEASES, partition_key=PartitionKey(path="/id"))
    return chosen


@pytest.fixture
def platform(tmp_path: Path, cosmos_endpoint: str, placement: Placement) -> Platform:
    settings = Settings(
        data_dir=tmp_path / "data",
        documents_adapter="cosmos",
        cosmos_endpoint=cosmos_endpoint,
        cosmos_key="ZW11bGF0b3I=",
        cosmos_emulator=True,
        cosmos_database=placement.shared,
        cosmos_placement={placement.placed_tenant: placement.dedicated},
    )
    return bootstrap(settings)


@pytest.fixture
def tenants(client: TestClient, tokens: Tokens, placement: Placement) -> tuple[TenantHandle, TenantHandle]:
    """The placed tenant, and one that stays in the shared database."""
    ids = (placement.placed_tenant, f"shared-{uuid.uuid4().hex[:8]}")
    for tenant in ids:
        created = client.post("/api/v1/tenants", json={"id": tenant, "name": tenant}, headers=tokens.super_admin())
        assert created.status_code == 201, created.text
    return TenantHandle(ids[0], tokens), TenantHandle(ids[1], tokens)


def found(client: TestClient, tenant: TenantHandle, query: str) -> list[str]:
    response = client.get("/api/v1/search", params={"q": query}, headers=tenant.as_(Role.LEARNER))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def announced(platform: Platform) -> list[dict[str, Any]]:
    events = []
    while batch := platform.bus.receive(WITNESS, max_messages=100):
        for message in batch:
            platform.bus.complete(message)
            events.append(json.loads(message.body))
    return events


def test_a_placed_tenants_course_becomes_findable_once_the_dedicated_database_is_followed(
    client: TestClient, platform: Platform, tenants: tuple[TenantHandle, TenantHandle]
) -> None:
    placed, elsewhere = tenants
    course = published_course(client, placed, title="The placement handbook")
    published_course(client, elsewhere, title="The placement handbook")
    assert found(client, placed, "handbook") == []
    assert follow_placed_feeds(platform) > 0
    assert found(client, placed, "handbook") == [course["id"]]
    # The shared database's courses are the Cosmos DB trigger's to index, not the placement followers'.
    assert found(client, elsewhere, "handbook") == []


def test_a_placed_tenants_enrollment_is_announced_once_and_a_later_run_hands_on_nothing_again(
    client: TestClient, platform: Platform, tenants: tuple[TenantHandle, TenantHandle]
) -> None:
    placed = tenants[0]
    for tenant in tenants:
        enroll(client, tenant, published_course(client, tenant)["id"], "lea")
    follow_placed_feeds(platform)
    enrollments = [(e["tenantId"], e["userId"]) for e in announced(platform) if e["type"] == "EnrollmentCreated"]
    assert enrollments == [(placed.id, "lea")]
    # The checkpoints hold in a leases container partitioned by /id: nothing is read from the start again.
    assert follow_placed_feeds(platform) == 0
    assert announced(platform) == []
