"""The document store contract on the Cosmos DB adapter, against the cosmosdb-server emulator."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, cast

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.core.paging import ItemPaged
from azure.core.pipeline.transport import HttpRequest, RequestsTransport
from azure.cosmos import CosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError

from shared.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RateLimited,
    Unavailable,
)
from shared.platform._cosmos_documents import (
    PLATFORM,
    CosmosDocumentStore,
    RequestCharges,
    cosmos_client,
    cosmos_errors,
)
from shared.platform._cosmos_query import CosmosQuery, composite_index, sort_keys
from shared.platform.documents import (
    ID_KEY,
    TENANT_THEN_ID_KEY,
    ContainerSpec,
    Document,
    DocumentStore,
    Filter,
    Order,
    Query,
    encode_token,
)
from shared.platform.indexing import UndeclaredIndex, indexing_policy
from tests.contract.documents_suite import (
    AdvanceClock,
    DocumentStoreContract,
    doc,
    ids,
    new_tenant,
    walk,
    walk_ids,
)
from tests.contract.emulators import cosmosdb_server

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

DATABASE = "lms-contract"
# The emulator, like Cosmos DB, serves a multi-key ORDER BY only from a composite index.
SUITE_ORDERINGS: tuple[tuple[Order, ...], ...] = (
    (Order("rank"),),
    (Order("rank", descending=True),),
    (Order("name", descending=True), Order("rank")),
    (Order("group"),),
    *(
        tuple(Order(field, descending) for field, descending in combo)
        for combo in (
            *[((f, d),) for f in ("n", "s") for d in (False, True)],
            *[((f, d), (g, e)) for f, g in (("n", "s"), ("s", "n")) for d in (False, True) for e in (False, True)],
        )
    ),
)


@pytest.fixture(scope="module")
def cosmos_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # The emulator serves HTTPS with the self-signed certificate it ships.
    with cosmosdb_server(tmp_path_factory.mktemp("cosmos")) as endpoint:
        yield endpoint


class EmulatorWire(RequestsTransport):
    """The emulator's HTTP, with its one known bug corrected and throttling on demand.

    cosmosdb-server answers a read of a missing document with 500 (read-document.js
    dereferences the absent document); Cosmos DB answers 404, so that exact answer is
    turned into a 404 here, where the adapter cannot see it. ``throttle`` makes the next
    document requests answer 429, as Cosmos DB does when a partition runs out of RUs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.throttle = 0
        self.retry_after_ms = "20"

    def send(self, request: HttpRequest, **kwargs: Any) -> Any:  # type: ignore[override]
        response = super().send(request, **kwargs)
        if "/docs" in request.url and self.throttle > 0:
            self.throttle -= 1
            response.status_code = 429
            response.headers["x-ms-retry-after-ms"] = self.retry_after_ms
        elif (
            response.status_code == 500
            and request.method == "GET"
            and "/docs/" in request.url
            and b"Cannot read properties of undefined" in response.body()
        ):
            response.status_code = 404
        return response


def emulator_client(endpoint: str, wire: EmulatorWire | None = None, **options: Any) -> CosmosClient:
    # Only here: the emulator's certificate is self-signed. Any base64 key will do.
    key = base64.b64encode(b"emulator").decode()
    return cosmos_client(endpoint, key, connection_verify=False, transport=wire or EmulatorWire(), **options)


@pytest.fixture(scope="module")
def client(cosmos_endpoint: str) -> CosmosClient:
    return emulator_client(cosmos_endpoint)


@pytest.fixture(scope="module")
def store(client: CosmosClient) -> CosmosDocumentStore:
    # The emulator ignores the partition key of point writes: the adapter reads before it writes there.
    return CosmosDocumentStore(
        client, DATABASE, create_containers=True, orderings=SUITE_ORDERINGS, read_before_write=True
    )


@pytest.fixture
def advance_clock() -> AdvanceClock:
    return None  # the emulator keeps no TTL and its clock cannot be moved


NATIVE_PAGING_BUG = (
    "cosmosdb-server resumes an ORDER BY page wrongly when the first row of the next page lacks the sort "
    "field (its continuation stores undefined as null): rows are skipped, or repeated forever in descending "
    "order. Cosmos DB itself pages these rows; the adapter passes the native continuation through unchanged"
)
FEED_NOT_MODIFIED = (
    "cosmosdb-server's change feed serves only its first page: it answers with the fixed ETag '1' and answers "
    "every request that carries it with 304 Not Modified, so later changes are never reported"
)
FEED_CREATION_ORDER = "cosmosdb-server lists the change feed in creation order (_rid), not in order of latest write"
NO_TTL = (
    "cosmosdb-server keeps no TTL (Cosmos DB expires documents itself); the adapter's part, the ttl field and "
    "per-document TTL on the container, is tested in test_a_ttl_is_written_and_the_container_honours_it"
)


