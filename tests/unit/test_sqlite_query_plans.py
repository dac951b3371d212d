"""Every query the code declares is served by an index on the embedded profile: SQLite's plan for
a comparison on each declared field of each container searches an index (never scans the table or
a whole tenant's partition), so a query's cost follows the rows it matches, not the rows stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.containers import DOCUMENT_CONTAINERS
from shared.platform._sqlite_documents import SqliteDocumentStore, field_index_name
from shared.platform._sqlite_query import Translated
from shared.platform.documents import Filter, Query

DECLARED = [(spec.name, field) for spec in DOCUMENT_CONTAINERS for field in spec.filters if field != "id"]


def _plan(path: Path, container: str, partition: str | None, query: Query) -> str:
    translated = Translated(container, partition, query, 0.0)
    with sqlite3.connect(path) as db:
        rows = db.execute(f"EXPLAIN QUERY PLAN {translated.sql}", translated.params).fetchall()
    return " | ".join(str(r[-1]) for r in rows)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "documents.sqlite3"
    SqliteDocumentStore(path, containers=DOCUMENT_CONTAINERS)
    return path


def test_every_container_declares_what_its_queries_compare() -> None:
    assert len(DECLARED) >= 15


@pytest.mark.parametrize(("container", "field"), DECLARED, ids=[f"{c}.{f}" for c, f in DECLARED])
def test_a_declared_comparison_searches_its_field_index(database: Path, container: str, field: str) -> None:
    plan = _plan(database, container, "tenant-a", Query(filters=(Filter(field, "eq", "x"),)))
    assert f"USING INDEX {field_index_name(container, field)}" in plan, plan
    assert "SCAN documents" not in plan, plan


def test_without_the_field_indexes_the_same_query_reads_the_whole_partition(tmp_path: Path) -> None:
    path = tmp_path / "bare.sqlite3"
    SqliteDocumentStore(path)  # no declared containers: no field indexes
    container, field = (
        next((c, f) for c, f in DECLARED if c == "attempts")
        if any(c == "attempts" for c, _ in DECLARED)
        else DECLARED[0]
    )
    plan = _plan(path, container, "tenant-a", Query(filters=(Filter(field, "eq", "x"),)))
    assert field_index_name(container, field) not in plan
