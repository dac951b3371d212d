"""The document store contract on the embedded SQLite adapter, plus what only it does:
physical purging, its file, its threads, and isolation against rows written behind its back."""

from __future__ import annotations

import base64
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, Unavailable
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.clock import ManualClock
from shared.platform.documents import Filter, Order, Query
from tests.contract.documents_suite import DocumentStoreContract, doc, drain_changes, new_tenant, walk_ids

C = "items"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "documents.sqlite3"


@pytest.fixture
def store(path: Path, clock: ManualClock) -> Iterator[SqliteDocumentStore]:
    adapter = SqliteDocumentStore(path, clock=clock)
    yield adapter
    adapter.close()


@pytest.fixture
def advance_clock(clock: ManualClock) -> Callable[[float], None]:
    return clock.advance


def raw(path: Path) -> sqlite3.Connection:
    """A connection that goes around the adapter, to look at (or tamper with) its rows."""
    return sqlite3.connect(path, isolation_level=None)


def run_together(target: Callable[[int], None], count: int) -> None:
    barrier = threading.Barrier(count)

    def start_together(i: int) -> None:
        barrier.wait()  # all threads are ready: the writes really race
        target(i)

    threads = [threading.Thread(target=start_together, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)


class TestSqliteDocumentStore(DocumentStoreContract):
    """The whole port contract, on a fresh SQLite file per test."""


# --- embedded-only behaviour ------------------------------------------------------------


def test_the_file_uses_wal_and_the_parent_folder_is_created(store: SqliteDocumentStore, path: Path) -> None:
    store.ping()
    with raw(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_timestamp_comes_from_the_injected_clock(store: SqliteDocumentStore, clock: ManualClock) -> None:
    t = new_tenant()
    assert store.create(C, t, doc(t, "a"))["_ts"] == int(clock.now().timestamp())
    clock.advance(90)
    assert store.upsert(C, t, doc(t, "a"))["_ts"] == int(clock.now().timestamp())


def test_the_stored_body_has_no_system_properties(store: SqliteDocumentStore, path: Path) -> None:
    t = new_tenant()
    store.create(C, t, doc(t, "a", v=1, _etag='"x"', _ts=5))
    with raw(path) as db:
        stored = json.loads(db.execute("SELECT body FROM documents").fetchone()[0])
    assert stored == doc(t, "a", v=1)


def test_purging_physically_removes_expired_rows(store: SqliteDocumentStore, clock: ManualClock, path: Path) -> None:
    t = new_tenant()
    store.create(C, t, doc(t, "gone", ttl=10))
    store.create(C, t, doc(t, "kept", ttl=100))
    store.create(C, t, doc(t, "plain"))
    clock.advance(11)
    assert store.purge_expired() == 1
    assert store.purge_expired() == 0
    with raw(path) as db:
        assert sorted(r[0] for r in db.execute("SELECT id FROM documents")) == ["kept", "plain"]


def test_writes_purge_expired_rows_along_the_way(store: SqliteDocumentStore, clock: ManualClock, path: Path) -> None:
    store.purge_every = 1
    t = new_tenant()
    store.create(C, t, doc(t, "gone", ttl=10))
    clock.advance(11)
    store.create(C, t, doc(t, "next"))
    with raw(path) as db:
        assert [r[0] for r in db.execute("SELECT id FROM documents")] == ["next"]


def test_a_row_whose_body_names_another_tenant_is_never_returned(store: SqliteDocumentStore, path: Path) -> None:
    t = new_tenant()
    store.create(C, t, doc(t, "a"))
    store.create(C, t, doc(t, "b"))
    with raw(path) as db:  # a row written behind the adapter's back, or a bug elsewhere
        db.execute("UPDATE documents SET body = json_set(body, '$.tenantId', 'intruder') WHERE id = 'a'")
    with pytest.raises(NotFound):
        store.read(C, t, "a")
    assert walk_ids(store, C, Query(), t) == ["b"]
    assert walk_ids(store, C, Query(), "intruder") == []
    with pytest.raises(NotFound):
        store.replace(C, t, doc(t, "a"))


def test_the_embedded_store_has_no_dedicated_database_to_follow(store: SqliteDocumentStore) -> None:
    tenant = new_tenant()
    store.create(C, tenant, doc(tenant, "d"))
    with pytest.raises(InvalidInput):
        store.read_changes(C, placement="lms-dedicated")
    assert [d["id"] for d in store.read_changes(C).items] == ["d"]


def test_concurrent_etag_writers_never_both_win(store: SqliteDocumentStore) -> None:
    t = new_tenant()
    etag = store.create(C, t, doc(t, "counter", n=0))["_etag"]
    outcomes: list[str] = []

    def writer(i: int) -> None:
        try:
            store.replace(C, t, doc(t, "counter", n=i), if_match=etag)
            outcomes.append("won")
        except PreconditionFailed:
            outcomes.append("lost")

    run_together(writer, 8)
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]


def test_concurrent_creates_of_one_id_make_one_document(store: SqliteDocumentStore) -> None:
    t = new_tenant()
    outcomes: list[str] = []

    def creator(i: int) -> None:
        try:
            store.create(C, t, doc(t, "once", by=i))
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")

    run_together(creator, 6)
    assert sorted(outcomes) == ["conflict"] * 5 + ["created"]


def test_concurrent_writers_each_get_a_distinct_place_in_the_change_feed(store: SqliteDocumentStore) -> None:
    t = new_tenant()

    def writer(i: int) -> None:
        for n in range(25):
            store.create(C, t, doc(t, f"w{i}-{n:02d}"))

    run_together(writer, 4)
    items, _ = drain_changes(store, C, None, t, max_items=7)
    assert len(items) == len({i["id"] for i in items}) == 100
    for i in range(4):  # each thread's writes appear in the order it made them
        mine = [item["id"] for item in items if item["id"].startswith(f"w{i}-")]
        assert mine == sorted(mine)


def test_data_and_feed_positions_survive_reopening_the_file(path: Path, clock: ManualClock) -> None:
    t = new_tenant()
    first = SqliteDocumentStore(path, clock=clock)
    first.create(C, t, doc(t, "kept", v=1))
    _, position = drain_changes(first, C, None, t)
    first.delete(C, t, "kept")  # the newest write is gone, yet its sequence number is never reused
    first.close()
    second = SqliteDocumentStore(path, clock=clock)
    second.create(C, t, doc(t, "later"))
    items, _ = drain_changes(second, C, position, t)
    assert [i["id"] for i in items] == ["later"]
    second.close()


def test_a_long_in_list_is_one_parameter_not_a_deep_expression(store: SqliteDocumentStore) -> None:
    t = new_tenant()
    store.create(C, t, doc(t, "a", n=1999))
    query = Query(filters=(Filter("n", "in", list(range(5000))),))
    assert walk_ids(store, C, query, t) == ["a"]


def test_a_tampered_continuation_with_a_valid_fingerprint_is_invalid_input(store: SqliteDocumentStore) -> None:
    t = new_tenant()
    for i in range(3):
        store.create(C, t, doc(t, f"d{i}", n=i))
    query = Query(order_by=(Order("n"),), limit=1)
    token = store.query(C, query, partition_key=t).continuation
    assert token is not None
    payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for forged in ({**payload, "k": [[1]]}, {**payload, "k": []}, {**payload, "id": 5}):
        forged_token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
        with pytest.raises(InvalidInput):
            store.query(C, Query(order_by=query.order_by, limit=1, continuation=forged_token), partition_key=t)


@pytest.mark.parametrize(
    "flt",
    [
        Filter("n", "lt", None),
        Filter("n", "ne", None),
        Filter("n", "eq", {"a": 1}),
        Filter("n", "eq", 2**64),
        Filter("n", "exists", "yes"),
        Filter("n", "starts_with", 1),
    ],
    ids=repr,
)
def test_a_filter_value_the_adapter_cannot_compare_is_invalid_input(store: SqliteDocumentStore, flt: Filter) -> None:
    with pytest.raises(InvalidInput):
        store.query(C, Query(filters=(flt,)), partition_key=new_tenant())


def test_ping_reports_an_unreadable_database_as_unavailable(store: SqliteDocumentStore, path: Path) -> None:
    store.ping()
    with raw(path) as db:
        db.execute("DROP TABLE sequence")
    with pytest.raises(Unavailable):
        store.ping()