class TestCosmosDocumentStore(DocumentStoreContract):
    """The whole port contract, on the emulator; a fresh container per test. Tests the
    emulator cannot pass are marked here, each with the emulator's reason."""

    @pytest.mark.xfail(strict=True, reason=NATIVE_PAGING_BUG)
    def test_documents_missing_the_order_field_come_first_ascending_and_last_descending(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        super().test_documents_missing_the_order_field_come_first_ascending_and_last_descending(
            store, container, tenant
        )

    # Not xfail: hypothesis draws rows missing a sort field, and the emulator then pages forever.
    @pytest.mark.skip(reason=NATIVE_PAGING_BUG + "; see test_paging_with_every_ordering instead")
    def test_paging_any_data_returns_exactly_the_sorted_matching_set(
        self, store: DocumentStore, container: str
    ) -> None:
        super().test_paging_any_data_returns_exactly_the_sorted_matching_set(store, container)

    @pytest.mark.xfail(strict=True, reason=FEED_NOT_MODIFIED)
    def test_the_change_feed_lists_writes_in_order(self, store: DocumentStore, container: str, tenant: str) -> None:
        super().test_the_change_feed_lists_writes_in_order(store, container, tenant)

    @pytest.mark.xfail(strict=True, reason=FEED_CREATION_ORDER)
    def test_the_change_feed_shows_only_the_latest_version_of_a_document(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        super().test_the_change_feed_shows_only_the_latest_version_of_a_document(store, container, tenant)

    @pytest.mark.xfail(strict=True, reason=FEED_NOT_MODIFIED)
    def test_the_change_feed_resumes_after_a_saved_continuation(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        super().test_the_change_feed_resumes_after_a_saved_continuation(store, container, tenant)

    @pytest.mark.xfail(strict=True, reason=FEED_NOT_MODIFIED)
    def test_an_empty_change_page_keeps_its_position(self, store: DocumentStore, container: str, tenant: str) -> None:
        super().test_an_empty_change_page_keeps_its_position(store, container, tenant)

    @pytest.mark.skip(reason=NO_TTL)
    def test_an_expired_document_disappears_from_reads_queries_and_changes(
        self, store: DocumentStore, container: str, tenant: str, advance: Callable[[float], None]
    ) -> None:
        super().test_an_expired_document_disappears_from_reads_queries_and_changes(store, container, tenant, advance)

    @pytest.mark.skip(reason=NO_TTL)
    def test_writing_a_document_restarts_its_ttl(
        self, store: DocumentStore, container: str, tenant: str, advance: Callable[[float], None]
    ) -> None:
        super().test_writing_a_document_restarts_its_ttl(store, container, tenant, advance)

    @pytest.mark.skip(reason=NO_TTL)
    def test_an_expired_document_counts_as_absent(
        self, store: DocumentStore, container: str, tenant: str, advance: Callable[[float], None]
    ) -> None:
        super().test_an_expired_document_counts_as_absent(store, container, tenant, advance)


def container_name() -> str:
    return f"cosmos-{uuid.uuid4().hex[:12]}"


# --- on the emulator: what only the Cosmos adapter does -----------------------------------


def test_paging_with_every_ordering(store: CosmosDocumentStore) -> None:
    """The paging test the emulator can run: every row has every sort field. (The emulator
    compiles each new query text slowly, so only two orderings also page across partitions.)"""
    container, tenant, run = container_name(), new_tenant(), uuid.uuid4().hex
    rows = [(i * 3 % 4, "abc"[i % 3]) for i in range(7)]
    docs = [
        store.create(container, tenant, doc(tenant, f"r{i:02d}", n=n, s=s, run=run)) for i, (n, s) in enumerate(rows)
    ]
    for ordering in SUITE_ORDERINGS:
        if {o.field for o in ordering} - {"n", "s"}:
            continue
        expected = sorted(docs, key=lambda d: d["id"])
        for order in reversed(ordering):
            expected.sort(key=lambda d, f=order.field: d[f], reverse=order.descending)
        query = Query(filters=(Filter("run", "eq", run),), order_by=ordering, limit=3)
        assert walk_ids(store, container, query, tenant) == [d["id"] for d in expected], ordering
        if len(ordering) == 2 and ordering[0].descending != ordering[1].descending:
            assert walk_ids(store, container, query, None) == [d["id"] for d in expected], ordering


def test_cross_partition_pages_resume_after_missing_and_typed_sort_keys(store: CosmosDocumentStore) -> None:
    container, run = container_name(), uuid.uuid4().hex
    a, b = new_tenant(), new_tenant()
    for tenant, doc_id, extra in [
        (a, "d1", {"rank": 2}),
        (b, "d1", {}),
        (a, "d2", {"rank": 1}),
        (b, "d2", {"rank": None}),
        (a, "d3", {"rank": "x"}),
        (b, "d3", {"rank": True}),
        (a, "d4", {}),
        (b, "d4", {"rank": 1}),
    ]:
        store.create(container, tenant, doc(tenant, doc_id, run=run, **extra))
    # Cosmos's order: undefined < null < booleans < numbers < strings; ties by id, then tenant.
    ascending = [(b, "d1"), (a, "d4"), (b, "d2"), (b, "d3"), (a, "d2"), (b, "d4"), (a, "d1"), (a, "d3")]
    descending = [(a, "d3"), (a, "d1"), (a, "d2"), (b, "d4"), (b, "d3"), (b, "d2"), (b, "d1"), (a, "d4")]
    for limit in (2,):
        for desc, expected in ((False, ascending), (True, descending)):
            query = Query(filters=(Filter("run", "eq", run),), order_by=(Order("rank", desc),), limit=limit)
            found = [(i["tenantId"], i["id"]) for p in walk(store, container, query, None) for i in p.items]
            assert found == expected, (limit, desc)


def test_a_ttl_is_written_and_the_container_honours_it(store: CosmosDocumentStore, client: CosmosClient) -> None:
    container, tenant = container_name(), new_tenant()
    store.create(container, tenant, doc(tenant, "short", ttl=30))
    store.create(container, tenant, doc(tenant, "forever", ttl=-1))
    properties = client.get_database_client(DATABASE).get_container_client(container).read()
    assert properties["defaultTtl"] == -1  # per-document ttl is on, and documents without one never expire
    assert properties["partitionKey"]["paths"] == ["/tenantId"]
    assert store.read(container, tenant, "short")["ttl"] == 30
    assert store.read(container, tenant, "forever")["ttl"] == -1


def test_returned_documents_keep_etag_and_ts_but_not_cosmos_internals(store: CosmosDocumentStore) -> None:
    container, tenant = container_name(), new_tenant()
    created = store.create(container, tenant, doc(tenant, "d", _rid="forged", _self="forged"))
    read = store.read(container, tenant, "d")
    changes = store.read_changes(container).items
    for returned in (created, read, *changes, *store.query(container, Query(), partition_key=tenant).items):
        assert set(returned) == {"id", "tenantId", "_etag", "_ts"}


def test_a_tenant_placed_in_a_dedicated_database_stays_there(client: CosmosClient) -> None:
    dedicated = f"lms-dedicated-{uuid.uuid4().hex[:6]}"
    big, small = new_tenant(), new_tenant()
    store = CosmosDocumentStore(client, DATABASE, placement={big: dedicated}, create_containers=True)
    container = container_name()
    store.create(container, big, doc(big, "b1"))
    store.create(container, small, doc(small, "s1"))
    raw = client.get_database_client(dedicated).get_container_client(container)
    assert [d["id"] for d in raw.query_items("SELECT * FROM c", enable_cross_partition_query=True)] == ["b1"]
    assert store.read(container, big, "b1")["id"] == "b1"
    changed = store.read_changes(container).items
    assert sorted(d["id"] for d in changed) == ["b1", "s1"]  # the feed follows every database


def test_a_query_across_tenants_pages_through_every_database_in_one_order(client: CosmosClient) -> None:
    dedicated = f"lms-dedicated-{uuid.uuid4().hex[:6]}"
    big, small = new_tenant(), new_tenant()
    store = CosmosDocumentStore(
        client, DATABASE, placement={big: dedicated}, create_containers=True, orderings=SUITE_ORDERINGS
    )
    container = container_name()
    for n, rank in enumerate([3, 1, 4, 1, 5, 9, 2, 6]):
        tenant = big if n % 2 else small
        store.create(container, tenant, doc(tenant, f"d{n}", rank=rank))
    store.create(container, small, doc(small, "no-rank"))
    # A SuperAdmin's list or a sweep sees placed tenants too, in the query's order, page after page.
    by_rank = Query(order_by=(Order("rank", descending=True),), limit=3)
    assert walk_ids(store, container, by_rank, None) == ["d5", "d7", "d4", "d2", "d0", "d6", "d1", "d3", "no-rank"]
    assert walk_ids(store, container, Query(limit=2), None) == [f"d{n}" for n in range(8)] + ["no-rank"]


def test_the_change_feed_of_one_database_reports_only_the_tenants_placed_in_it(client: CosmosClient) -> None:
    dedicated = f"lms-dedicated-{uuid.uuid4().hex[:6]}"
    big, small = new_tenant(), new_tenant()
    store = CosmosDocumentStore(client, DATABASE, placement={big: dedicated}, create_containers=True)
    container = container_name()
    store.create(container, big, doc(big, "b1"))
    store.create(container, small, doc(small, "s1"))
    assert ids(store.read_changes(container, placement=dedicated)) == ["b1"]
    assert ids(store.read_changes(container, placement=DATABASE)) == ["s1"]
    with pytest.raises(InvalidInput):
        store.read_changes(container, placement="lms-nobody-is-placed-here")


class MisroutingWire(EmulatorWire):
    """A gateway that ignores the partition key: it answers the point operations (reads, replaces,
    deletes) of one tenant from another tenant's partition, which holds a document of the same id."""

    def __init__(self) -> None:
        super().__init__()
        self.misroute: tuple[str, str] | None = None  # (asked for, answered from)

    def send(self, request: HttpRequest, **kwargs: Any) -> Any:  # type: ignore[override]
        header = "x-ms-documentdb-partitionkey"
        if self.misroute and "/docs/" in request.url and request.headers.get(header) == json.dumps([self.misroute[0]]):
            request.headers[header] = json.dumps([self.misroute[1]])
        return super().send(request, **kwargs)


def test_a_replace_or_delete_that_reaches_another_tenants_document_is_not_found_and_changes_nothing(
    cosmos_endpoint: str,
) -> None:
    wire = MisroutingWire()
    store = CosmosDocumentStore(
        emulator_client(cosmos_endpoint, wire), DATABASE, create_containers=True, read_before_write=True
    )
    container, victim, intruder = container_name(), new_tenant(), new_tenant()
    original = store.create(container, victim, doc(victim, "d", v=1))
    wire.misroute = (intruder, victim)
    with pytest.raises(NotFound):
        store.read(container, intruder, "d")
    with pytest.raises(NotFound):
        store.replace(container, intruder, doc(intruder, "d", v=2))
    with pytest.raises(NotFound):
        store.delete(container, intruder, "d")
    with pytest.raises(NotFound):
        store.delete(container, intruder, "d", if_match=original["_etag"])
    wire.misroute = None
    assert store.read(container, victim, "d") == original


def test_request_units_are_charged_to_the_tenant_they_ran_for(client: CosmosClient) -> None:
    charges = RequestCharges()
    store = CosmosDocumentStore(client, DATABASE, charges=charges, create_containers=True)
    container, a, b = container_name(), new_tenant(), new_tenant()
    store.create(container, a, doc(a, "d1"))
    store.read(container, a, "d1")
    store.query(container, Query(), partition_key=b)
    store.query(container, Query(), partition_key=None)
    # The emulator charges 1 RU a request; Cosmos DB charges what each one cost.
    assert charges.snapshot() == {a: 2.0, b: 1.0, PLATFORM: 1.0}
    assert charges.total(a) == 2.0 and charges.total(new_tenant()) == 0.0


@pytest.mark.parametrize(("read_before_write", "requests"), [(False, 1.0), (True, 2.0)])
def test_a_replace_or_delete_is_one_request_unless_the_server_ignores_partition_keys(
    client: CosmosClient, read_before_write: bool, requests: float
) -> None:
    charges = RequestCharges()
    store = CosmosDocumentStore(
        client, DATABASE, charges=charges, create_containers=True, read_before_write=read_before_write
    )
    container, tenant = container_name(), new_tenant()
    created = store.create(container, tenant, doc(tenant, "d", v=1))
    before = charges.total(tenant)
    replaced = store.replace(container, tenant, doc(tenant, "d", v=2), if_match=created["_etag"])
    assert charges.total(tenant) - before == requests  # the emulator charges 1 RU a request
    with pytest.raises(PreconditionFailed):
        store.replace(container, tenant, doc(tenant, "d", v=3), if_match=created["_etag"])
    before = charges.total(tenant)
    store.delete(container, tenant, "d", if_match=replaced["_etag"])
    assert charges.total(tenant) - before == requests
    with pytest.raises(NotFound):
        store.delete(container, tenant, "d")


def test_request_units_of_unmetered_containers_are_the_platforms_and_not_reported(client: CosmosClient) -> None:
    charges = RequestCharges()
    metered, unmetered = container_name(), container_name()
    store = CosmosDocumentStore(
        client, DATABASE, charges=charges, create_containers=True, unmetered=frozenset({unmetered})
    )
    a = new_tenant()
    store.create(metered, a, doc(a, "d1"))
    store.create(unmetered, a, doc(a, "u1"))
    store.read(unmetered, a, "u1")
    store.query(unmetered, Query(), partition_key=a)
    # Usage billing reads what each tenant's own data cost; its own bookkeeping is the platform's.
    assert store.request_charges() == {a: 1.0}
    assert charges.snapshot() == {a: 1.0, PLATFORM: 3.0}


def test_throttled_requests_are_retried_after_the_servers_delay(cosmos_endpoint: str) -> None:
    wire = EmulatorWire()
    store = CosmosDocumentStore(
        emulator_client(cosmos_endpoint, wire, retry_throttle_total=3), DATABASE, create_containers=True
    )
    container, tenant = container_name(), new_tenant()
    store.create(container, tenant, doc(tenant, "d", v=1))
    wire.throttle = 3
    assert store.read(container, tenant, "d")["v"] == 1
    assert wire.throttle == 0


def test_throttling_that_outlasts_the_retries_is_rate_limited_with_the_servers_delay(cosmos_endpoint: str) -> None:
    wire = EmulatorWire()
    store = CosmosDocumentStore(
        emulator_client(cosmos_endpoint, wire, retry_throttle_total=2), DATABASE, create_containers=True
    )
    container, tenant = container_name(), new_tenant()
    store.create(container, tenant, doc(tenant, "d"))
    wire.throttle, wire.retry_after_ms = 100, "250"
    with pytest.raises(RateLimited) as raised:
        store.read(container, tenant, "d")
    assert raised.value.retry_after_seconds == 0.25
    assert wire.throttle == 97  # the first try and two retries


def test_concurrent_pagers_each_get_their_own_continuations(store: CosmosDocumentStore) -> None:
    """The SDK's own page continuation is the client's last response, whichever thread made it."""
    container, tenants = container_name(), [new_tenant() for _ in range(4)]
    for t in tenants:
        for i in range(6):
            store.create(container, t, doc(t, f"{t}-{i}", n=i))
    results: dict[str, list[str]] = {}

    def page_through(tenant: str) -> None:
        results[tenant] = walk_ids(store, container, Query(order_by=(Order("n"),), limit=1), tenant)

    threads = [threading.Thread(target=page_through, args=(t,)) for t in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {t: [f"{t}-{i}" for i in range(6)] for t in tenants}


def test_ping_answers_when_the_database_is_reachable(store: CosmosDocumentStore) -> None:
    store.ping()


# --- at the SDK boundary: a recording stand-in for azure.cosmos's ContainerProxy -------------


class Server:
    """Stands where a Cosmos container stands: answers with ``documents`` whatever the
    partition asked for (as a gateway that ignored the partition key would), and records
    every call the adapter makes, as the request it would send."""

    def __init__(self, documents: list[Document] | None = None, feed: list[list[Document]] | None = None) -> None:
        self.documents = documents or []
        self.feed = feed or []  # change-feed pages, in order; the native continuation is "native-<n>"
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _stored(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "_etag": '"1"', "_ts": 1, "_rid": "r", "_self": "s", "_attachments": "a/"}

    def read_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("read_item", kwargs))
        for d in self.documents:
            if d["id"] == kwargs["item"]:
                return self._stored(d)
        raise CosmosHttpResponseError(status_code=404, message="not found")

    def create_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("create_item", kwargs))
        return self._stored(kwargs["body"])

    upsert_item = create_item

    def replace_item(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("replace_item", kwargs))
        return self._stored(kwargs["body"])

    def delete_item(self, **kwargs: Any) -> None:
        self.calls.append(("delete_item", kwargs))

    def query_items(self, query: str, **kwargs: Any) -> ItemPaged[dict[str, Any]]:
        self.calls.append(("query_items", {"query": query, **kwargs}))

        def fetch(_token: str | None) -> list[dict[str, Any]]:
            kwargs["response_hook"]({"x-ms-request-charge": "1"}, None)
            return [self._stored(d) for d in self.documents]

        return ItemPaged(fetch, lambda page: (None, page))

    def query_items_change_feed(self, **kwargs: Any) -> ItemPaged[dict[str, Any]]:
        self.calls.append(("query_items_change_feed", kwargs))
        start = 0 if kwargs.get("continuation") is None else int(kwargs["continuation"].split("-")[1])

        def fetch(_token: str | None) -> list[dict[str, Any]]:
            if start >= len(self.feed) or not self.feed[start]:
                raise StopIteration  # as the SDK's change feed does on 304 Not Modified
            # The SDK hands the hook the response headers, whose etag it makes its feed state.
            kwargs["response_hook"]({"etag": f"native-{start + 1}"}, None)
            return [self._stored(d) for d in self.feed[start]]

        return ItemPaged(fetch, lambda page: ("ignored: the client-wide header, not this call's", page))


class Account:
    """Stands where a CosmosClient stands: one ``Server`` per database and container."""

    def __init__(self, servers: dict[str, Server]) -> None:
        self.servers = servers

    def get_database_client(self, database: str) -> Any:
        servers = self.servers

        class Database:
            def get_container_client(self, _name: str) -> Server:
                return servers[database]

            def read(self) -> dict[str, Any]:
                if database not in servers:
                    raise ServiceRequestError("connection refused")
                return {"id": database}

        return Database()


def fake_store(servers: dict[str, Server], **options: Any) -> CosmosDocumentStore:
    # The fake answers whatever partition is asked for, as the emulator does: read before writing.
    options.setdefault("read_before_write", True)
    return CosmosDocumentStore(cast(CosmosClient, Account(servers)), "lms", **options)


def test_a_document_of_another_tenant_is_absent_even_when_the_server_returns_it() -> None:
    mine, theirs = doc("t-mine", "own"), doc("t-theirs", "secret")
    store = fake_store({"lms": Server(documents=[mine, theirs])})
    with pytest.raises(NotFound):
        store.read("items", "t-mine", "secret")
    assert ids(store.query("items", Query(), partition_key="t-mine")) == ["own"]


def test_every_operation_names_the_partition_and_every_query_filters_on_the_tenant() -> None:
    server = Server(documents=[doc("t1", "a")])
    store = fake_store({"lms": server})
    store.read("items", "t1", "a")
    store.delete("items", "t1", "a", if_match='"1"')
    store.create("items", "t1", doc("t1", "b"))
    store.query("items", Query(filters=(Filter("n", "gt", 1),)), partition_key="t1")
    calls = dict(server.calls)
    assert calls["read_item"]["partition_key"] == "t1"
    assert calls["delete_item"]["partition_key"] == "t1"
    assert calls["delete_item"]["etag"] == '"1"'
    assert calls["delete_item"]["match_condition"] == MatchConditions.IfNotModified
    assert calls["create_item"]["body"]["tenantId"] == "t1"  # the SDK routes writes by the body's key
    sent = calls["query_items"]
    assert sent["partition_key"] == "t1" and "enable_cross_partition_query" not in sent
    assert sent["query"].startswith("SELECT * FROM c WHERE c.tenantId = @tenant AND ")
    assert {"name": "@tenant", "value": "t1"} in sent["parameters"]


def test_an_upsert_over_an_etag_replaces_only_that_version() -> None:
    server = Server(documents=[doc("t1", "a")])  # stored with the ETag '"1"'
    store = fake_store({"lms": server})
    with pytest.raises(PreconditionFailed):
        store.upsert("items", "t1", doc("t1", "a"), if_match='"7"')
    assert [name for name, _ in server.calls] == ["read_item"]
    store.upsert("items", "t1", doc("t1", "a", _etag='"x"'), if_match='"1"')
    name, sent = server.calls[-1]
    assert name == "replace_item" and sent["etag"] == '"1"'
    assert sent["match_condition"] == MatchConditions.IfNotModified
    assert "_etag" not in sent["body"]


def test_on_cosmos_db_a_replace_or_delete_is_one_conditional_request() -> None:
    server = Server(documents=[doc("t1", "a")])
    store = fake_store({"lms": server}, read_before_write=False)
    store.replace("items", "t1", doc("t1", "a", v=2), if_match='"1"')
    store.upsert("items", "t1", doc("t1", "a", v=3), if_match='"1"')
    store.delete("items", "t1", "a", if_match='"1"')
    store.delete("items", "t1", "a")
    assert [name for name, _ in server.calls] == ["replace_item", "replace_item", "delete_item", "delete_item"]
    for _, sent in server.calls[:3]:
        assert sent["etag"] == '"1"' and sent["match_condition"] == MatchConditions.IfNotModified
    assert "etag" not in server.calls[3][1] and server.calls[3][1]["partition_key"] == "t1"


def test_cross_partition_queries_and_placed_tenants_reach_the_right_database() -> None:
    shared, dedicated = Server(), Server(documents=[doc("big", "b")])
    store = fake_store({"lms": shared, "lms-big": dedicated}, placement={"big": "lms-big"})
    assert store.read("items", "big", "b")["id"] == "b"
    store.query("items", Query(), partition_key=None)
    assert [name for name, _ in dedicated.calls] == ["read_item", "query_items"]
    assert [name for name, _ in shared.calls] == ["query_items"]
    assert shared.calls[0][1]["enable_cross_partition_query"] is True


def test_the_change_feed_starts_at_the_beginning_then_resumes_from_its_continuation() -> None:
    server = Server(feed=[[doc("t1", "a"), doc("t1", "b")], [doc("t1", "c")], []])
    store = fake_store({"lms": server})
    first = store.read_changes("items", max_items=2)
    second = store.read_changes("items", first.continuation)
    empty = store.read_changes("items", second.continuation)
    again = store.read_changes("items", empty.continuation)
    assert [ids(p) for p in (first, second, empty, again)] == [["a", "b"], ["c"], [], []]
    assert empty.continuation == second.continuation  # nothing new: the position stays
    sent = [kwargs for _, kwargs in server.calls]
    assert sent[0]["start_time"] == "Beginning" and sent[0]["max_item_count"] == 2
    assert [kwargs.get("continuation") for kwargs in sent] == [None, "native-1", "native-2", "native-2"]
    assert all(set(i) == {"id", "tenantId", "_etag", "_ts"} for i in first.items)


def test_a_forged_change_feed_token_is_invalid_input() -> None:
    store = fake_store({"lms": Server()})
    forged = encode_token({"f": "lms/other", "p": {"lms": None}})
    with pytest.raises(InvalidInput):
        store.read_changes("items", forged)
    with pytest.raises(InvalidInput):
        store.read_changes("items", encode_token({"f": "lms/items", "p": {"lms": 5}}))


def test_ping_reports_an_unreachable_account_as_unavailable() -> None:
    with pytest.raises(Unavailable):
        fake_store({}).ping()


# --- error mapping and metering --------------------------------------------------------------


def cosmos_error(status: int, sub_status: int | None = None, **headers: str) -> CosmosHttpResponseError:
    error = CosmosHttpResponseError(status_code=status, message="from the service", sub_status=sub_status)
    error.headers = headers
    return error


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (cosmos_error(400), InvalidInput),
        (cosmos_error(404), NotFound),
        (cosmos_error(404, sub_status=1003), Unavailable),
        (cosmos_error(409), Conflict),
        (cosmos_error(412), PreconditionFailed),
        (cosmos_error(413), PayloadTooLarge),
        (cosmos_error(429), RateLimited),
        (cosmos_error(449), Unavailable),
        (cosmos_error(500), Unavailable),
        (cosmos_error(503), Unavailable),
        (ServiceRequestError("connection refused"), Unavailable),
        (ServiceResponseError("connection reset"), Unavailable),
    ],
    ids=repr,
)
def test_sdk_errors_become_platform_errors(raised: Exception, expected: type[DomainError]) -> None:
    with pytest.raises(expected) as caught, cosmos_errors():
        raise raised
    assert caught.value.__cause__ is raised


