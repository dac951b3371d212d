"""The document store contract on the embedded SQLite adapter, plus what only it does."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.errors import Conflict, PreconditionFailed
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.clock import ManualClock
from tests.contract.documents_suite import DocumentStoreContract, doc, new_tenant


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def store(tmp_path: Path, clock: ManualClock) -> Iterator[SqliteDocumentStore]:
    adapter = SqliteDocumentStore(tmp_path / "documents.sqlite3", clock=clock)
    yield adapter
    adapter.close()


@pytest.fixture
def advance_clock(clock: ManualClock) -> Callable[[float], None]:
    return clock.advance


class TestSqliteDocumentStore(DocumentStoreContract):
    pass


def test_expired_documents_are_physically_purged(
    store: SqliteDocumentStore, clock: ManualClock, tmp_path: Path
) -> None:
    t = new_tenant()
    store.create("items", t, doc(t, "gone", ttl=10))
    store.create("items", t, doc(t, "kept"))
    clock.advance(11)
    assert store.purge_expired() == 1
    with sqlite3.connect(tmp_path / "documents.sqlite3") as db:
        assert [r[0] for r in db.execute("SELECT id FROM documents")] == ["kept"]


def test_a_body_whose_tenant_differs_from_its_partition_is_never_returned(
    store: SqliteDocumentStore, tmp_path: Path
) -> None:
    t = new_tenant()
    store.create("items", t, doc(t, "a"))
    with sqlite3.connect(tmp_path / "documents.sqlite3") as db:  # simulate a corrupted or foreign row
        db.execute("""UPDATE documents SET body = json_set(body, '$.tenantId', 'intruder')""")
    from shared.errors import NotFound
    from shared.platform.documents import Query

    with pytest.raises(NotFound):
        store.read("items", t, "a")
    assert store.query("items", Query(), partition_key=t).items == []


def test_concurrent_etag_writers_never_both_win(store: SqliteDocumentStore) -> None:
    t = new_tenant()
    etag = store.create("items", t, doc(t, "counter", n=0))["_etag"]
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def writer(i: int) -> None:
        barrier.wait()
        try:
            store.replace("items", t, doc(t, "counter", n=i), if_match=etag)
            outcomes.append("won")
        except PreconditionFailed:
            outcomes.append("lost")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["lost"] * 7 + ["won"]


def test_concurrent_creates_of_one_id_make_one_document(store: SqliteDocumentStore) -> None:
    t = new_tenant()
    results: list[str] = []
    barrier = threading.Barrier(6)

    def creator() -> None:
        barrier.wait()
        try:
            store.create("items", t, doc(t, "once"))
            results.append("created")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=creator) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count("created") == 1


def test_data_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "documents.sqlite3"
    first = SqliteDocumentStore(path)
    first.create("items", "t", doc("t", "kept", v=1))
    first.close()
    assert SqliteDocumentStore(path).read("items", "t", "kept")["v"] == 1
