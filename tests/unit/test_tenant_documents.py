"""DictDocuments: the partition and tenant predicate are added for the caller, and a
document of another tenant never comes back, even if an adapter misbehaves."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import NotFound
from shared.platform.documents import ChangePage, Document, DocumentStore, Filter, Page, Query
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.roles import Role

CTX = TenantContext(tenant_id="acme", user_id="u1", roles=frozenset({Role.TENANT_ADMIN}))


class LeakyStore(DocumentStore):
    """A broken adapter that ignores partitions and records what it was asked."""

    def __init__(self, docs: list[Document]) -> None:
        self.docs = docs
        self.calls: list[tuple[str, Any]] = []

    def read(self, container: str, partition_key: str, doc_id: str) -> Document:
        self.calls.append(("read", partition_key))
        return next(d for d in self.docs if d["id"] == doc_id)

    def create(self, container: str, partition_key: str, doc: Document) -> Document:
        self.calls.append(("create", (partition_key, doc)))
        return doc

    def upsert(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        self.calls.append(("upsert", (partition_key, doc)))
        return doc

    def replace(self, container: str, partition_key: str, doc: Document, *, if_match: str | None = None) -> Document:
        self.calls.append(("replace", (partition_key, doc)))
        return doc

    def delete(self, container: str, partition_key: str, doc_id: str, *, if_match: str | None = None) -> None:
        self.calls.append(("delete", partition_key))

    def query(self, container: str, query: Query, *, partition_key: str | None) -> Page:
        self.calls.append(("query", (partition_key, query)))
        return Page(items=list(self.docs))

    def read_changes(self, container: str, continuation: str | None = None, *, max_items: int = 100) -> ChangePage:
        return ChangePage()


def test_writes_are_stamped_with_the_callers_tenant_whatever_the_document_says() -> None:
    store = LeakyStore([])
    DictDocuments(store, "users", CTX).create({"id": "x", "tenantId": "evil"})
    _op, (partition, doc) = store.calls[0]
    assert (partition, doc["tenantId"]) == ("acme", "acme")


def test_queries_carry_the_partition_and_a_tenant_predicate() -> None:
    store = LeakyStore([])
    DictDocuments(store, "users", CTX).query([Filter("status", "eq", "active")])
    _, (partition, query) = store.calls[0]
    assert partition == "acme"
    assert Filter("tenantId", "eq", "acme") in query.filters


def test_a_document_of_another_tenant_reads_as_not_found() -> None:
    store = LeakyStore([{"id": "x", "tenantId": "other"}])
    with pytest.raises(NotFound):
        DictDocuments(store, "users", CTX).read("x")


def test_documents_of_another_tenant_are_dropped_from_query_results() -> None:
    store = LeakyStore([{"id": "a", "tenantId": "acme"}, {"id": "b", "tenantId": "other"}])
    page = DictDocuments(store, "users", CTX).query()
    assert [d["id"] for d in page.items] == ["a"]


def test_a_repository_cannot_be_built_without_a_tenant_context() -> None:
    with pytest.raises(TypeError):
        DictDocuments(LeakyStore([]), "users", "acme")  # type: ignore[arg-type]
