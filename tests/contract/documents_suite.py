"""The contract of the DocumentStore port, written only against the port.

Every adapter (embedded SQLite, Cosmos DB, the Cosmos emulator) runs this suite by
subclassing ``DocumentStoreContract`` in a ``test_*.py`` file and providing two fixtures:

- ``store``: the ``DocumentStore`` under test;
- ``advance_clock``: a callable(seconds) that moves the adapter's time forward, or None
  when the adapter cannot control time (its TTL tests are then skipped).

``container`` defaults to a fresh name per test; an adapter whose containers are costly
to create may override it with a shared container. Every test works in its own tenants
(partition keys) and only looks at its own documents, so a shared container is safe.
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.platform.documents import ChangePage, Document, DocumentStore, Filter, Order, Page, Query
from tests.contract._hypothesis import SUITE_HEALTH_CHECKS

AdvanceClock = Callable[[float], None] | None


def new_tenant() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


def doc(tenant: str, doc_id: str, **fields: Any) -> Document:
    return {"id": doc_id, "tenantId": tenant, **fields}


def ids(page: Page | ChangePage) -> list[str]:
    return [item["id"] for item in page.items]


def body(document: Document) -> Document:
    """A document without the system properties the store adds."""
    return {k: v for k, v in document.items() if k not in ("_etag", "_ts")}


def walk(store: DocumentStore, container: str, query: Query, partition_key: str | None) -> Iterator[Page]:
    """Every page of a query, following continuations (bounded, so a looping token fails)."""
    for _ in range(10_000):
        page = store.query(container, query, partition_key=partition_key)
        yield page
        if page.continuation is None:
            return
        query = Query(query.filters, query.order_by, query.limit, page.continuation)
    raise AssertionError("the continuation never ended")


def walk_ids(store: DocumentStore, container: str, query: Query, partition_key: str | None) -> list[str]:
    return [i for page in walk(store, container, query, partition_key) for i in ids(page)]


def drain_changes(
    store: DocumentStore, container: str, token: str | None, tenant: str, max_items: int = 100
) -> tuple[list[Document], str]:
    """Read the change feed to its end; only this test's tenant's documents are kept."""
    seen: list[Document] = []
    for _ in range(10_000):
        page = store.read_changes(container, token, max_items=max_items)
        token = page.continuation
        if not page.items:
            return seen, token
        seen += [item for item in page.items if item.get("tenantId") == tenant]
    raise AssertionError("the change feed never ended")


class DocumentStoreContract:
    """Behaviour every DocumentStore adapter must have."""

    @pytest.fixture
    def container(self) -> str:
        return f"contract-{uuid.uuid4().hex[:12]}"

    @pytest.fixture
    def tenant(self) -> str:
        return new_tenant()

    # --- point operations -------------------------------------------------------------

    def test_a_created_document_reads_back_with_an_etag_and_a_timestamp(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        original = doc(tenant, "d1", title="Intro", score=9.5, tags=["a", "é"], meta={"n": None, "ok": True})
        created = store.create(container, tenant, original)
        read = store.read(container, tenant, "d1")
        assert body(created) == body(read) == original
        assert isinstance(read["_etag"], str) and read["_etag"]
        assert read["_etag"] == created["_etag"]
        assert isinstance(read["_ts"], int) and not isinstance(read["_ts"], bool) and read["_ts"] > 0

    def test_system_properties_sent_by_the_caller_are_not_stored(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        created = store.create(container, tenant, doc(tenant, "d1", _etag='"forged"', _ts=1))
        assert created["_etag"] != '"forged"' and created["_ts"] != 1
        assert store.read(container, tenant, "d1")["_etag"] == created["_etag"]

    def test_returned_documents_are_fresh_copies(self, store: DocumentStore, container: str, tenant: str) -> None:
        sent = doc(tenant, "d1", tags=["a"])
        created = store.create(container, tenant, sent)
        created["tags"].append("mutated")
        sent["tags"].append("mutated")
        assert store.read(container, tenant, "d1")["tags"] == ["a"]

    def test_every_write_gets_a_new_etag(self, store: DocumentStore, container: str, tenant: str) -> None:
        etags = {store.upsert(container, tenant, doc(tenant, "d1", n=1))["_etag"] for _ in range(3)}
        assert len(etags) == 3

    def test_creating_an_existing_id_is_a_conflict(self, store: DocumentStore, container: str, tenant: str) -> None:
        store.create(container, tenant, doc(tenant, "d1", v=1))
        with pytest.raises(Conflict):
            store.create(container, tenant, doc(tenant, "d1", v=2))
        assert store.read(container, tenant, "d1")["v"] == 1

    def test_the_same_id_in_two_partitions_is_two_documents(self, store: DocumentStore, container: str) -> None:
        a, b = new_tenant(), new_tenant()
        store.create(container, a, doc(a, "same", owner="a"))
        store.create(container, b, doc(b, "same", owner="b"))
        assert store.read(container, a, "same")["owner"] == "a"
        assert store.read(container, b, "same")["owner"] == "b"

    def test_upsert_inserts_then_replaces(self, store: DocumentStore, container: str, tenant: str) -> None:
        first = store.upsert(container, tenant, doc(tenant, "d1", v=1, gone=True))
        second = store.upsert(container, tenant, doc(tenant, "d1", v=2))
        read = store.read(container, tenant, "d1")
        assert body(read) == doc(tenant, "d1", v=2)
        assert second["_etag"] == read["_etag"] != first["_etag"]

    def test_an_upsert_with_the_current_etag_succeeds(self, store: DocumentStore, container: str, tenant: str) -> None:
        current = store.create(container, tenant, doc(tenant, "d1", v=1))
        store.upsert(container, tenant, doc(tenant, "d1", v=2), if_match=current["_etag"])
        assert store.read(container, tenant, "d1")["v"] == 2

    def test_a_stale_etag_is_refused_with_precondition_failed(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        stale = store.create(container, tenant, doc(tenant, "d1", v=1))["_etag"]
        store.upsert(container, tenant, doc(tenant, "d1", v=2))
        with pytest.raises(PreconditionFailed):
            store.upsert(container, tenant, doc(tenant, "d1", v=3), if_match=stale)
        with pytest.raises(PreconditionFailed):
            store.replace(container, tenant, doc(tenant, "d1", v=3), if_match=stale)
        with pytest.raises(PreconditionFailed):
            store.delete(container, tenant, "d1", if_match=stale)
        assert store.read(container, tenant, "d1")["v"] == 2

    def test_an_upsert_with_an_etag_on_a_missing_document_fails_its_precondition(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        with pytest.raises(PreconditionFailed):
            store.upsert(container, tenant, doc(tenant, "nope"), if_match='"0000"')
        with pytest.raises(NotFound):
            store.read(container, tenant, "nope")

    def test_replace_with_the_current_etag_or_none_succeeds(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        current = store.create(container, tenant, doc(tenant, "d1", v=1))
        replaced = store.replace(container, tenant, doc(tenant, "d1", v=2), if_match=current["_etag"])
        store.replace(container, tenant, doc(tenant, "d1", v=3))
        read = store.read(container, tenant, "d1")
        assert read["v"] == 3 and read["_etag"] != replaced["_etag"]

    def test_replacing_a_missing_document_is_not_found(self, store: DocumentStore, container: str, tenant: str) -> None:
        with pytest.raises(NotFound):
            store.replace(container, tenant, doc(tenant, "nope"))
        with pytest.raises(NotFound):
            store.replace(container, tenant, doc(tenant, "nope"), if_match='"0000"')

    def test_a_deleted_document_is_gone_and_its_id_free_again(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        current = store.create(container, tenant, doc(tenant, "d1", v=1))
        store.delete(container, tenant, "d1", if_match=current["_etag"])
        with pytest.raises(NotFound):
            store.read(container, tenant, "d1")
        with pytest.raises(NotFound):
            store.delete(container, tenant, "d1")
        store.create(container, tenant, doc(tenant, "d1", v=2))
        store.delete(container, tenant, "d1")
        assert walk_ids(store, container, Query(), tenant) == []

    def test_reading_a_missing_document_is_not_found(self, store: DocumentStore, container: str, tenant: str) -> None:
        with pytest.raises(NotFound):
            store.read(container, tenant, "never-written")

    def test_concurrent_read_modify_writes_with_etags_lose_no_update(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        store.create(container, tenant, doc(tenant, "counter", n=0))
        errors: list[BaseException] = []

        def increment(times: int) -> None:
            try:
                for _ in range(times):
                    while True:
                        current = store.read(container, tenant, "counter")
                        try:
                            store.replace(
                                container, tenant, {**current, "n": current["n"] + 1}, if_match=current["_etag"]
                            )
                            break
                        except PreconditionFailed:
                            continue
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=increment, args=(10,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors
        assert store.read(container, tenant, "counter")["n"] == 30

    # --- tenant isolation -------------------------------------------------------------

    def test_a_document_is_never_reachable_through_another_partition(
        self, store: DocumentStore, container: str
    ) -> None:
        owner, other = new_tenant(), new_tenant()
        store.create(container, owner, doc(owner, "secret", v=1))
        with pytest.raises(NotFound):
            store.read(container, other, "secret")
        with pytest.raises(NotFound):
            store.replace(container, other, doc(other, "secret", v=2))
        with pytest.raises(NotFound):
            store.delete(container, other, "secret")
        query = Query(filters=(Filter("id", "eq", "secret"),))
        assert walk_ids(store, container, query, other) == []
        assert store.read(container, owner, "secret")["v"] == 1

    def test_a_document_written_to_a_partition_must_carry_its_tenant(
        self, store: DocumentStore, container: str
    ) -> None:
        owner, other = new_tenant(), new_tenant()
        for write in (store.create, store.upsert, store.replace):
            with pytest.raises(InvalidInput):
                write(container, other, doc(owner, "d1"))
        with pytest.raises(InvalidInput):
            store.create(container, owner, {"id": "d1"})

    # --- invalid input ----------------------------------------------------------------

    @pytest.mark.parametrize(
        "bad",
        [
            pytest.param({"tenantId": "{t}"}, id="no-id"),
            pytest.param({"id": "", "tenantId": "{t}"}, id="empty-id"),
            pytest.param({"id": 7, "tenantId": "{t}"}, id="number-id"),
            pytest.param({"id": "a/b", "tenantId": "{t}"}, id="slash-in-id"),
            pytest.param({"id": "x" * 256, "tenantId": "{t}"}, id="long-id"),
            pytest.param({"id": "d", "tenantId": "someone-else"}, id="wrong-tenant"),
            pytest.param({"id": "d", "tenantId": "{t}", "ttl": 0}, id="ttl-zero"),
            pytest.param({"id": "d", "tenantId": "{t}", "ttl": -5}, id="ttl-negative"),
            pytest.param({"id": "d", "tenantId": "{t}", "ttl": "10"}, id="ttl-string"),
            pytest.param({"id": "d", "tenantId": "{t}", "ttl": True}, id="ttl-bool"),
            pytest.param({"id": "d", "tenantId": "{t}", "ttl": 1.5}, id="ttl-float"),
            pytest.param({"id": "d", "tenantId": "{t}", "tags": {1, 2}}, id="not-json"),
        ],
    )
    def test_an_invalid_document_is_refused_as_invalid_input(
        self, store: DocumentStore, container: str, tenant: str, bad: Document
    ) -> None:
        bad = {k: tenant if v == "{t}" else v for k, v in bad.items()}
        for write in (store.create, store.upsert):
            with pytest.raises(InvalidInput):
                write(container, tenant, bad)
        assert walk_ids(store, container, Query(), tenant) == []

    def test_an_invalid_container_name_is_refused(self, store: DocumentStore, tenant: str) -> None:
        for name in ("", "Upper", "has space", "a", "x" * 64, "../etc"):
            with pytest.raises(InvalidInput):
                store.create(name, tenant, doc(tenant, "d1"))
            with pytest.raises(InvalidInput):
                store.read(name, tenant, "d1")
            with pytest.raises(InvalidInput):
                store.query(name, Query(), partition_key=tenant)
            with pytest.raises(InvalidInput):
                store.read_changes(name)

    @pytest.mark.parametrize("path", ["a b", "1x", "a..b", "a.", "$.x", "a[0]", "x'--", ""])
    def test_an_invalid_field_path_is_refused(self, path: str) -> None:
        with pytest.raises(InvalidInput):
            Query(filters=(Filter(path, "eq", 1),))
        with pytest.raises(InvalidInput):
            Query(order_by=(Order(path),))

    # --- query filters ----------------------------------------------------------------

    @pytest.fixture
    def catalogue(self, store: DocumentStore, container: str, tenant: str) -> str:
        """Six documents covering every filter operator; returns their tenant."""
        docs = [
            doc(tenant, "a", n=1, s="apple", flag=True, tags=["x", "y"], addr={"city": "Oslo"}),
            doc(tenant, "b", n=2, s="banana", flag=False, tags=["y"], addr={"city": "Rome"}),
            doc(tenant, "c", n=3, s="cherry", flag=True, tags=[], opt=None),
            doc(tenant, "d", n=1.5, s="a%_b", tags="x"),
            doc(tenant, "e", n="1", s="Apple", flag=1, tags=[1, True]),
            doc(tenant, "f"),
        ]
        for d in docs:
            store.create(container, tenant, d)
        return tenant

    @pytest.mark.parametrize(
        ("flt", "expected"),
        [
            (Filter("n", "eq", 1), ["a"]),
            (Filter("n", "eq", "1"), ["e"]),
            (Filter("s", "eq", "apple"), ["a"]),
            (Filter("flag", "eq", True), ["a", "c"]),
            (Filter("flag", "eq", False), ["b"]),
            (Filter("opt", "eq", None), ["c"]),
            (Filter("addr.city", "eq", "Rome"), ["b"]),
            (Filter("n", "ne", 1), ["b", "c", "d"]),
            (Filter("s", "ne", "apple"), ["b", "c", "d", "e"]),
            (Filter("n", "lt", 2), ["a", "d"]),
            (Filter("n", "le", 2), ["a", "b", "d"]),
            (Filter("n", "gt", 1.5), ["b", "c"]),
            (Filter("n", "ge", 1.5), ["b", "c", "d"]),
            (Filter("s", "lt", "b"), ["a", "d", "e"]),
            (Filter("s", "ge", "b"), ["b", "c"]),
            (Filter("n", "in", [1, 3, "1"]), ["a", "c", "e"]),
            (Filter("s", "in", ["banana", "kiwi"]), ["b"]),
            (Filter("n", "in", []), []),
            (Filter("tags", "contains", "x"), ["a"]),
            (Filter("tags", "contains", "y"), ["a", "b"]),
            (Filter("tags", "contains", 1), ["e"]),
            (Filter("tags", "contains", True), ["e"]),
            (Filter("s", "starts_with", "a"), ["a", "d"]),
            (Filter("s", "starts_with", "a%"), ["d"]),
            (Filter("s", "starts_with", "a_"), []),
            (Filter("s", "starts_with", ""), ["a", "b", "c", "d", "e"]),
            (Filter("opt", "exists", True), ["c"]),
            (Filter("flag", "exists", False), ["d", "f"]),
            (Filter("id", "eq", "b"), ["b"]),
            (Filter("id", "in", ["a", "f", "zz"]), ["a", "f"]),
        ],
        ids=lambda v: f"{v.field}-{v.op}-{v.value!r}" if isinstance(v, Filter) else None,
    )
    def test_each_filter_operator_selects_exactly_the_matching_documents(
        self, store: DocumentStore, container: str, catalogue: str, flt: Filter, expected: list[str]
    ) -> None:
        assert walk_ids(store, container, Query(filters=(flt,)), catalogue) == expected

    def test_filters_combine_with_and(self, store: DocumentStore, container: str, catalogue: str) -> None:
        query = Query(filters=(Filter("flag", "eq", True), Filter("n", "gt", 1)))
        assert walk_ids(store, container, query, catalogue) == ["c"]

    def test_true_never_equals_the_number_one(self, store: DocumentStore, container: str, catalogue: str) -> None:
        assert walk_ids(store, container, Query(filters=(Filter("flag", "eq", 1),)), catalogue) == ["e"]
        assert walk_ids(store, container, Query(filters=(Filter("flag", "eq", True),)), catalogue) == ["a", "c"]

    # --- ordering and paging ----------------------------------------------------------

    def test_results_follow_the_order_then_the_id(self, store: DocumentStore, container: str, tenant: str) -> None:
        for doc_id, rank, name in [("e", 2, "x"), ("a", 2, "y"), ("c", 1, "y"), ("b", 3, "x"), ("d", 1, "x")]:
            store.create(container, tenant, doc(tenant, doc_id, rank=rank, name=name))
        by_rank = Query(order_by=(Order("rank"),))
        assert walk_ids(store, container, by_rank, tenant) == ["c", "d", "a", "e", "b"]
        by_rank_desc = Query(order_by=(Order("rank", descending=True),))
        assert walk_ids(store, container, by_rank_desc, tenant) == ["b", "a", "e", "c", "d"]
        two_keys = Query(order_by=(Order("name", descending=True), Order("rank")))
        assert walk_ids(store, container, two_keys, tenant) == ["c", "a", "d", "e", "b"]
        assert walk_ids(store, container, Query(), tenant) == ["a", "b", "c", "d", "e"]

    def test_documents_missing_the_order_field_come_first_ascending_and_last_descending(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        for doc_id, extra in [("a", {"rank": 2}), ("b", {}), ("c", {"rank": 1}), ("d", {})]:
            store.create(container, tenant, doc(tenant, doc_id, **extra))
        for limit in (1, 2, 50):
            asc = Query(order_by=(Order("rank"),), limit=limit)
            assert walk_ids(store, container, asc, tenant) == ["b", "d", "c", "a"]
            desc = Query(order_by=(Order("rank", descending=True),), limit=limit)
            assert walk_ids(store, container, desc, tenant) == ["a", "c", "b", "d"]

    def test_paging_with_a_continuation_returns_every_document_exactly_once(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        for i in range(23):
            store.create(container, tenant, doc(tenant, f"d{i:02d}", group=i % 3))
        expected = sorted((f"d{i:02d}" for i in range(23)), key=lambda d: (int(d[1:]) % 3, d))
        for limit in (1, 4, 23, 1000):
            pages = list(walk(store, container, Query(order_by=(Order("group"),), limit=limit), tenant))
            assert all(len(p.items) <= limit for p in pages)
            assert [i for p in pages for i in ids(p)] == expected

    def test_documents_inserted_while_paging_never_repeat_earlier_ones(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        originals = [f"m{i:02d}" for i in range(10)]
        for doc_id in originals:
            store.create(container, tenant, doc(tenant, doc_id))
        seen: list[str] = []
        query = Query(limit=3)
        for n, page in enumerate(walk(store, container, query, tenant)):
            seen += ids(page)
            # New documents both before and after the current position.
            store.create(container, tenant, doc(tenant, f"a{n:02d}"))
            store.create(container, tenant, doc(tenant, f"z{n:02d}"))
        assert len(seen) == len(set(seen))
        assert set(originals) <= set(seen)

    def test_a_cross_partition_query_sees_every_tenant(self, store: DocumentStore, container: str) -> None:
        run = uuid.uuid4().hex
        tenants = [new_tenant() for _ in range(3)]
        for n, t in enumerate(tenants):
            store.create(container, t, doc(t, f"x{n}", run=run))
            store.create(container, t, doc(t, f"y{n}", run="other"))
        query = Query(filters=(Filter("run", "eq", run),), limit=1)
        found = [(item["tenantId"], item["id"]) for p in walk(store, container, query, None) for item in p.items]
        assert sorted(found) == sorted((t, f"x{n}") for n, t in enumerate(tenants))

    def test_a_continuation_of_one_query_is_refused_by_another(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        for i in range(3):
            store.create(container, tenant, doc(tenant, f"d{i}", n=1))
        first = store.query(container, Query(filters=(Filter("n", "eq", 1),), limit=1), partition_key=tenant)
        assert first.continuation is not None
        others = [
            Query(filters=(Filter("n", "eq", 2),), limit=1, continuation=first.continuation),
            Query(order_by=(Order("n"),), limit=1, continuation=first.continuation),
        ]
        for other in others:
            with pytest.raises(InvalidInput):
                store.query(container, other, partition_key=tenant)

    def test_a_continuation_is_refused_in_another_partition(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        for i in range(3):
            store.create(container, tenant, doc(tenant, f"d{i}"))
        first = store.query(container, Query(limit=1), partition_key=tenant)
        assert first.continuation is not None
        with pytest.raises(InvalidInput):
            store.query(container, Query(limit=1, continuation=first.continuation), partition_key=new_tenant())

    @pytest.mark.parametrize(
        "token",
        ["not a token!", "%%%", base64.urlsafe_b64encode(b"\xff\xfe").decode(), "W10", "bnVsbA", "e30"],
    )
    def test_a_malformed_continuation_is_invalid_input(
        self, store: DocumentStore, container: str, tenant: str, token: str
    ) -> None:
        store.create(container, tenant, doc(tenant, "d1"))
        with pytest.raises(InvalidInput):
            store.query(container, Query(limit=1, continuation=token), partition_key=tenant)
        with pytest.raises(InvalidInput):
            store.read_changes(container, token)

    @settings(max_examples=40, deadline=None, suppress_health_check=SUITE_HEALTH_CHECKS)
    @given(
        rows=st.lists(
            st.tuples(st.one_of(st.none(), st.integers(0, 4)), st.one_of(st.none(), st.sampled_from("abc"))),
            max_size=25,
        ),
        orders=st.lists(st.tuples(st.sampled_from(["n", "s"]), st.booleans()), max_size=2, unique_by=lambda o: o[0]),
        minimum=st.one_of(st.none(), st.integers(0, 4)),
        limit=st.integers(1, 7),
    )
    def test_paging_any_data_returns_exactly_the_sorted_matching_set(
        self,
        store: DocumentStore,
        container: str,
        rows: list[tuple[int | None, str | None]],
        orders: list[tuple[str, bool]],
        minimum: int | None,
        limit: int,
    ) -> None:
        tenant = new_tenant()  # the store outlives hypothesis examples
        docs = []
        for i, (n, s) in enumerate(rows):
            fields = {k: v for k, v in (("n", n), ("s", s)) if v is not None}
            docs.append(store.create(container, tenant, doc(tenant, f"r{i:03d}", **fields)))
        filters = () if minimum is None else (Filter("n", "ge", minimum),)
        expected = [d for d in docs if minimum is None or d.get("n", -1) >= minimum]
        expected.sort(key=lambda d: d["id"])
        for name, descending in reversed(orders):
            # Python's sort is stable, also in reverse; a missing value is the lowest.
            expected.sort(key=lambda d: (0, 0) if name not in d else (1, d[name]), reverse=descending)
        query = Query(filters=filters, order_by=tuple(Order(f, d) for f, d in orders), limit=limit)
        assert walk_ids(store, container, query, tenant) == [d["id"] for d in expected]

    # --- change feed ------------------------------------------------------------------

    def test_the_change_feed_lists_writes_in_order(self, store: DocumentStore, container: str, tenant: str) -> None:
        for doc_id in ("c", "a", "b"):
            store.create(container, tenant, doc(tenant, doc_id))
        items, _ = drain_changes(store, container, None, tenant, max_items=2)
        assert [i["id"] for i in items] == ["c", "a", "b"]
        assert all(isinstance(i["_etag"], str) and isinstance(i["_ts"], int) for i in items)

    def test_the_change_feed_shows_only_the_latest_version_of_a_document(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        store.create(container, tenant, doc(tenant, "a", v=1))
        store.create(container, tenant, doc(tenant, "b", v=1))
        store.upsert(container, tenant, doc(tenant, "a", v=2))
        latest = store.upsert(container, tenant, doc(tenant, "a", v=3))
        items, _ = drain_changes(store, container, None, tenant)
        assert [(i["id"], i["v"]) for i in items] == [("b", 1), ("a", 3)]
        assert items[-1]["_etag"] == latest["_etag"]

    def test_the_change_feed_resumes_after_a_saved_continuation(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        store.create(container, tenant, doc(tenant, "a"))
        store.create(container, tenant, doc(tenant, "b"))
        _, saved = drain_changes(store, container, None, tenant)
        store.create(container, tenant, doc(tenant, "c"))
        store.upsert(container, tenant, doc(tenant, "a", v=2))
        items, _ = drain_changes(store, container, saved, tenant)
        assert [i["id"] for i in items] == ["c", "a"]
        again, _ = drain_changes(store, container, saved, tenant)
        assert [i["id"] for i in again] == ["c", "a"]

    def test_an_empty_change_page_keeps_its_position(self, store: DocumentStore, container: str, tenant: str) -> None:
        store.create(container, tenant, doc(tenant, "a"))
        _, position = drain_changes(store, container, None, tenant)
        empty = store.read_changes(container, position)
        assert empty.items == [] and empty.continuation
        store.create(container, tenant, doc(tenant, "b"))
        items, _ = drain_changes(store, container, empty.continuation, tenant)
        assert [i["id"] for i in items] == ["b"]

    def test_the_change_feed_does_not_report_deleted_documents(
        self, store: DocumentStore, container: str, tenant: str
    ) -> None:
        store.create(container, tenant, doc(tenant, "a"))
        store.create(container, tenant, doc(tenant, "b"))
        store.delete(container, tenant, "a")
        items, _ = drain_changes(store, container, None, tenant)
        assert [i["id"] for i in items] == ["b"]

    # --- time to live -----------------------------------------------------------------

    @pytest.fixture
    def advance(self, advance_clock: AdvanceClock) -> Callable[[float], None]:
        if advance_clock is None:
            pytest.skip("this adapter cannot move its clock, so TTL expiry cannot be tested quickly")
        return advance_clock

    def test_an_expired_document_disappears_from_reads_queries_and_changes(
        self, store: DocumentStore, container: str, tenant: str, advance: Callable[[float], None]
    ) -> None:
        store.create(container, tenant, doc(tenant, "short", ttl=10))
        store.create(container, tenant, doc(tenant, "forever", ttl=-1))
        store.create(container, tenant, doc(tenant, "plain"))
        advance(9)
        assert store.read(container, tenant, "short")["ttl"] == 10
        advance(2)
        with pytest.raises(NotFound):
            store.read(container, tenant, "short")
        assert walk_ids(store, container, Query(), tenant) == ["forever", "plain"]
        items, _ = drain_changes(store, container, None, tenant)
        assert sorted(i["id"] for i in items) == ["forever", "plain"]

    def test_writing_a_document_restarts_its_ttl(
        self, store: DocumentStore, container: str, tenant: str, advance: Callable[[float], None]
    ) -> None:
        store.create(container, tenant, doc(tenant, "d", ttl=10))
        advance(8)
        store.upsert(container, tenant, doc(tenant, "d", ttl=10, v=2))
        advance(8)
        assert store.read(container, tenant, "d")["v"] == 2
        advance(3)
        with pytest.raises(NotFound):
            store.read(container, tenant, "d")

    def test_an_expired_document_counts_as_absent(
        self, store: DocumentStore, container: str, tenant: str, advance: Callable[[float], None]
    ) -> None:
        current = store.create(container, tenant, doc(tenant, "d", ttl=5))
        advance(6)
        with pytest.raises(NotFound):
            store.replace(container, tenant, doc(tenant, "d"))
        with pytest.raises(NotFound):
            store.delete(container, tenant, "d")
        with pytest.raises(PreconditionFailed):
            store.upsert(container, tenant, doc(tenant, "d"), if_match=current["_etag"])
        store.create(container, tenant, doc(tenant, "d", v=2))
        assert store.read(container, tenant, "d")["v"] == 2
