"""The document store contract, written against the port only.

Every adapter (SQLite here; Cosmos DB and its emulator later) runs this same suite by
subclassing ``DocumentStoreContract`` and providing the ``store`` and ``advance_clock``
fixtures (``advance_clock`` is None where the adapter's time cannot be moved).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.platform.documents import DocumentStore, Filter, Order, Query

C = "items"
_tenants = itertools.count(1)


def new_tenant() -> str:
    return f"tenant-{next(_tenants)}-{id(object())}"


def doc(tenant: str, doc_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": doc_id, "tenantId": tenant, **fields}


def walk(store: DocumentStore, query: Query, partition_key: str | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    continuation = query.continuation
    for _ in range(10_000):
        page = store.query(
            C, Query(query.filters, query.order_by, query.limit, continuation), partition_key=partition_key
        )
        items += page.items
        continuation = page.continuation
        if continuation is None:
            return items
    raise AssertionError("paging did not end")


class DocumentStoreContract:
    # -- point operations ------------------------------------------------------------
    def test_a_created_document_reads_back_with_an_etag_and_timestamp(self, store: DocumentStore) -> None:
        t = new_tenant()
        created = store.create(C, t, doc(t, "a", title="Intro", n=1, nested={"x": [1, 2]}))
        read = store.read(C, t, "a")
        assert read["title"] == "Intro" and read["nested"] == {"x": [1, 2]}
        assert read["_etag"] == created["_etag"] and isinstance(read["_ts"], int)

    def test_creating_an_existing_id_is_a_conflict(self, store: DocumentStore) -> None:
        t = new_tenant()
        store.create(C, t, doc(t, "a"))
        with pytest.raises(Conflict):
            store.create(C, t, doc(t, "a"))

    def test_the_same_id_may_exist_in_two_partitions(self, store: DocumentStore) -> None:
        t1, t2 = new_tenant(), new_tenant()
        store.create(C, t1, doc(t1, "a", who=1))
        store.create(C, t2, doc(t2, "a", who=2))
        assert store.read(C, t1, "a")["who"] == 1 and store.read(C, t2, "a")["who"] == 2

    def test_a_document_is_never_readable_through_another_partition(self, store: DocumentStore) -> None:
        t1, t2 = new_tenant(), new_tenant()
        store.create(C, t1, doc(t1, "secret"))
        with pytest.raises(NotFound):
            store.read(C, t2, "secret")
        assert store.query(C, Query(), partition_key=t2).items == []

    def test_upsert_inserts_then_replaces_with_a_new_etag(self, store: DocumentStore) -> None:
        t = new_tenant()
        first = store.upsert(C, t, doc(t, "a", v=1))
        second = store.upsert(C, t, doc(t, "a", v=2))
        assert second["_etag"] != first["_etag"]
        assert store.read(C, t, "a")["v"] == 2

    def test_a_stale_etag_is_refused_with_precondition_failed(self, store: DocumentStore) -> None:
        t = new_tenant()
        first = store.create(C, t, doc(t, "a", v=1))
        store.replace(C, t, doc(t, "a", v=2), if_match=first["_etag"])
        for write in (
            lambda: store.replace(C, t, doc(t, "a", v=3), if_match=first["_etag"]),
            lambda: store.upsert(C, t, doc(t, "a", v=3), if_match=first["_etag"]),
            lambda: store.delete(C, t, "a", if_match=first["_etag"]),
        ):
            with pytest.raises(PreconditionFailed):
                write()
        assert store.read(C, t, "a")["v"] == 2

    def test_upsert_with_an_etag_on_a_missing_document_is_refused(self, store: DocumentStore) -> None:
        t = new_tenant()
        with pytest.raises(PreconditionFailed):
            store.upsert(C, t, doc(t, "ghost"), if_match='"whatever"')

    def test_replace_and_delete_of_a_missing_document_are_not_found(self, store: DocumentStore) -> None:
        t = new_tenant()
        with pytest.raises(NotFound):
            store.replace(C, t, doc(t, "ghost"))
        with pytest.raises(NotFound):
            store.delete(C, t, "ghost")

    def test_delete_with_the_current_etag_removes_the_document(self, store: DocumentStore) -> None:
        t = new_tenant()
        created = store.create(C, t, doc(t, "a"))
        store.delete(C, t, "a", if_match=created["_etag"])
        with pytest.raises(NotFound):
            store.read(C, t, "a")

    @pytest.mark.parametrize(
        "bad",
        [
            {"tenantId": "X"},
            {"id": "", "tenantId": "X"},
            {"id": "a/b", "tenantId": "X"},
            {"id": "a", "tenantId": "someone-else"},
            {"id": "a", "tenantId": "X", "ttl": 0},
            {"id": "a", "tenantId": "X", "ttl": "10"},
        ],
    )
    def test_malformed_documents_are_refused(self, store: DocumentStore, bad: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput):
            store.create(C, "X", bad)

    def test_an_invalid_container_name_is_refused(self, store: DocumentStore) -> None:
        with pytest.raises(InvalidInput):
            store.read("Bad Name!", "t", "a")

    # -- queries -------------------------------------------------------------------------
    def _seed(self, store: DocumentStore) -> str:
        t = new_tenant()
        rows = [
            ("a", "Algebra", 3, ["math"], True),
            ("b", "Biology", 1, ["science", "life"], False),
            ("c", "Chemistry", 2, ["science"], True),
            ("d", "Drama", 2, [], False),
        ]
        for i, title, level, tags, live in rows:
            store.create(C, t, doc(t, i, title=title, level=level, tags=tags, live=live, code=str(level)))
        store.create(C, t, doc(t, "e", title="Ethics"))  # no level, tags or live
        return t

    @pytest.mark.parametrize(
        ("flt", "expected"),
        [
            (Filter("level", "eq", 2), {"c", "d"}),
            (Filter("level", "ne", 2), {"a", "b"}),
            (Filter("level", "lt", 2), {"b"}),
            (Filter("level", "le", 2), {"b", "c", "d"}),
            (Filter("level", "gt", 2), {"a"}),
            (Filter("level", "ge", 2), {"a", "c", "d"}),
            (Filter("level", "in", [1, 3]), {"a", "b"}),
            (Filter("tags", "contains", "science"), {"b", "c"}),
            (Filter("title", "starts_with", "Ch"), {"c"}),
            (Filter("level", "exists", True), {"a", "b", "c", "d"}),
            (Filter("level", "exists", False), {"e"}),
            (Filter("live", "eq", True), {"a", "c"}),
            (Filter("code", "eq", "2"), {"c", "d"}),
            (Filter("code", "eq", 2), set()),
            (Filter("title", "starts_with", "%"), set()),
        ],
    )
    def test_filters_select_exactly_the_matching_documents(
        self, store: DocumentStore, flt: Filter, expected: set[str]
    ) -> None:
        t = self._seed(store)
        assert {d["id"] for d in store.query(C, Query(filters=(flt,)), partition_key=t).items} == expected

    def test_results_are_ordered_by_the_fields_then_by_id(self, store: DocumentStore) -> None:
        t = self._seed(store)
        asc = store.query(
            C, Query(filters=(Filter("level", "exists", True),), order_by=(Order("level"),)), partition_key=t
        )
        assert [d["id"] for d in asc.items] == ["b", "c", "d", "a"]
        desc = Query(filters=(Filter("level", "exists", True),), order_by=(Order("level", descending=True),))
        assert [d["id"] for d in store.query(C, desc, partition_key=t).items] == ["a", "c", "d", "b"]

    def test_paging_with_a_continuation_returns_every_document_once(self, store: DocumentStore) -> None:
        t = self._seed(store)
        for order in ((), (Order("level"),), (Order("level", descending=True), Order("title"))):
            ids = [d["id"] for d in walk(store, Query(order_by=order, limit=1), t)]
            assert sorted(ids) == ["a", "b", "c", "d", "e"], order

    def test_documents_added_while_paging_do_not_repeat_earlier_ones(self, store: DocumentStore) -> None:
        t = self._seed(store)
        first = store.query(C, Query(order_by=(Order("title"),), limit=2), partition_key=t)
        store.create(C, t, doc(t, "0", title="Aardvark"))  # sorts before the page already read
        rest = walk(store, Query(order_by=(Order("title"),), limit=2, continuation=first.continuation), t)
        seen = [d["id"] for d in first.items + rest]
        assert len(seen) == len(set(seen)) and "0" not in seen

    def test_a_cross_partition_query_sees_every_tenant(self, store: DocumentStore) -> None:
        t1, t2 = new_tenant(), new_tenant()
        store.create(C, t1, doc(t1, "x", marker="cross"))
        store.create(C, t2, doc(t2, "y", marker="cross"))
        found = store.query(C, Query(filters=(Filter("marker", "eq", "cross"),)), partition_key=None).items
        assert {(d["tenantId"], d["id"]) for d in found} >= {(t1, "x"), (t2, "y")}

    def test_a_continuation_of_one_query_is_refused_by_another(self, store: DocumentStore) -> None:
        t = self._seed(store)
        page = store.query(C, Query(limit=1), partition_key=t)
        with pytest.raises(InvalidInput):
            store.query(
                C, Query(filters=(Filter("level", "eq", 2),), limit=1, continuation=page.continuation), partition_key=t
            )
        with pytest.raises(InvalidInput):
            store.query(C, Query(limit=1, continuation=page.continuation), partition_key=new_tenant())

    @pytest.mark.parametrize("token", ["garbage!", "e30", "bm90IGpzb24", "W10"])
    def test_a_malformed_continuation_is_invalid_input(self, store: DocumentStore, token: str) -> None:
        with pytest.raises(InvalidInput):
            store.query(C, Query(continuation=token), partition_key=new_tenant())

    @pytest.mark.parametrize("path", ["a b", "a;DROP", "a..b", "$.a", "a'", ""])
    def test_an_invalid_field_path_is_invalid_input(self, store: DocumentStore, path: str) -> None:
        with pytest.raises(InvalidInput):
            store.query(C, Query(filters=(Filter(path, "eq", 1),)), partition_key="t")

    @given(
        levels=st.lists(st.one_of(st.none(), st.integers(-3, 3)), min_size=0, max_size=25),
        limit=st.integers(1, 7),
        descending=st.booleans(),
    )
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def test_paging_through_any_data_returns_the_sorted_matching_set(
        self, store: DocumentStore, levels: list[int | None], limit: int, descending: bool
    ) -> None:
        t = new_tenant()
        for i, level in enumerate(levels):
            body = doc(t, f"d{i:02d}", kind="k") | ({} if level is None else {"level": level})
            store.create(C, t, body)
        query = Query(filters=(Filter("kind", "eq", "k"),), order_by=(Order("level", descending),), limit=limit)
        got = [d["id"] for d in walk(store, query, t)]
        assert sorted(got) == sorted(f"d{i:02d}" for i in range(len(levels)))
        assert len(got) == len(set(got))
        got_levels = [next(lv for j, lv in enumerate(levels) if f"d{j:02d}" == i) for i in got]
        present = [lv for lv in got_levels if lv is not None]
        assert present == sorted(present, reverse=descending)

    # -- TTL -----------------------------------------------------------------------------
    def test_a_document_with_a_ttl_disappears_when_it_expires(
        self, store: DocumentStore, advance_clock: Callable[[float], None] | None
    ) -> None:
        if advance_clock is None:
            pytest.skip("this adapter's clock cannot be moved")
        t = new_tenant()
        store.create(C, t, doc(t, "short", ttl=60, kind="ttl"))
        store.create(C, t, doc(t, "forever", ttl=-1, kind="ttl"))
        advance_clock(59)
        assert store.read(C, t, "short")
        advance_clock(2)
        with pytest.raises(NotFound):
            store.read(C, t, "short")
        assert [
            d["id"] for d in store.query(C, Query(filters=(Filter("kind", "eq", "ttl"),)), partition_key=t).items
        ] == ["forever"]
        store.create(C, t, doc(t, "short"))  # an expired id is free again

    def test_writing_a_document_again_restarts_its_ttl(
        self, store: DocumentStore, advance_clock: Callable[[float], None] | None
    ) -> None:
        if advance_clock is None:
            pytest.skip("this adapter's clock cannot be moved")
        t = new_tenant()
        store.create(C, t, doc(t, "s", ttl=60))
        advance_clock(50)
        store.upsert(C, t, doc(t, "s", ttl=60))
        advance_clock(50)
        assert store.read(C, t, "s")

    # -- change feed ---------------------------------------------------------------------
    def test_the_change_feed_lists_writes_in_order_and_resumes_from_a_continuation(self, store: DocumentStore) -> None:
        feed = "feed-" + new_tenant().replace("tenant-", "")[:40]
        t = new_tenant()
        for i in range(5):
            store.create(feed, t, doc(t, f"x{i}"))
        first = store.read_changes(feed, None, max_items=3)
        assert [d["id"] for d in first.items] == ["x0", "x1", "x2"]
        rest = store.read_changes(feed, first.continuation, max_items=10)
        assert [d["id"] for d in rest.items] == ["x3", "x4"]
        empty = store.read_changes(feed, rest.continuation)
        assert empty.items == []
        store.create(feed, t, doc(t, "x5"))
        assert [d["id"] for d in store.read_changes(feed, empty.continuation).items] == ["x5"]

    def test_the_change_feed_shows_the_latest_version_of_a_document_once(self, store: DocumentStore) -> None:
        feed = "feed-" + new_tenant().replace("tenant-", "")[:40]
        t = new_tenant()
        start = store.read_changes(feed).continuation
        store.create(feed, t, doc(t, "a", v=1))
        store.create(feed, t, doc(t, "b", v=1))
        store.upsert(feed, t, doc(t, "a", v=2))
        changes = store.read_changes(feed, start).items
        assert [(d["id"], d["v"]) for d in changes] == [("b", 1), ("a", 2)]

    def test_a_malformed_change_feed_continuation_is_invalid_input(self, store: DocumentStore) -> None:
        with pytest.raises(InvalidInput):
            store.read_changes(C, "not-a-token!")
