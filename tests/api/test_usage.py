"""GET /api/v1/usage: a tenant's metered usage per month, and the meters that feed it without a store
write per request (API requests counted in memory, flushed once a minute; request units; storage)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.billing import service
from shared.billing.handlers import on_event
from shared.billing.model import USAGE, month_of
from shared.bootstrap import bootstrap, document_containers
from shared.errors import Unavailable
from shared.http.app import create_api
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.clock import ManualClock
from shared.platform.documents import Document
from shared.platform.runtime import Platform
from shared.roles import Role
from tests.conftest import TenantHandle, Tokens, make_settings, unique_tenant_id
from tests.counting import WRITES, CountingDocumentStore

USAGE_URL = "/api/v1/usage"


class MeteredStore(CountingDocumentStore):
    """The embedded store, counting operations, with request units a test sets (as Cosmos DB would
    report them) and writes to the usage container that can be made to fail once."""

    def __init__(self, inner: SqliteDocumentStore) -> None:
        super().__init__(inner)
        self.charges: dict[str, float] = {}
        self.fail_next_usage_write: str | None = None  # "before" it lands, or "after" (the reply is lost)

    def request_charges(self) -> dict[str, float]:
        return dict(self.charges)

    def _written(self, container: str, write: Callable[[], Document]) -> Document:
        mode = self.fail_next_usage_write if container == USAGE else None
        if mode is None:
            return write()
        self.fail_next_usage_write = None
        if mode == "after":
            write()
        raise Unavailable("the store went away")

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        return self._written(container, lambda: super(MeteredStore, self).create(container, partition_key, doc))

    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        def write() -> Document:
            return super(MeteredStore, self).replace(container, partition_key, doc, if_match=if_match)

        return self._written(container, write)


@dataclass
class Metered:
    client: TestClient
    store: MeteredStore
    platform: Platform
    clock: ManualClock
    tenant: TenantHandle

    def __post_init__(self) -> None:
        # Tokens issued before the clock moves: PyJWT checks their not-before against the real time.
        self.admin = self.tenant.as_(Role.TENANT_ADMIN)
        self.support = self.tenant.as_(Role.SUPPORT_READONLY)

    def requests(self, count: int) -> None:
        for _ in range(count):
            assert self.client.get("/api/v1/me", headers=self.admin).status_code == 200

    def usage(self, **params: str) -> dict[str, Any]:
        response = self.client.get(USAGE_URL, params=params, headers=self.support)
        assert response.status_code == 200, response.text
        return dict(response.json()["usage"])


@pytest.fixture
def metered(tmp_path: Path, clock: ManualClock) -> Iterator[Metered]:
    settings = make_settings(tmp_path / "data")
    store = MeteredStore(
        SqliteDocumentStore(settings.data_dir / "documents.sqlite3", clock=clock, containers=document_containers())
    )
    platform = bootstrap(settings, clock=clock, documents=store)
    with TestClient(create_api(platform), raise_server_exceptions=False) as client:
        tenant = TenantHandle(unique_tenant_id(), Tokens(platform))
        created = client.post(
            "/api/v1/tenants", json={"id": tenant.id, "name": "Metered"}, headers=Tokens(platform).super_admin()
        )
        assert created.status_code == 201, created.text
        store.reset()
        yield Metered(client, store, platform, clock, tenant)


def activity(tenant: str, user: str, at: str, n: int = 1) -> dict[str, Any]:
    return {
        "id": f"lesson-{user}-{n}",
        "type": "LessonCompleted",
        "tenantId": tenant,
        "userId": user,
        "courseId": "tides",
        "version": 1,
        "lessonId": f"lesson-{n}",
        "at": at,
    }


def test_a_tenant_admin_and_support_read_the_current_months_usage(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    now = platform.clock.now()
    on_event(platform, activity(tenant.id, "lea", now.isoformat()))
    on_event(platform, activity(tenant.id, "sam", now.isoformat()))
    for role in (Role.TENANT_ADMIN, Role.SUPPORT_READONLY):
        response = client.get(USAGE_URL, headers=tenant.as_(role))
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["usage"]["month"] == month_of(now)
        assert report["usage"]["activeLearners"] == 2
        assert report["usage"]["requestCharges"] == 0  # the embedded store charges nothing
        assert report["months"] == [month_of(now)]


def test_an_earlier_month_is_read_by_name_and_listed_after_the_current_one(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    now = platform.clock.now()
    earlier = now.replace(day=1) - timedelta(days=40)
    on_event(platform, activity(tenant.id, "lea", earlier.isoformat()))
    on_event(platform, activity(tenant.id, "sam", now.isoformat()))
    on_event(platform, activity(tenant.id, "kim", now.isoformat()))
    admin = tenant.as_(Role.TENANT_ADMIN)

    past = client.get(USAGE_URL, params={"month": month_of(earlier)}, headers=admin).json()
    assert (past["usage"]["month"], past["usage"]["activeLearners"]) == (month_of(earlier), 1)
    assert past["months"] == [month_of(now), month_of(earlier)]
    never = client.get(USAGE_URL, params={"month": "2001-01"}, headers=admin).json()["usage"]
    assert (never["activeLearners"], never["apiRequests"], never["storageBytes"]) == (0, 0, 0)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "march", "1999-12", "2026-03-01"])
def test_a_malformed_month_answers_422_problem_json(client: TestClient, make_tenant, month: str) -> None:
    tenant = make_tenant()
    response = client.get(USAGE_URL, params={"month": month}, headers=tenant.as_(Role.TENANT_ADMIN))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_api_requests_are_counted_in_memory_and_flushed_once_a_minute(metered: Metered) -> None:
    metered.requests(25)
    assert metered.store.count(WRITES) == 0  # 25 requests, no write
    metered.clock.advance(60)
    metered.requests(1)  # due: this one flushes all 26
    assert metered.store.count(WRITES, USAGE) == 1
    assert metered.usage()["apiRequests"] == 26
    metered.requests(10)
    assert metered.store.count(WRITES, USAGE) == 1
    assert service.flush_usage_meter(metered.platform) == 1  # the worker's or the timer's flush
    assert metered.usage()["apiRequests"] == 26 + 1 + 10  # the first usage read counts too


def test_a_flush_retried_after_its_write_landed_unheard_counts_once(metered: Metered) -> None:
    metered.requests(10)
    metered.store.fail_next_usage_write = "after"
    with pytest.raises(Unavailable):
        service.flush_usage_meter(metered.platform)
    assert service.flush_usage_meter(metered.platform) == 1
    assert metered.usage()["apiRequests"] == 10


def test_a_flush_whose_write_failed_loses_nothing_and_the_request_still_succeeds(metered: Metered) -> None:
    metered.requests(10)
    metered.clock.advance(60)
    metered.store.fail_next_usage_write = "before"
    metered.requests(1)  # its flush fails: the caller never notices
    assert metered.usage()["apiRequests"] == 0
    service.flush_usage_meter(metered.platform)
    assert metered.usage()["apiRequests"] == 11  # the failed batch, sent again as it was
    service.flush_usage_meter(metered.platform)
    assert metered.usage()["apiRequests"] == 13  # then what came since: the two usage reads


def test_request_units_the_store_reports_are_flushed_as_they_grow(metered: Metered) -> None:
    tenant = metered.tenant.id
    metered.store.charges = {tenant: 42.5}
    service.flush_usage_meter(metered.platform)
    metered.store.charges = {tenant: 50.25}
    service.flush_usage_meter(metered.platform)
    assert service.flush_usage_meter(metered.platform) == 0  # nothing new: nothing written
    assert metered.usage()["requestCharges"] == 50.25


def test_storage_is_the_tenants_blobs_in_uploads_media_and_certificates_with_the_months_peak(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant, neighbour = make_tenant(), make_tenant()
    blobs = platform.blobs
    blobs.write("uploads", f"{tenant.id}/intro/u1/clip.mp4", b"u" * 1000)
    blobs.write("media", f"{tenant.id}/intro/a1/720p/seg0.ts", b"m" * 300)
    blobs.write("certificates", f"{tenant.id}/cert-1.pdf", b"c" * 20)
    blobs.write("uploads", f"{neighbour.id}/intro/u2/clip.mp4", b"n" * 5000)
    blobs.write("media", f"{tenant.id}0/intro/a2/seg0.ts", b"x" * 7)  # a tenant id that only starts alike

    assert service.measure_storage(platform) >= 2
    blobs.delete("uploads", f"{tenant.id}/intro/u1/clip.mp4")
    service.measure_storage(platform)

    admin = tenant.as_(Role.TENANT_ADMIN)
    usage = client.get(USAGE_URL, headers=admin).json()["usage"]
    assert (usage["storageBytes"], usage["storagePeakBytes"]) == (320, 1320)
    assert usage["storageMeasuredAt"] == clock.now().isoformat()
    other = client.get(USAGE_URL, headers=neighbour.as_(Role.TENANT_ADMIN)).json()["usage"]
    assert (other["storageBytes"], other["storagePeakBytes"]) == (5000, 5000)
