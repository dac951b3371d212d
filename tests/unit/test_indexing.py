"""Each container's indexing policy is generated from what its queries declare, and a query that uses a
path its container does not index is refused wherever the code runs it (both adapters, every profile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from shared.bootstrap import bootstrap, document_containers
from shared.enrollment.model import ENROLLMENTS
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.documents import ID_KEY, TENANT_THEN_ID_KEY, ContainerSpec, Filter, Order, Query
from shared.platform.indexing import DeclaredIndexes, UndeclaredIndex, index_everything, indexing_policy
from shared.platform.stored import StoredDocument
from shared.platform.tenancy import TenantDocuments, system_context
from shared.settings import Settings
from shared.tenancy.model import USERS

NEWEST = (Order("at", descending=True), Order("id", descending=True))
SPEC = ContainerSpec("things", orderings=(NEWEST, (Order("seq"),)), filters=("status", "owner.id"), arrays=("tags",))


def paths(policy: dict[str, Any], key: str) -> list[str]:
    return [p["path"] for p in policy[key]]


def test_a_policy_indexes_exactly_the_declared_paths_and_excludes_the_rest() -> None:
    policy = indexing_policy(SPEC)
    # The partition key (Cosmos DB does not index it by itself), the filters, the ordered fields, the arrays.
    assert paths(policy, "includedPaths") == [
        "/tenantId/?",
        "/status/?",
        "/owner/id/?",
        "/at/?",
        "/seq/?",
        "/tags/[]/?",
    ]
    assert paths(policy, "excludedPaths") == ["/*", '/"_etag"/?']
    assert policy["indexingMode"] == "consistent"
    # One composite per ordering in one partition and across partitions (then tenantId), and the plain
    # cross-partition (id, tenantId) order.
    assert policy["compositeIndexes"] == [
        [{"path": "/at", "order": "descending"}, {"path": "/id", "order": "descending"}],
        [
            {"path": "/at", "order": "descending"},
            {"path": "/id", "order": "descending"},
            {"path": "/tenantId", "order": "ascending"},
        ],
        [{"path": "/seq", "order": "ascending"}, {"path": "/id", "order": "ascending"}],
        [
            {"path": "/seq", "order": "ascending"},
            {"path": "/id", "order": "ascending"},
            {"path": "/tenantId", "order": "ascending"},
        ],
        [{"path": "/id", "order": "ascending"}, {"path": "/tenantId", "order": "ascending"}],
    ]


def test_id_and_ts_are_never_listed_because_cosmos_always_indexes_them() -> None:
    policy = indexing_policy(ContainerSpec("things", filters=("id", "_ts", "status"), partition_key=TENANT_THEN_ID_KEY))
    assert paths(policy, "includedPaths") == ["/tenantId/?", "/status/?"]
    assert paths(indexing_policy(ContainerSpec("leases", partition_key=ID_KEY)), "includedPaths") == []


def test_a_container_no_spec_declares_indexes_everything_with_the_orderings_given() -> None:
    policy = index_everything([(Order("rank"),)])
    assert paths(policy, "includedPaths") == ["/*"] and "excludedPaths" not in policy
    assert [{"path": "/rank", "order": "ascending"}, {"path": "/id", "order": "ascending"}] in policy[
        "compositeIndexes"
    ]


def test_every_platform_container_indexes_only_its_declared_paths() -> None:
    for spec in document_containers():
        assert paths(indexing_policy(spec), "excludedPaths")[0] == "/*", spec.name


@pytest.mark.parametrize(
    ("query", "cross_partition"),
    [
        (Query(filters=(Filter("tenantId", "eq", "t"), Filter("status", "in", ["a"]))), False),
        (Query(filters=(Filter("owner.id", "eq", "u"), Filter("id", "ge", "a"), Filter("_ts", "gt", 1))), False),
        (Query(filters=(Filter("tags", "contains", "x"), Filter("seq", "lt", 3)), order_by=NEWEST), False),
        (Query(order_by=NEWEST), True),
        (Query(order_by=(Order("seq"),)), True),
        (Query(order_by=(Order("id"),)), True),
        (Query(), False),
        (Query(filters=(Filter("status", "exists", False),), order_by=(Order("id", descending=True),)), False),
    ],
    ids=repr,
)
def test_a_query_within_the_declaration_passes(query: Query, cross_partition: bool) -> None:
    DeclaredIndexes([SPEC]).check("things", query, cross_partition=cross_partition)


@pytest.mark.parametrize(
    ("query", "cross_partition", "says"),
    [
        (Query(filters=(Filter("colour", "eq", "red"),)), False, "filters on 'colour'"),
        (Query(filters=(Filter("owner.name", "eq", "x"),)), False, "filters on 'owner.name'"),
        (Query(filters=(Filter("status", "contains", "a"),)), False, "arrays"),  # an array path, not a range one
        (Query(filters=(Filter("tags", "eq", "a"),)), False, "filters on 'tags'"),
        (Query(order_by=(Order("status"),)), False, "orders by (status ASC, id ASC)"),
        (Query(order_by=(Order("seq", descending=True),)), False, "orders by (seq DESC, id ASC)"),
        (Query(order_by=(Order("at", descending=True),)), False, "orders by (at DESC, id ASC)"),
    ],
    ids=repr,
)
def test_a_query_on_an_undeclared_path_or_ordering_is_refused(query: Query, cross_partition: bool, says: str) -> None:
    with pytest.raises(UndeclaredIndex, match=says.replace("(", r"\(").replace(")", r"\)")):
        DeclaredIndexes([SPEC]).check("things", query, cross_partition=cross_partition)


def test_a_query_on_a_container_nobody_declared_is_refused_unless_nothing_is_declared() -> None:
    with pytest.raises(UndeclaredIndex, match="no ContainerSpec"):
        DeclaredIndexes([SPEC]).check("others", Query(), cross_partition=False)
    DeclaredIndexes(None).check("others", Query(filters=(Filter("anything", "eq", 1),)), cross_partition=False)


class Enrollment(StoredDocument):
    KIND: ClassVar[str] = "enrollment"
    type: str = "enrollment"
    userId: str = ""
    grade: str = ""  # a field of the model that no query of the code uses, so its container does not index it


def test_the_platform_every_test_builds_refuses_an_undeclared_query_the_code_might_add(tmp_path: Path) -> None:
    """The composition root gives the adapter the declared containers, so the API, unit and e2e tests,
    which run every context's queries on platforms it builds, fail on a query its container cannot serve."""
    platform = bootstrap(Settings(data_dir=tmp_path / "data"))
    docs = TenantDocuments(platform.documents, ENROLLMENTS, system_context("acme", "system:test"), Enrollment)
    docs.create(Enrollment(id="e1", userId="u1", grade="A"))
    assert [e.id for e in docs.query([Filter("userId", "eq", "u1")]).items] == ["e1"]  # declared: served
    with pytest.raises(UndeclaredIndex, match="filters on 'grade'"):
        docs.query([Filter("grade", "eq", "A")])
    with pytest.raises(UndeclaredIndex, match="orders by"):
        docs.query(order_by=[Order("userId")])
    with pytest.raises(UndeclaredIndex, match="arrays"):
        platform.documents.query(USERS, Query(filters=(Filter("email", "contains", "x"),)), partition_key="acme")


def test_the_sqlite_adapter_checks_only_when_given_the_containers(tmp_path: Path) -> None:
    checked = SqliteDocumentStore(tmp_path / "a.sqlite3", containers=[SPEC])
    unchecked = SqliteDocumentStore(tmp_path / "b.sqlite3")
    undeclared = Query(filters=(Filter("colour", "eq", "red"),))
    with pytest.raises(UndeclaredIndex):
        checked.query("things", undeclared, partition_key="t")
    assert unchecked.query("things", undeclared, partition_key="t").items == []
