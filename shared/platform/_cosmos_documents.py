"""The document store on Azure Cosmos DB for NoSQL (``azure-cosmos``).

Containers are partitioned as their ``ContainerSpec`` says: by ``/tenantId``, or hierarchically by
``/tenantId`` then ``/id`` (a ``MultiHash`` key: point operations name the full key ``[tenant, id]``,
queries the prefix ``[tenant]``, paged by keys), or, for the triggers' leases, by ``/id``. Reads and
deletes name the partition, writes carry it in the body (checked first), and every query names it
*and* filters on ``c.tenantId = @tenant``. A document whose ``tenantId`` is not the partition asked for
counts as absent, whatever the server returned, and a replace or delete first reads the
document to check it is the tenant's. ``placement`` maps a tenant to a dedicated database;
other tenants and cross-partition queries use the shared one, and the change feed follows
them all (or one database, for a reader per database). Throttling: the SDK retries 429s itself, waiting the server's
``x-ms-retry-after-ms``, as often and as long as ``THROTTLE_RETRIES`` says (``cosmos_client``
applies it); a 429 that outlasts them is ``RateLimited``. ``RequestCharges`` meters RUs.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from azure.core.paging import ItemPaged
from azure.cosmos import ContainerProxy, CosmosClient, PartitionKey

from shared.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    Unavailable,
)
from shared.platform._azure_errors import map_azure_errors
from shared.platform._cosmos_query import CosmosQuery, feed_positions, merge_sorted
from shared.platform.documents import (
    MAX_ID_LENGTH,
    PARTITION_FIELD,
    SYSTEM_FIELDS,
    TENANT_KEY,
    ChangePage,
    ContainerSpec,
    Document,
    DocumentStore,
    Order,
    Page,
    Query,
    encode_token,
    validate_container_name,
    validate_document,
)
from shared.platform.indexing import DeclaredIndexes, index_everything, indexing_policy

__all__ = ["PLATFORM", "THROTTLE_RETRIES", "CosmosDocumentStore", "RequestCharges", "cosmos_client", "cosmos_errors"]

# Cosmos's own properties that are no business of the port's callers.
_COSMOS_FIELDS = ("_rid", "_self", "_attachments", "_lsn")
# Passed to CosmosClient: retry a throttled request up to 9 times, waiting at most 30 s in all.
THROTTLE_RETRIES: dict[str, int] = {"retry_throttle_total": 9, "retry_throttle_backoff_max": 30}
PLATFORM = "_platform"  # whom cross-partition and change-feed request units are charged to
_MAX_FEED_PAGE = 1000
_FILL_ROUNDS = 8  # native pages one query() may join to fill its limit
_OWNER_RESOURCE_MISSING = 1003  # 404 sub-status: the database or container is missing
_OWNED_WRITE_ATTEMPTS = 3  # reads of the current version one replace or delete makes, at most
_Written = TypeVar("_Written")
# The value of a partition key: one path's value, or the values of a hierarchical key's levels.
PartitionKeyValue = str | list[str]


def cosmos_client(endpoint: str, credential: Any, **options: Any) -> CosmosClient:
    """A client with the throttling retries above; ``options`` go to ``CosmosClient`` as they are."""
    return CosmosClient(endpoint, credential=credential, **{**THROTTLE_RETRIES, **options})


class RequestCharges:
    """Request units per tenant, summed from each response's ``x-ms-request-charge``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[str, float] = {}

    def record(self, tenant: str, headers: Mapping[str, Any]) -> None:
        """Add one response's charge (a missing or garbled header adds nothing)."""
        try:
            charge = float(str(headers.get("x-ms-request-charge") or 0))
        except (TypeError, ValueError):
            return
        if charge > 0:
            with self._lock:
                self._totals[tenant] = self._totals.get(tenant, 0.0) + charge

    def total(self, tenant: str) -> float:
        with self._lock:
            return self._totals.get(tenant, 0.0)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return dict(self._totals)


def _owner_missing(exc: HttpResponseError) -> DomainError | None:
    """A 404 for a missing database or container is an outage of the deployment, not a missing document."""
    if exc.status_code == 404 and getattr(exc, "sub_status", None) == _OWNER_RESOURCE_MISSING:
        return Unavailable("the Cosmos DB database or container does not exist")
    return None


def cosmos_errors() -> AbstractContextManager[None]:
    """Turn Cosmos SDK errors into the platform's errors (the shared mapping, with Cosmos DB's own 404)."""
    return map_azure_errors("Cosmos DB", refine=_owner_missing)


