"""Tenant isolation by construction.

A ``TenantContext`` comes only from a validated token (or, for platform work, from a
named SuperAdmin operation). ``TenantDocuments`` is the only way contexts reach the
document store: it cannot be built without a context, it stamps ``tenantId`` on every
write, passes the tenant as the partition key, adds a ``tenantId`` predicate to every
query, and refuses to return a document of another tenant whatever the adapter did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from shared.errors import NotFound, PreconditionFailed
from shared.platform.documents import (
    PARTITION_FIELD,
    Document,
    DocumentStore,
    Filter,
    Order,
    Page,
    Query,
)
from shared.platform.stored import StoredDocument, check_field_path, to_document
from shared.roles import Role

__all__ = [
    "DictDocuments",
    "ModelPage",
    "PlatformDocuments",
    "TenantContext",
    "TenantDocuments",
    "system_context",
]

M = TypeVar("M", bound=StoredDocument)


@dataclass(frozen=True)
class TenantContext:
    """The tenant and caller a piece of work is done for."""

    tenant_id: str
    user_id: str
    roles: frozenset[Role]

    def has_any(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


def system_context(tenant_id: str, actor: str) -> TenantContext:
    """The context of work the platform does for a tenant on its own account (an event handler, a
    sweep): built from the tenant id the event or the tenant list carries, not from a token, with
    ``actor`` (``system:<context>``) as the user and no roles."""
    return TenantContext(tenant_id=tenant_id, user_id=actor, roles=frozenset())


@dataclass(frozen=True)
class ModelPage(Generic[M]):
    items: list[M] = field(default_factory=list)
    continuation: str | None = None


class TenantDocuments(Generic[M]):
    """One kind of document (the model ``M``) in one container, seen from inside one tenant.

    Reads come back as ``M`` (with ``etag`` set), writes take ``M``; the tenant is stamped on every
    write and checked on every read. A model with a ``KIND`` reads only documents whose ``type`` is
    that kind, so kinds that share a container never read as each other. Query fields are checked
    against the model: a misspelt field raises ``TypeError`` instead of matching nothing."""

    def __init__(self, store: DocumentStore, container: str, ctx: TenantContext, model: type[M]) -> None:
        self._raw = DictDocuments(store, container, ctx)
        self._model = model

    @property
    def model(self) -> type[M]:
        return self._model

    def _load(self, doc: Document) -> M:
        kind = self._model.KIND
        if kind is not None and doc.get("type") != kind:
            raise NotFound()
        return self._model.model_validate(doc)

    def read(self, doc_id: str) -> M:
        return self._load(self._raw.read(doc_id))

    def find(self, doc_id: str) -> M | None:
        """The document, or None when there is none (a missing document is an answer, not an error)."""
        try:
            return self.read(doc_id)
        except NotFound:
            return None

    def _written(self, doc: M, stored: Document) -> M:
        """``doc`` as stored: what was written is what ``doc`` holds, so only the store's system
        properties are taken from the answer (validating the written document again would double
        the cost of every write on the hot paths, progress and exam starts)."""
        return doc.model_copy(
            update={"tenantId": stored[PARTITION_FIELD], "etag": stored.get("_etag"), "ts": stored.get("_ts")}
        )

    def create(self, doc: M) -> M:
        return self._written(doc, self._raw.create(to_document(doc)))

    def upsert(self, doc: M, *, if_match: str | None = None) -> M:
        return self._written(doc, self._raw.upsert(to_document(doc), if_match=if_match))

    def replace(self, doc: M, *, if_match: str | None = None) -> M:
        return self._written(doc, self._raw.replace(to_document(doc), if_match=if_match))

    def delete(self, doc_id: str, *, if_match: str | None = None) -> None:
        self._raw.delete(doc_id, if_match=if_match)

    def _checked(self, filters: Sequence[Filter], order_by: Sequence[Order]) -> None:
        for path in (*(f.field for f in filters), *(o.field for o in order_by)):
            check_field_path(self._model, path)

    def query(
        self,
        filters: Sequence[Filter] = (),
        *,
        order_by: Sequence[Order] = (),
        limit: int = 50,
        continuation: str | None = None,
    ) -> ModelPage[M]:
        self._checked(filters, order_by)
        kind = self._model.KIND
        if kind is not None:
            filters = (Filter("type", "eq", kind), *filters)
        page = self._raw.query(filters, order_by=order_by, limit=limit, continuation=continuation)
        return ModelPage([self._model.model_validate(d) for d in page.items], page.continuation)

    def rewrite_matching(self, filters: Sequence[Filter], rewrite: Callable[[M], M], *, page_size: int = 100) -> int:
        """Replace every document matching ``filters`` with ``rewrite(doc)`` (ETag-guarded); return
        how many were replaced. ``rewrite`` must take a document out of the filter, because each
        round reads from the start; one that changed meanwhile is skipped, left to a later sweep."""
        rewritten = 0
        while True:
            page = self.query(filters, limit=page_size)
            for doc in page.items:
                try:
                    self.replace(rewrite(doc), if_match=doc.etag)
                except (PreconditionFailed, NotFound):
                    continue
                rewritten += 1
            if len(page.items) < page_size:
                return rewritten


class DictDocuments:
    """One container, seen from inside one tenant, as plain JSON documents (what ``TenantDocuments``
    is built on; contexts use ``TenantDocuments`` and its models)."""

    def __init__(self, store: DocumentStore, container: str, ctx: TenantContext) -> None:
        if not isinstance(ctx, TenantContext):
            raise TypeError("TenantDocuments needs a TenantContext")
        self._store = store
        self._container = container
        self._tenant = ctx.tenant_id

    def _own(self, doc: Document) -> Document:
        if doc.get(PARTITION_FIELD) != self._tenant:
            # Defense in depth: an adapter bug must look like a missing document, not a leak.
            raise NotFound()
        return doc

    def _stamped(self, doc: Document) -> Document:
        return {**doc, PARTITION_FIELD: self._tenant}

    def read(self, doc_id: str) -> Document:
        return self._own(self._store.read(self._container, self._tenant, doc_id))

    def create(self, doc: Document) -> Document:
        return self._own(self._store.create(self._container, self._tenant, self._stamped(doc)))

    def upsert(self, doc: Document, *, if_match: str | None = None) -> Document:
        stored = self._store.upsert(self._container, self._tenant, self._stamped(doc), if_match=if_match)
        return self._own(stored)

    def replace(self, doc: Document, *, if_match: str | None = None) -> Document:
        stored = self._store.replace(self._container, self._tenant, self._stamped(doc), if_match=if_match)
        return self._own(stored)

    def delete(self, doc_id: str, *, if_match: str | None = None) -> None:
        self.read(doc_id)
        self._store.delete(self._container, self._tenant, doc_id, if_match=if_match)

    def query(
        self,
        filters: Sequence[Filter] = (),
        *,
        order_by: Sequence[Order] = (),
        limit: int = 50,
        continuation: str | None = None,
    ) -> Page:
        query = Query(
            filters=(Filter(PARTITION_FIELD, "eq", self._tenant), *filters),
            order_by=tuple(order_by),
            limit=limit,
            continuation=continuation,
        )
        page = self._store.query(self._container, query, partition_key=self._tenant)
        return replace(page, items=[d for d in page.items if d.get(PARTITION_FIELD) == self._tenant])

    def rewrite_matching(
        self, filters: Sequence[Filter], rewrite: Callable[[Document], Document], *, page_size: int = 100
    ) -> int:
        """Replace every document matching ``filters`` with ``rewrite(doc)`` (ETag-guarded); return
        how many were replaced. ``rewrite`` must take a document out of the filter, because each
        round reads from the start; one that changed meanwhile is skipped, left to a later sweep."""
        rewritten = 0
        while True:
            page = self.query(filters, limit=page_size)
            for doc in page.items:
                try:
                    self.replace(rewrite(doc), if_match=doc["_etag"])
                except (PreconditionFailed, NotFound):
                    continue
                rewritten += 1
            if len(page.items) < page_size:
                return rewritten


class PlatformDocuments:
    """Named platform-admin access to one container across tenants (SuperAdmin work,
    public lookups by tenant id). Kept apart so every cross-partition read is visible."""

    def __init__(self, store: DocumentStore, container: str) -> None:
        self._store = store
        self._container = container

    def read_in(self, tenant_id: str, doc_id: str) -> Document:
        return self._store.read(self._container, tenant_id, doc_id)

    def create_in(self, tenant_id: str, doc: Document) -> Document:
        return self._store.create(self._container, tenant_id, {**doc, PARTITION_FIELD: tenant_id})

    def upsert_in(self, tenant_id: str, doc: Document) -> Document:
        return self._store.upsert(self._container, tenant_id, {**doc, PARTITION_FIELD: tenant_id})

    def query_across_tenants(
        self,
        filters: Sequence[Filter] = (),
        *,
        order_by: Sequence[Order] = (),
        limit: int = 50,
        continuation: str | None = None,
    ) -> Page:
        query = Query(tuple(filters), tuple(order_by), limit, continuation)
        return self._store.query(self._container, query, partition_key=None)
