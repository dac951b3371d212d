"""Benchmark of the document store port on the embedded SQLite adapter.

Prints operations per second for point reads, ETag-guarded upserts (read, modify, upsert
with if_match), queries by field (eq filter, limit 50) and change-feed pages of 100, over
20,000 documents in 10 tenants in a temporary folder. Reproducible: a fixed seed and data
shape, so runs differ only by the machine. No assertions on time. Run: `make bench`.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.documents import Filter, Order, Query

TENANTS = 10
DOCS_PER_TENANT = 2_000
COURSES = 40
SEED = 20261125
CONTAINER = "progress"


@dataclass(frozen=True)
class Result:
    name: str
    count: int
    seconds: float

    def row(self) -> str:
        rate = self.count / self.seconds
        micros = self.seconds / self.count * 1e6
        return f"{self.name:<36}{self.count:>8}{rate:>12,.0f}{micros:>12,.1f}"


def measure(name: str, count: int, run: Callable[[int], None]) -> Result:
    start = time.perf_counter()
    for i in range(count):
        run(i)
    return Result(name, count, time.perf_counter() - start)


def tenant(n: int) -> str:
    return f"tenant-{n:02d}"


def load(store: SqliteDocumentStore, rng: random.Random) -> Result:
    """Create the data set: learners' progress documents, spread evenly over the tenants."""

    def create(i: int) -> None:
        t = tenant(i % TENANTS)
        store.create(
            CONTAINER,
            t,
            {
                "id": f"doc-{i // TENANTS:05d}",
                "tenantId": t,
                "courseId": f"course-{rng.randrange(COURSES)}",
                "percent": rng.randrange(101),
                "lessons": {f"l{j}": round(rng.random(), 4) for j in range(8)},
            },
        )

    return measure("create (load)", TENANTS * DOCS_PER_TENANT, create)


def run_all(store: SqliteDocumentStore, rng: random.Random) -> list[Result]:
    results = [load(store, rng)]
    keys = [(tenant(rng.randrange(TENANTS)), f"doc-{rng.randrange(DOCS_PER_TENANT):05d}") for _ in range(20_000)]

    def point_read(i: int) -> None:
        store.read(CONTAINER, *keys[i])

    def upsert_with_etag(i: int) -> None:
        t, doc_id = keys[i]
        current = store.read(CONTAINER, t, doc_id)
        current["percent"] = (current["percent"] + 1) % 101
        store.upsert(CONTAINER, t, current, if_match=current["_etag"])

    def query_by_field(i: int) -> None:
        query = Query(filters=(Filter("courseId", "eq", f"course-{i % COURSES}"),), limit=50)
        store.query(CONTAINER, query, partition_key=tenant(i % TENANTS))

    def query_by_field_ordered(i: int) -> None:
        filters = (Filter("courseId", "eq", f"course-{i % COURSES}"),)
        query = Query(filters=filters, order_by=(Order("percent", descending=True),), limit=50)
        store.query(CONTAINER, query, partition_key=tenant(i % TENANTS))

    position: list[str | None] = [None]

    def change_feed_page(_: int) -> None:
        page = store.read_changes(CONTAINER, position[0], max_items=100)
        position[0] = page.continuation if page.items else None  # start over at the end

    results += [
        measure("point read", 20_000, point_read),
        measure("upsert with ETag (read + if_match)", 5_000, upsert_with_etag),
        measure("query by field, eq, limit 50", 2_000, query_by_field),
        measure("  same, ordered by another field", 500, query_by_field_ordered),
        measure("change feed page of 100", TENANTS * DOCS_PER_TENANT // 100, change_feed_page),
    ]
    return results


def main() -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as folder:
        store = SqliteDocumentStore(Path(folder) / "bench.sqlite3")
        results = run_all(store, rng)
        store.close()
    print(f"document store: SQLite embedded (WAL), {TENANTS} tenants x {DOCS_PER_TENANT} documents, seed {SEED}")
    print(f"{'operation':<36}{'count':>8}{'ops/s':>12}{'us/op':>12}")
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