def _returned(found: Mapping[str, Any]) -> Document:
    return {k: v for k, v in found.items() if k not in _COSMOS_FIELDS}


def _outgoing(partition_key: str, doc: Document) -> Document:
    validate_document(doc, partition_key)
    body = {k: v for k, v in doc.items() if k not in SYSTEM_FIELDS and k not in _COSMOS_FIELDS}
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput("the document is not JSON (or is nested too deeply)") from exc
    return body


def _precondition(if_match: str | None) -> dict[str, Any]:
    return {} if if_match is None else {"etag": if_match, "match_condition": MatchConditions.IfNotModified}


def _could_exist(doc_id: str) -> bool:
    return isinstance(doc_id, str) and 0 < len(doc_id) <= MAX_ID_LENGTH and not any(c in doc_id for c in "/\\?#")


class _Responses:
    """The response hook of one call: meters every response and keeps the last one's headers.

    The SDK's own page continuation comes from the client's shared last response, which a
    request on another thread may have replaced; the hook's headers belong to this call.
    """

    def __init__(self, charges: RequestCharges | None, tenant: str) -> None:
        self._charges, self._tenant = charges, tenant
        self.last: Mapping[str, Any] = {}

    def __call__(self, headers: Mapping[str, Any], _result: Any) -> None:
        self.last = headers
        if self._charges is not None:
            self._charges.record(self._tenant, headers)


def _first_page(
    paged: ItemPaged[dict[str, Any]], token: str | None, responses: _Responses, header: str
) -> tuple[list[Document], str | None]:
    """One page, and the continuation after it (None when the results are exhausted)."""
    page = next(paged.by_page(token), None)
    if page is None:
        return [], None
    items = list(page)
    return items, responses.last.get(header) or None


