"""TenantDocuments (and the DictDocuments it is built on): the partition and tenant predicate are added
for the caller, a document of another tenant never comes back, even if an adapter misbehaves, and a
typed collection reads and writes models, checks its query fields and tells document kinds apart."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pytest
from pydantic import BaseModel

from shared.errors import NotFound
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.documents import ChangePage, Document, DocumentStore, Filter, Page, Query
from shared.platform.stored import StoredDocument, check_field_path
from shared.platform.tenancy import DictDocuments, TenantContext, TenantDocuments
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


# --- typed documents --------------------------------------------------------------------------


class Lesson(BaseModel):
    title: str
    seconds: float = 0


class Course(StoredDocument):
    KIND: ClassVar[str] = "course"
    type: Literal["course"] = "course"
    title: str
    lessons: dict[str, Lesson] = {}
    outline: list[Lesson] = []
    meta: dict[str, Any] = {}
    publishedAt: str | None = None


class Policy(StoredDocument):
    KIND: ClassVar[str] = "policy"
    type: Literal["policy"] = "policy"
    ratio: float


def _embedded(tmp_path: Any) -> SqliteDocumentStore:
    return SqliteDocumentStore(tmp_path / "docs.sqlite3")


def test_a_model_is_written_as_its_json_and_read_back_with_its_etag(tmp_path: Any) -> None:
    courses = TenantDocuments(_embedded(tmp_path), "courses", CTX, Course)
    stored = courses.create(Course(id="c1", title="Intro", lessons={"l1": Lesson(title="One", seconds=3)}))
    assert stored.tenantId == "acme" and stored.etag
    again = courses.read("c1")
    assert again == stored
    assert again.lessons["l1"].seconds == 3


def test_fields_a_model_does_not_know_survive_a_rewrite(tmp_path: Any) -> None:
    store = _embedded(tmp_path)
    store.create("courses", "acme", {"id": "c1", "tenantId": "acme", "type": "course", "title": "A", "newer": [1]})
    courses = TenantDocuments(store, "courses", CTX, Course)
    course = courses.read("c1")
    courses.replace(course.model_copy(update={"title": "B"}), if_match=course.etag)
    assert store.read("courses", "acme", "c1")["newer"] == [1]


def test_no_system_field_and_no_empty_ttl_is_written(tmp_path: Any) -> None:
    store = LeakyStore([])
    TenantDocuments(store, "courses", CTX, Course).create(Course(id="c1", title="A", _etag="e", _ts=5))
    _op, (_partition, doc) = store.calls[0]
    assert not {"_etag", "_ts", "etag", "ts", "ttl"} & set(doc)


def test_another_kind_under_the_same_id_reads_as_not_found(tmp_path: Any) -> None:
    store = _embedded(tmp_path)
    TenantDocuments(store, "courses", CTX, Policy).create(Policy(id="p", ratio=0.8))
    with pytest.raises(NotFound):
        TenantDocuments(store, "courses", CTX, Course).read("p")
    assert TenantDocuments(store, "courses", CTX, Course).find("p") is None


def test_a_query_lists_only_its_kind(tmp_path: Any) -> None:
    store = _embedded(tmp_path)
    TenantDocuments(store, "courses", CTX, Policy).create(Policy(id="p", ratio=0.8))
    courses = TenantDocuments(store, "courses", CTX, Course)
    courses.create(Course(id="c", title="A"))
    assert [c.id for c in courses.query().items] == ["c"]


@pytest.mark.parametrize("path", ["title", "lessons.l1.title", "outline.title", "meta.anything.below", "_ts", "id"])
def test_a_query_on_a_field_of_the_model_is_accepted(path: str) -> None:
    check_field_path(Course, path)


@pytest.mark.parametrize("path", ["titel", "outline.name", "publishedAt.year", "tenant"])
def test_a_query_on_a_field_the_model_lacks_is_a_type_error(path: str) -> None:
    store = LeakyStore([])
    with pytest.raises(TypeError):
        TenantDocuments(store, "courses", CTX, Course).query([Filter(path, "eq", "x")])
    assert store.calls == []


def test_a_typed_collection_never_returns_another_tenants_document() -> None:
    store = LeakyStore([{"id": "x", "tenantId": "other", "type": "course", "title": "T"}])
    with pytest.raises(NotFound):
        TenantDocuments(store, "courses", CTX, Course).read("x")
    assert TenantDocuments(store, "courses", CTX, Course).query().items == []