def test_a_rate_limit_carries_the_servers_retry_after() -> None:
    with pytest.raises(RateLimited) as caught, cosmos_errors():
        raise cosmos_error(429, **{"x-ms-retry-after-ms": "250"})
    assert caught.value.retry_after_seconds == 0.25
    with pytest.raises(RateLimited) as caught, cosmos_errors():
        raise cosmos_error(429)
    assert caught.value.retry_after_seconds == 1.0


def test_request_charges_add_up_per_tenant_across_threads() -> None:
    charges = RequestCharges()

    def meter() -> None:
        for _ in range(1000):
            charges.record("a", {"x-ms-request-charge": "1.5"})
            charges.record("b", {"x-ms-request-charge": "0.5"})

    threads = [threading.Thread(target=meter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    charges.record("a", {})
    charges.record("a", {"x-ms-request-charge": "not a number"})
    assert charges.snapshot() == {"a": 6000.0, "b": 2000.0}
    assert charges.total("a") == 6000.0 and charges.total("nobody") == 0.0


def test_the_client_retries_throttled_requests_by_default(cosmos_endpoint: str) -> None:
    client = cosmos_client(cosmos_endpoint, "a2V5", connection_verify=False)
    retries = client.client_connection.connection_policy.RetryOptions
    assert (retries.MaxRetryAttemptCount, retries.MaxWaitTimeInSeconds) == (9, 30)


# --- query translation -------------------------------------------------------------------------


def sql(*filters: Filter) -> tuple[str, list[dict[str, Any]]]:
    plan = CosmosQuery("lms", "items", "t1", Query(filters=filters))
    return plan.text, plan.parameters


PREFIX = "SELECT * FROM c WHERE c.tenantId = @tenant AND "
BY_ID = ' ORDER BY c["id"] ASC'


@pytest.mark.parametrize(
    ("flt", "expected", "values"),
    [
        (Filter("n", "eq", 1), 'c["n"] = @p0', [1]),
        (Filter("n", "ne", 1), '(IS_NUMBER(c["n"]) AND c["n"] != @p0)', [1]),
        (Filter("s", "ne", "a"), '(IS_STRING(c["s"]) AND c["s"] != @p0)', ["a"]),
        (Filter("flag", "ne", True), '(IS_BOOL(c["flag"]) AND c["flag"] != @p0)', [True]),
        (Filter("opt", "eq", None), 'IS_NULL(c["opt"])', []),
        (Filter("n", "lt", 2), 'c["n"] < @p0', [2]),
        (Filter("n", "le", 2), 'c["n"] <= @p0', [2]),
        (Filter("n", "gt", 1.5), 'c["n"] > @p0', [1.5]),
        (Filter("n", "ge", 1.5), 'c["n"] >= @p0', [1.5]),
        (Filter("addr.city", "eq", "Rome"), 'c["addr"]["city"] = @p0', ["Rome"]),
        (Filter("n", "in", [1, "1"]), 'ARRAY_CONTAINS(@p0, c["n"])', [[1, "1"]]),
        (Filter("tags", "contains", "x"), '(IS_ARRAY(c["tags"]) AND ARRAY_CONTAINS(c["tags"], @p0))', ["x"]),
        (Filter("s", "starts_with", "a%"), 'STARTSWITH(c["s"], @p0)', ["a%"]),
        (Filter("opt", "exists", True), 'IS_DEFINED(c["opt"])', []),
        (Filter("opt", "exists", False), 'NOT IS_DEFINED(c["opt"])', []),
    ],
    ids=repr,
)
def test_each_filter_becomes_parameterised_cosmos_sql(flt: Filter, expected: str, values: list[Any]) -> None:
    text, parameters = sql(flt)
    assert text == PREFIX + expected + BY_ID
    assert parameters == [{"name": "@tenant", "value": "t1"}] + [
        {"name": f"@p{i}", "value": v} for i, v in enumerate(values)
    ]


def test_order_then_id_and_across_partitions_then_tenant() -> None:
    ordering = (Order("name", descending=True), Order("rank"))
    plan = CosmosQuery("lms", "items", "t1", Query(order_by=ordering))
    assert plan.text.endswith(' ORDER BY c["name"] DESC, c["rank"] ASC, c["id"] ASC')
    cross = CosmosQuery("lms", "items", None, Query(order_by=ordering))
    assert cross.text == 'SELECT * FROM c ORDER BY c["name"] DESC, c["rank"] ASC, c["id"] ASC, c["tenantId"] ASC'
    assert cross.parameters == []
    assert composite_index(sort_keys(ordering, cross_partition=False)) == [
        {"path": "/name", "order": "descending"},
        {"path": "/rank", "order": "ascending"},
        {"path": "/id", "order": "ascending"},
    ]


@pytest.mark.parametrize(
    "flt",
    [
        Filter("n", "lt", None),
        Filter("n", "ne", None),
        Filter("n", "eq", {"a": 1}),
        Filter("n", "eq", 2**64),
        Filter("n", "eq", float("nan")),
        Filter("n", "in", [[1]]),
        Filter("n", "exists", "yes"),
        Filter("n", "starts_with", 1),
    ],
    ids=repr,
)
def test_a_filter_value_cosmos_cannot_compare_is_invalid_input(flt: Filter) -> None:
    with pytest.raises(InvalidInput):
        sql(flt)


# --- hierarchical partition keys, at the SDK boundary -----------------------------------------------
# The npm emulator cannot run prefix queries on hierarchical keys, so the contract tests above run on
# containers keyed by /tenantId alone (as the adapter keys every container with hierarchical_keys=False).
# What the adapter sends for a MultiHash container is checked here, on the recording stand-in: the
# container definition, the full key of every point operation, the prefix key and keyset paging of a
# tenant's query. Not exercised: Cosmos DB itself serving those requests (routing a prefix query to the
# physical partitions of the tenant, ORDER BY across them, the key's uniqueness of ids per tenant).

EVENTS_BY_TENANT_THEN_ID = ContainerSpec(
    "events", orderings=((Order("n"),),), filters=("n",), partition_key=TENANT_THEN_ID_KEY
)
ITEMS_BY_TENANT = ContainerSpec("items", filters=("n",))
LEASES_BY_ID = ContainerSpec("leases", partition_key=ID_KEY)
DECLARED_CONTAINERS = (EVENTS_BY_TENANT_THEN_ID, ITEMS_BY_TENANT, LEASES_BY_ID)


class CreatingAccount(Account):
    """An account that also records the containers the adapter creates (``create_containers``)."""

    def __init__(self, servers: dict[str, Server]) -> None:
        super().__init__(servers)
        self.created: dict[str, dict[str, Any]] = {}

    def create_database_if_not_exists(self, id: str) -> Any:
        account = self

        class Database:
            def create_container_if_not_exists(self, **kwargs: Any) -> Server:
                account.created[kwargs["id"]] = kwargs
                return account.servers[id]

        return Database()


def declared_store(server: Server, **options: Any) -> CosmosDocumentStore:
    options.setdefault("read_before_write", False)
    return CosmosDocumentStore(
        cast(CosmosClient, Account({"lms": server})), "lms", containers=DECLARED_CONTAINERS, **options
    )


@pytest.mark.parametrize("hierarchical", [True, False])
def test_each_declared_container_is_created_with_its_key_and_its_own_indexing_policy(hierarchical: bool) -> None:
    account = CreatingAccount({"lms": Server(documents=[doc("t1", "a")])})
    store = CosmosDocumentStore(
        cast(CosmosClient, account),
        "lms",
        create_containers=True,
        containers=DECLARED_CONTAINERS,
        hierarchical_keys=hierarchical,
    )
    for spec in DECLARED_CONTAINERS:
        store.read(spec.name, "t1", "a")
    keys = {name: dict(sent["partition_key"]) for name, sent in account.created.items()}
    tenant_then_id = {"paths": ["/tenantId", "/id"], "kind": "MultiHash", "version": 2}
    tenant_only = {"paths": ["/tenantId"], "kind": "Hash", "version": 2}
    assert keys == {
        "events": tenant_then_id if hierarchical else tenant_only,  # the emulator's: the first level alone
        "items": tenant_only,
        "leases": {"paths": ["/id"], "kind": "Hash", "version": 2},
    }
    assert {name: sent["indexing_policy"] for name, sent in account.created.items()} == {
        spec.name: indexing_policy(spec) for spec in DECLARED_CONTAINERS
    }
    assert all(sent["default_ttl"] == -1 for sent in account.created.values())


def test_every_point_operation_on_a_hierarchical_container_names_the_full_key() -> None:
    server = Server(documents=[doc("t1", "a")])
    store = declared_store(server, read_before_write=True)
    store.read("events", "t1", "a")
    store.replace("events", "t1", doc("t1", "a", v=2))
    store.delete("events", "t1", "a", if_match='"1"')
    store.create("events", "t1", doc("t1", "b"))
    sent = [(name, kwargs.get("partition_key")) for name, kwargs in server.calls]
    assert sent == [
        ("read_item", ["t1", "a"]),
        ("read_item", ["t1", "a"]),  # the emulator guard's read, with the same key
        ("replace_item", None),  # the SDK takes both levels from the body
        ("read_item", ["t1", "a"]),
        ("delete_item", ["t1", "a"]),
        ("create_item", None),
    ]
    assert server.calls[2][1]["body"]["tenantId"] == "t1" and server.calls[2][1]["body"]["id"] == "a"


def test_a_tenants_query_on_a_hierarchical_container_names_the_prefix_and_pages_by_keys() -> None:
    server = Server(documents=[doc("t1", f"d{i}", n=i) for i in range(3)])
    store = declared_store(server)
    query = Query(filters=(Filter("n", "ge", 0),), order_by=(Order("n"),), limit=2)
    first = store.query("events", query, partition_key="t1")
    assert ids(first) == ["d0", "d1"] and first.continuation is not None
    sent = server.calls[-1][1]
    assert sent["partition_key"] == ["t1"] and "enable_cross_partition_query" not in sent
    assert sent["max_item_count"] == 3  # one more row than asked for says whether a next page exists
    assert sent["query"].startswith("SELECT * FROM c WHERE c.tenantId = @tenant AND ")
    assert sent["query"].endswith('ORDER BY c["n"] ASC, c["id"] ASC')
    store.query("events", replace(query, continuation=first.continuation), partition_key="t1")
    resumed = server.calls[-1][1]
    assert resumed["partition_key"] == ["t1"]
    # The next page starts after the last row's keys (n = 1, id = "d1"), not from a native continuation.
    assert 'c["n"] > @p' in resumed["query"] and 'c["id"] > @p' in resumed["query"]
    assert {p["value"] for p in resumed["parameters"]} >= {1, "d1"}
    native = encode_token({"q": CosmosQuery("lms", "events", "t1", query, keyset=True).fingerprint, "c": "native"})
    with pytest.raises(InvalidInput):
        store.query("events", replace(query, continuation=native), partition_key="t1")


def test_a_container_keyed_by_tenant_alone_keeps_its_single_key_and_native_paging() -> None:
    server = Server(documents=[doc("t1", "a", n=1)])
    store = declared_store(server)
    store.read("items", "t1", "a")
    store.query("items", Query(filters=(Filter("n", "eq", 1),)), partition_key="t1")
    assert [kwargs["partition_key"] for _, kwargs in server.calls] == ["t1", "t1"]
    assert server.calls[1][1]["max_item_count"] == 50


def test_the_leases_are_addressed_by_their_id_and_never_queried_by_tenant() -> None:
    server = Server(documents=[doc("platform", "checkpoint")])
    store = declared_store(server)
    store.read("leases", "platform", "checkpoint")
    store.delete("leases", "platform", "checkpoint")
    assert [kwargs["partition_key"] for _, kwargs in server.calls] == ["checkpoint", "checkpoint"]
    with pytest.raises(TypeError, match="partitioned by /id"):
        store.query("leases", Query(), partition_key="platform")


def test_a_query_its_container_does_not_index_is_refused_before_any_request() -> None:
    server = Server()
    store = declared_store(server)
    with pytest.raises(UndeclaredIndex):
        store.query("events", Query(filters=(Filter("colour", "eq", "red"),)), partition_key="t1")
    with pytest.raises(UndeclaredIndex):
        store.query("items", Query(order_by=(Order("n"),)), partition_key=None)
    with pytest.raises(UndeclaredIndex, match="no ContainerSpec"):
        store.query("nobody-declared", Query(), partition_key="t1")
    assert server.calls == []


@pytest.mark.parametrize(("emulator", "hierarchical"), [(False, True), (True, False)])
def test_the_azure_profile_keys_containers_hierarchically_except_on_the_emulator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, emulator: bool, hierarchical: bool
) -> None:
    from shared import _adapters
    from shared.bootstrap import document_containers
    from shared.learning.model import PROGRESS
    from shared.platform import _cosmos_documents
    from shared.platform.clock import SystemClock
    from shared.settings import Settings

    monkeypatch.setattr(_cosmos_documents, "cosmos_client", lambda *_args, **_options: Account({}))
    settings = Settings(
        data_dir=tmp_path,
        profile="azure",
        cosmos_endpoint="https://127.0.0.1:1",
        cosmos_key="a2V5",
        cosmos_emulator=emulator,
    )
    store = _adapters.Adapters(settings, SystemClock(), document_containers()).build("documents")
    assert isinstance(store, CosmosDocumentStore)
    assert store.key_paths(PROGRESS) == (("tenantId", "id") if hierarchical else ("tenantId",))
    assert store.key_paths("leases") == ("id",)
