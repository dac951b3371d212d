"""Benchmark of the document store port on the embedded SQLite adapter.

Prints operations per second for point reads, ETag-guarded upserts (read, modify,
replace with if_match), queries by field, and change-feed reads. Reproducible: a fixed
seed and data shape; the numbers depend on the machine. Run: `make bench`.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.documents import Filter, Order, Query

TENANTS = 10
DOCS_PER_TENANT = 2_000
SEED = 20261125


def _measure(name: str, operations: int, run: Callable[[int], None]) -> tuple[str, int, float]:
    start = time.perf_counter()
    for i in range(operations):
        run(i)
    elapsed = time.perf_counter() - start
    return name, operations, operations / elapsed


def _load(store: SqliteDocumentStore) -> None:
    rng = random.Random(SEED)
    for t in range(TENANTS):
        for i in range(DOCS_PER_TENANT):
            store.create(
                "progress",
                f"tenant-{t}",
                {
                    "id": f"doc-{i:05d}",
                    "tenantId": f"tenant-{t}",
                    "courseId": f"course-{rng.randrange(40)}",
                    "percent": rng.randrange(101),
                    "lessons": {f"l{j}": rng.random() for j in range(8)},
                },
            )


def main() -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as folder:
        store = SqliteDocumentStore(Path(folder) / "bench.sqlite3")
        started = time.perf_counter()
        _load(store)
        load_rate = TENANTS * DOCS_PER_TENANT / (time.perf_counter() - started)
        keys = [
            (f"tenant-{rng.randrange(TENANTS)}", f"doc-{rng.randrange(DOCS_PER_TENANT):05d}") for _ in range(20_000)
        ]

        def point_read(i: int) -> None:
            store.read("progress", *keys[i])

        def etag_upsert(i: int) -> None:
            tenant, doc_id = keys[i]
            current = store.read("progress", tenant, doc_id)
            current["percent"] = (current["percent"] + 1) % 101
            store.upsert("progress", tenant, current, if_match=current["_etag"])

        def query_by_field(i: int) -> None:
            query = Query(
                filters=(Filter("courseId", "eq", f"course-{i % 40}"),), order_by=(Order("percent"),), limit=50
            )
            store.query("progress", query, partition_key=f"tenant-{i % TENANTS}")

        feed_position: list[str | None] = [None]

        def change_feed_page(i: int) -> None:
            page = store.read_changes("progress", feed_position[0], max_items=100)
            feed_position[0] = page.continuation if page.items else None

        results = [
            ("create (load)", TENANTS * DOCS_PER_TENANT, load_rate),
            _measure("point read", 20_000, point_read),
            _measure("upsert with ETag (read+replace)", 5_000, etag_upsert),
            _measure("query by field (limit 50)", 1_000, query_by_field),
            _measure("change feed page (100 docs)", 500, change_feed_page),
        ]
        store.close()
    print(f"document store: SQLite embedded, {TENANTS} tenants x {DOCS_PER_TENANT} documents")
    print(f"{'operation':<34}{'count':>8}{'ops/s':>12}")
    for name, count, rate in results:
        print(f"{name:<34}{count:>8}{rate:>12,.0f}")


if __name__ == "__main__":
    main()