class CosmosDocumentStore(DocumentStore):
    """The document port over Cosmos DB containers partitioned by tenant.

    ``containers`` declares the platform's containers: each one's partition key and indexing policy
    (what ``infra/cosmos-containers.json`` provisions), and every query on it is checked against that
    policy (``shared/platform/indexing.py``); a container it does not declare is refused. Without
    (``None``, the contract tests), any container is keyed by ``/tenantId`` and indexes every path.
    ``create_containers`` (emulator and development only; Bicep owns real containers)
    creates the database and containers on first use, with per-document TTL enabled, the declared
    key and policy (an undeclared one: a composite index for each of ``orderings``).
    ``hierarchical_keys=False`` keys every container by its first level only: the emulator cannot run
    prefix queries on hierarchical keys, so there the containers it creates are keyed by ``/tenantId``.
    ``read_before_write`` (the emulator only) reads each document before a replace or delete and
    checks it is the tenant's, because the emulator ignores the partition key of a point write;
    Cosmos DB enforces it, so there a replace or delete is one operation.
    Request units spent on the ``unmetered`` containers are charged to ``PLATFORM``: those whose
    partitions are not tenants (leases, platform indexes), and usage billing's own, since metering
    it to the tenant would make each flush of usage the next one's usage.
    """

    def __init__(
        self,
        client: CosmosClient,
        database: str,
        *,
        placement: Mapping[str, str] | None = None,
        charges: RequestCharges | None = None,
        create_containers: bool = False,
        orderings: tuple[tuple[Order, ...], ...] = (),
        unmetered: frozenset[str] = frozenset(),
        read_before_write: bool = False,
        containers: Sequence[ContainerSpec] | None = None,
        hierarchical_keys: bool = True,
    ) -> None:
        self._client = client
        self._database = database
        self._placement = dict(placement or {})
        self._charges = charges
        self._create = create_containers
        self._orderings = orderings
        self._unmetered = unmetered
        self._read_before_write = read_before_write
        self._indexes = DeclaredIndexes(containers)
        self._hierarchical = hierarchical_keys
        self._containers: dict[tuple[str, str], ContainerProxy] = {}
        self._lock = threading.Lock()

    # --- plumbing -----------------------------------------------------------------------

    def _database_for(self, tenant: str | None) -> str:
        return self._placement.get(tenant, self._database) if tenant else self._database

    def _container(self, database: str, name: str) -> ContainerProxy:
        validate_container_name(name)
        proxy = self._containers.get((database, name))
        if proxy is None:
            with self._lock, cosmos_errors():
                proxy = self._containers.get((database, name)) or self._open(database, name)
                self._containers[(database, name)] = proxy
        return proxy

    def key_paths(self, container: str) -> tuple[str, ...]:
        """The fields of the container's partition key, as this store addresses it."""
        spec = self._indexes.spec(container)
        paths = spec.partition_key if spec is not None else TENANT_KEY
        return paths if self._hierarchical else paths[:1]

    def _open(self, database: str, name: str) -> ContainerProxy:
        if not self._create:
            return self._client.get_database_client(database).get_container_client(name)
        paths = [f"/{field}" for field in self.key_paths(name)]
        spec = self._indexes.spec(name)
        db = self._client.create_database_if_not_exists(id=database)
        return db.create_container_if_not_exists(
            id=name,
            partition_key=PartitionKey(path=paths, kind="MultiHash") if len(paths) > 1 else PartitionKey(path=paths[0]),
            default_ttl=-1,
            indexing_policy=indexing_policy(spec) if spec is not None else index_everything(self._orderings),
        )

    def _key(self, container: str, partition_key: str, doc_id: str) -> PartitionKeyValue:
        """The full partition key of the document ``doc_id`` of the tenant ``partition_key``."""
        values = [doc_id if field == "id" else partition_key for field in self.key_paths(container)]
        return values[0] if len(values) == 1 else values

    def _meter(self, tenant: str, container: str | None = None) -> _Responses:
        return _Responses(self._charges, PLATFORM if container in self._unmetered else tenant)

    def _for(self, container: str, partition_key: str) -> ContainerProxy:
        return self._container(self._database_for(partition_key), container)

    @staticmethod
    def _owned(found: Mapping[str, Any], partition_key: str, doc_id: str) -> Document:
        if found.get(PARTITION_FIELD) != partition_key:
            raise NotFound(f"document {doc_id!r} does not exist")
        return _returned(found)

    def request_charges(self) -> dict[str, float]:
        """The request units charged to each tenant so far (the platform's own left out)."""
        totals = self._charges.snapshot() if self._charges is not None else {}
        return {tenant: units for tenant, units in totals.items() if tenant != PLATFORM}

    # --- point operations ---------------------------------------------------------------

    def read(self, container: str, partition_key: str, doc_id: str) -> Document:
        """The document, or NotFound (also when it belongs to another tenant)."""
        proxy = self._for(container, partition_key)
        if not _could_exist(doc_id):
            raise NotFound(f"document {doc_id!r} does not exist")
        with cosmos_errors():
            found = proxy.read_item(
                item=doc_id,
                partition_key=self._key(container, partition_key, doc_id),
                response_hook=self._meter(partition_key, container),
            )
        return self._owned(found, partition_key, doc_id)

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        """Insert a new document; Conflict if the id exists."""
        proxy, body = self._for(container, partition_key), _outgoing(partition_key, doc)
        with cosmos_errors():
            created = proxy.create_item(body=body, response_hook=self._meter(partition_key, container))
        return self._owned(created, partition_key, body["id"])

    def upsert(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Insert or replace; with if_match the document must exist with that ETag."""
        if if_match is None:
            proxy, body = self._for(container, partition_key), _outgoing(partition_key, doc)
            with cosmos_errors():
                written = proxy.upsert_item(body=body, response_hook=self._meter(partition_key, container))
            return self._owned(written, partition_key, body["id"])
        try:
            return self.replace(container, partition_key, doc, if_match=if_match)
        except NotFound as exc:  # a missing document cannot carry the expected ETag
            raise PreconditionFailed(f"document {doc['id']!r} has changed") from exc

    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        """Replace an existing document of the tenant, optionally only over the given ETag."""
        proxy, body = self._for(container, partition_key), _outgoing(partition_key, doc)

        def write(precondition: dict[str, Any]) -> Document:
            return self._owned(
                proxy.replace_item(
                    item=body["id"], body=body, response_hook=self._meter(partition_key, container), **precondition
                ),
                partition_key,
                body["id"],
            )

        return self._over_owned(proxy, container, partition_key, body["id"], if_match, write)

    def delete(self, container: str, partition_key: str, doc_id: str, *, if_match: str | None = None) -> None:
        """Delete a document of the tenant, optionally only over the given ETag."""
        proxy = self._for(container, partition_key)
        if not _could_exist(doc_id):
            raise NotFound(f"document {doc_id!r} does not exist")

        def write(precondition: dict[str, Any]) -> None:
            proxy.delete_item(
                item=doc_id,
                partition_key=self._key(container, partition_key, doc_id),
                response_hook=self._meter(partition_key, container),
                **precondition,
            )

        self._over_owned(proxy, container, partition_key, doc_id, if_match, write)

    def _over_owned(
        self,
        proxy: ContainerProxy,
        container: str,
        partition_key: str,
        doc_id: str,
        if_match: str | None,
        write: Callable[[dict[str, Any]], _Written],
    ) -> _Written:
        """``write``, with ``if_match`` as its precondition. With ``read_before_write``, over the current
        version once it is read and found to be the tenant's: a server that ignored the partition key (the
        emulator) would otherwise replace or delete another tenant's document of the same id. The ETag read
        is then the write's precondition; without ``if_match`` a version written in between is read and
        checked again, a few times, before the write gives up as PreconditionFailed."""
        if not self._read_before_write:
            with cosmos_errors():
                return write(_precondition(if_match))
        for _ in range(0 if if_match is not None else _OWNED_WRITE_ATTEMPTS - 1):
            with suppress(PreconditionFailed):
                return self._write_checked(proxy, container, partition_key, doc_id, if_match, write)
        return self._write_checked(proxy, container, partition_key, doc_id, if_match, write)

    def _write_checked(
        self,
        proxy: ContainerProxy,
        container: str,
        partition_key: str,
        doc_id: str,
        if_match: str | None,
        write: Callable[[dict[str, Any]], _Written],
    ) -> _Written:
        with cosmos_errors():
            found = proxy.read_item(
                item=doc_id,
                partition_key=self._key(container, partition_key, doc_id),
                response_hook=self._meter(partition_key, container),
            )
        current = self._owned(found, partition_key, doc_id).get("_etag")
        if if_match is not None and if_match != current:
            raise PreconditionFailed(f"document {doc_id!r} has changed")
        with cosmos_errors():
            return write(_precondition(current))

    # --- queries ------------------------------------------------------------------------

    def query(self, container: str, query: Query, *, partition_key: str | None) -> Page:
        """One page of matching documents in (order_by, id) order; across partitions, of every
        database a tenant is placed in."""
        self._indexes.check(container, query, cross_partition=partition_key is None)
        database = self._database_for(partition_key)
        paths = self.key_paths(container)
        if partition_key is not None and paths[0] != PARTITION_FIELD:
            raise TypeError(f"{container!r} is partitioned by /{paths[0]}: its documents are read by id, not queried")
        prefix = partition_key is not None and len(paths) > 1
        plan = CosmosQuery(database, container, partition_key, query, keyset=prefix)
        with cosmos_errors():
            if partition_key is None:
                return self._cross_partition_page(container, plan)
            proxy = self._container(database, container)
            if prefix:
                return self._prefix_page(proxy, plan, partition_key, container)
            return self._partition_page(proxy, plan, partition_key, container)

    def _partition_page(self, proxy: ContainerProxy, plan: CosmosQuery, partition_key: str, container: str) -> Page:
        """Native pages of one partition, joined until the limit is reached."""
        limit, found, native = plan.query.limit, list[Document](), plan.native
        for _ in range(_FILL_ROUNDS):
            responses = self._meter(partition_key, container)
            paged = proxy.query_items(
                plan.text,
                parameters=plan.parameters,
                partition_key=partition_key,
                max_item_count=limit - len(found),
                response_hook=responses,
            )
            page, native = _first_page(paged, native, responses, "x-ms-continuation")
            found += page
            if native is None or len(found) >= limit:
                break
        items = [_returned(d) for d in found if d.get(PARTITION_FIELD) == partition_key]
        return Page(items=items, continuation=plan.native_token(native) if native else None)

    @staticmethod
    def _keyset_page(plan: CosmosQuery, found: list[Document]) -> Page:
        """A keyset page of up to one row more than asked for: the extra row says a next page exists."""
        limit = plan.query.limit
        more = len(found) > limit
        items = [_returned(d) for d in found[:limit]]
        return Page(items=items, continuation=plan.keyset_token(found[limit - 1]) if more else None)

    @staticmethod
    def _first_rows(paged: Iterable[dict[str, Any]], limit: int, keep: Callable[[Document], bool]) -> list[Document]:
        rows: list[Document] = []
        for item in paged:
            if keep(item):
                rows.append(item)
            if len(rows) > limit:
                break
        return rows

    def _prefix_page(self, proxy: ContainerProxy, plan: CosmosQuery, partition_key: str, container: str) -> Page:
        """One tenant's page of a container keyed by /tenantId then /id: a query on the key's prefix
        ``[tenant]``, which may span physical partitions, so it resumes by keys as a cross-partition
        page does (the SDK resumes no ORDER BY over several ranges from a continuation)."""
        limit = plan.query.limit
        paged = proxy.query_items(
            plan.text,
            parameters=plan.parameters,
            partition_key=[partition_key],
            max_item_count=limit + 1,
            response_hook=self._meter(partition_key, container),
        )
        return self._keyset_page(
            plan, self._first_rows(paged, limit, lambda d: d.get(PARTITION_FIELD) == partition_key)
        )

    def _placed_in(self, database: str) -> Callable[[Document], bool]:
        """Whether a document's tenant is placed in ``database`` (a document counts only there)."""
        return lambda doc: self._database_for(doc.get(PARTITION_FIELD)) == database

    def _cross_partition_page(self, container: str, plan: CosmosQuery) -> Page:
        """One more row than asked for tells whether a next page exists; it resumes by keys. With
        tenants placed in dedicated databases, each database answers the same keyset query and the
        pages are merged in the query's order (a document counts only in its tenant's database)."""
        limit = plan.query.limit
        pages = []
        for database in self._databases():
            paged = self._container(database, container).query_items(
                plan.text,
                parameters=plan.parameters,
                enable_cross_partition_query=True,
                max_item_count=limit + 1,
                response_hook=self._meter(PLATFORM),
            )
            pages.append(self._first_rows(paged, limit, self._placed_in(database)))

        found = merge_sorted(pages, plan.keys)[: limit + 1] if len(pages) > 1 else pages[0]
        return self._keyset_page(plan, found)

    # --- change feed --------------------------------------------------------------------

    def _databases(self) -> list[str]:
        return [self._database, *sorted(set(self._placement.values()) - {self._database})]

    def read_changes(
        self, container: str, continuation: str | None = None, *, max_items: int = 100, placement: str | None = None
    ) -> ChangePage:
        """Documents written after the continuation, in write order, latest versions: of every
        database, or with ``placement`` of that one alone (the shared database or one the map
        places a tenant in; InvalidInput for any other)."""
        validate_container_name(container)
        databases = self._databases()
        if placement is not None:
            if placement not in databases:
                raise InvalidInput(f"no tenant is placed in the database {placement!r}")
            databases = [placement]
        feed = f"{databases[0]}/{container}"
        positions = feed_positions(continuation, feed, databases)
        items: list[Document] = []
        wanted = max(1, min(max_items, _MAX_FEED_PAGE))
        for database in databases:
            if len(items) >= wanted:
                break
            changes, positions[database] = self._changes_in(
                database, container, positions[database], wanted - len(items)
            )
            items += changes
        return ChangePage(items=items, continuation=encode_token({"f": feed, "p": positions}))

    def _changes_in(
        self, database: str, container: str, position: str | None, wanted: int
    ) -> tuple[list[Document], str | None]:
        """One change-feed page of one database; the position stays put when nothing changed."""
        proxy = self._container(database, container)
        responses = self._meter(PLATFORM)
        options: dict[str, Any] = {"max_item_count": wanted, "response_hook": responses}
        with cosmos_errors():
            try:
                if position is None:
                    feed = proxy.query_items_change_feed(start_time="Beginning", mode="LatestVersion", **options)
                else:
                    feed = proxy.query_items_change_feed(continuation=position, **options)
                # The SDK rewrites the response's etag into its own resumable feed state.
                found, after = _first_page(feed, None, responses, "etag")
            except (ValueError, KeyError, TypeError) as exc:
                if position is None:
                    raise
                raise InvalidInput("the continuation token is not valid") from exc
        # A document is reported only by the database its tenant is placed in.
        items = [_returned(d) for d in found if self._database_for(d.get(PARTITION_FIELD)) == database]
        return items, (after or position) if found else position

    # --- readiness ----------------------------------------------------------------------

    def ping(self) -> None:
        """Raise Unavailable if the shared database cannot be read."""
        try:
            with cosmos_errors():
                if self._create:
                    self._client.create_database_if_not_exists(id=self._database)
                self._client.get_database_client(self._database).read()
        except DomainError as exc:
            raise Unavailable("Cosmos DB is not reachable") from exc
