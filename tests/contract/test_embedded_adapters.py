"""The port contracts on the embedded adapters, plus what only the embedded adapters do:
the bus file, the blob folder layout and its sidecar tree, the FTS5 query sanitizer and
index rebuilds, the secret file and its environment override, the LRU bound, the URL shape.

A contract test overridden below only to mark it ``xfail(strict=True)`` is a known gap of
the embedded adapter: the reason names it; the contract test itself stays in the suite."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import Conflict, Forbidden, InvalidInput, Unavailable
from shared.platform._folder_blobs import FolderBlobStore
from shared.platform._fts_search import SqliteSearchIndex, fts_query
from shared.platform._hmac_signer import HmacUrlSigner
from shared.platform._local_secrets import LocalSecretStore
from shared.platform._memory_cache import MemoryCache
from shared.platform._sqlite_bus import SqliteMessageBus
from shared.platform.blobs import BlobStore
from shared.platform.bus import DEAD_LETTER_SUFFIX, BusTopology, MessageBus, OutgoingMessage
from shared.platform.clock import ManualClock
from shared.platform.search import SearchIndex
from shared.platform.secrets import SecretStore
from tests.contract.blobs_suite import INVALID_NAMES, BlobStoreContract
from tests.contract.bus_suite import QUEUE, TOPOLOGY, MessageBusContract, new_id
from tests.contract.cache_suite import JITTER, CacheContract
from tests.contract.search_suite import COURSES, INDEX, NASTY, SearchIndexContract, course, keys
from tests.contract.secrets_suite import SecretStoreContract
from tests.contract.signer_suite import UrlSignerContract, query


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def advance_clock(clock: ManualClock) -> Callable[[float], None]:
    return clock.advance


# --- message bus ------------------------------------------------------------------------------


class TestSqliteMessageBus(MessageBusContract):
    @pytest.fixture
    def bus(self, tmp_path: Path, clock: ManualClock) -> SqliteMessageBus:
        return SqliteMessageBus(tmp_path / "bus.sqlite3", TOPOLOGY, clock=clock)

    @pytest.fixture
    def current_time(self, clock: ManualClock) -> Callable[[], datetime]:
        return clock.now

    def test_messages_and_locks_survive_a_restart(self, tmp_path: Path, clock: ManualClock, bus: MessageBus) -> None:
        bus.send(QUEUE, [OutgoingMessage(b"kept", new_id()), OutgoingMessage(b"locked", new_id())])
        [kept] = bus.receive(QUEUE, max_messages=1)
        restarted = SqliteMessageBus(tmp_path / "bus.sqlite3", TOPOLOGY, clock=clock)
        [locked] = restarted.receive(QUEUE)
        assert locked.body == b"locked"
        restarted.complete(kept)  # the lock taken before the restart still settles
        assert restarted.receive(QUEUE) == []

    def test_the_bus_file_is_in_wal_mode(self, tmp_path: Path, bus: MessageBus) -> None:
        with sqlite3.connect(tmp_path / "bus.sqlite3") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def test_a_batch_that_fails_part_way_sends_nothing_and_can_be_sent_again(
        self, tmp_path: Path, bus: MessageBus
    ) -> None:
        with sqlite3.connect(tmp_path / "bus.sqlite3") as db:  # a storage failure on the batch's second row
            db.execute(
                "CREATE TRIGGER refuse AFTER INSERT ON messages WHEN NEW.body = X'626164' "
                "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
            )
        batch = [OutgoingMessage(b"good", new_id()), OutgoingMessage(b"bad", new_id())]
        with pytest.raises(sqlite3.DatabaseError, match="disk trouble"):
            bus.send(QUEUE, batch)
        assert bus.receive(QUEUE) == []
        with sqlite3.connect(tmp_path / "bus.sqlite3") as db:
            db.execute("DROP TRIGGER refuse")
        bus.send(QUEUE, batch)  # the failed batch left no duplicate-detection record behind
        assert [m.body for m in bus.receive(QUEUE)] == [b"good", b"bad"]

    @pytest.mark.parametrize(
        "bad",
        [
            OutgoingMessage(body="text", message_id="m-1"),  # type: ignore[arg-type]
            OutgoingMessage(body=b"x", message_id=""),
            OutgoingMessage(body=b"x", message_id="m" * 129),
            OutgoingMessage(body=b"x", message_id="m-2", properties={"n": 1}),  # type: ignore[dict-item]
        ],
        ids=["str-body", "empty-id", "long-id", "non-string-property"],
    )
    def test_a_malformed_message_refuses_its_whole_batch(self, bus: MessageBus, bad: OutgoingMessage) -> None:
        with pytest.raises(InvalidInput):
            bus.send(QUEUE, [OutgoingMessage(b"fine", new_id()), bad])
        assert bus.receive(QUEUE) == []

    def test_receiving_fewer_than_one_message_is_invalid_input(self, bus: MessageBus) -> None:
        with pytest.raises(InvalidInput):
            bus.receive(QUEUE, max_messages=0)

    def test_a_scheduled_time_without_a_zone_is_taken_as_utc(self, bus: MessageBus, clock: ManualClock) -> None:
        naive = (clock.now() + timedelta(seconds=60)).replace(tzinfo=None)
        bus.send(QUEUE, [OutgoingMessage(b"later", new_id(), scheduled_at=naive)])
        clock.advance(59)
        assert bus.receive(QUEUE) == []
        clock.advance(2)
        assert [m.body for m in bus.receive(QUEUE)] == [b"later"]

    def test_a_dead_letter_cannot_be_dead_lettered_again(self, bus: MessageBus) -> None:
        bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
        [received] = bus.receive(QUEUE)
        bus.dead_letter(received, "Rejected")
        [dead] = bus.receive(QUEUE + DEAD_LETTER_SUFFIX)
        with pytest.raises(InvalidInput):
            bus.dead_letter(dead, "Again")

    def test_a_topic_without_subscriptions_accepts_and_drops_messages(self, tmp_path: Path) -> None:
        bus = SqliteMessageBus(tmp_path / "lonely.sqlite3", BusTopology(topics={"lonely": {}}))
        bus.send("lonely", [OutgoingMessage(b"nobody listens", new_id())])


# --- blobs --------------------------------------------------------------------------------------


class TestFolderBlobStore(BlobStoreContract):
    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        return tmp_path / "blobs"

    @pytest.fixture
    def blobs(self, root: Path, clock: ManualClock) -> FolderBlobStore:
        return FolderBlobStore(root, clock=clock)

    @pytest.mark.xfail(
        strict=True,
        raises=Conflict,
        reason="known gap: names are paths in the folder, so a blob 'x' and a blob 'x/y' cannot both exist "
        "(Azure allows it); the second write is refused as Conflict",
    )
    def test_a_blob_and_a_blob_below_its_name_coexist(self, blobs: BlobStore, container: str) -> None:
        super().test_a_blob_and_a_blob_below_its_name_coexist(blobs, container)

    def test_a_blob_is_a_plain_file_at_root_container_name(self, blobs: BlobStore, root: Path) -> None:
        blobs.write("media", "courses/c-1/intro.txt", iter([b"hello ", b"there"]), content_type="text/plain")
        assert (root / "media" / "courses" / "c-1" / "intro.txt").read_bytes() == b"hello there"

    @pytest.mark.parametrize(("first", "second"), [("course", "course/lesson"), ("course/lesson", "course")])
    def test_a_blob_clashing_with_a_folder_of_another_is_refused_as_conflict(
        self, blobs: BlobStore, first: str, second: str
    ) -> None:
        blobs.write("media", first, b"first", content_type="text/plain")
        for overwrite in (True, False):
            with pytest.raises(Conflict):
                blobs.write("media", second, b"second", overwrite=overwrite)
        assert blobs.read_bytes("media", first) == b"first"
        assert [info.name for info in blobs.list("media")] == [first]

    def test_a_file_dropped_into_the_folder_by_hand_is_a_blob(self, blobs: BlobStore, root: Path) -> None:
        (root / "uploads" / "t-1").mkdir(parents=True)
        (root / "uploads" / "t-1" / "talk.mp4").write_bytes(b"video bytes")
        [info] = blobs.list("uploads")
        assert (info.name, info.size, info.content_type) == ("t-1/talk.mp4", 11, "video/mp4")
        assert info.etag
        assert blobs.read_bytes("uploads", "t-1/talk.mp4") == b"video bytes"

    def test_a_file_replaced_by_hand_gets_a_new_etag(self, blobs: BlobStore, root: Path) -> None:
        before = blobs.write("media", "notes.txt", b"v1", content_type="text/plain")
        (root / "media" / "notes.txt").write_bytes(b"edited by hand")
        after = blobs.info("media", "notes.txt")
        assert after.etag != before.etag
        assert after.size == len(b"edited by hand")

    def test_an_unfinished_upload_of_another_process_is_not_listed(self, blobs: BlobStore, root: Path) -> None:
        blobs.write("media", "a/done.txt", b"x")
        (root / "media" / "a" / f".upload-{'0' * 32}.tmp").write_bytes(b"half")
        assert [info.name for info in blobs.list("media")] == ["a/done.txt"]

    def test_refused_names_never_touch_a_file_outside_the_root(self, blobs: BlobStore, tmp_path: Path) -> None:
        for name in INVALID_NAMES:
            with pytest.raises(InvalidInput):
                blobs.write("media", name, b"escaped")
        written = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert written == []

    def test_sidecar_metadata_never_appears_in_listings(self, blobs: BlobStore, root: Path) -> None:
        written = ["a.txt", "nested/b.txt", "nested/deeper/c.txt"]
        for name in written:
            blobs.write("media", name, b"x", content_type="text/plain")
        assert (root / "media" / ".meta").is_dir()  # the sidecars exist, so the check below means something
        assert [info.name for info in blobs.list("media")] == written
        assert [info.name for info in blobs.list("media", ".meta")] == []

    @pytest.mark.parametrize("name", [".meta/a.json", ".meta/nested/b.txt.json", ".meta"])
    def test_a_name_inside_the_sidecar_tree_is_refused(self, blobs: BlobStore, name: str) -> None:
        blobs.write("media", "a", b"x")
        with pytest.raises(InvalidInput):
            blobs.write("media", name, b"{}")
        with pytest.raises(InvalidInput):
            blobs.read_chunks("media", name)
        with pytest.raises(InvalidInput):
            blobs.info("media", name)
        with pytest.raises(InvalidInput):
            blobs.delete("media", name)

    def test_a_write_leaves_no_temporary_file_behind(self, blobs: BlobStore, root: Path) -> None:
        blobs.write("media", "doc.txt", iter([b"a", b"b"]))

        def failing() -> Iterator[bytes]:
            yield b"half of it"
            raise RuntimeError("upload broke")

        with pytest.raises(RuntimeError, match="upload broke"):
            blobs.write("media", "broken.txt", failing())
        leftovers = [p.name for p in (root / "media").rglob("*") if p.name.startswith(".upload-")]
        assert leftovers == []
        assert [info.name for info in blobs.list("media")] == ["doc.txt"]


# --- search --------------------------------------------------------------------------------------


class TestSqliteSearchIndex(SearchIndexContract):
    @pytest.fixture
    def search(self, tmp_path: Path) -> SqliteSearchIndex:
        return SqliteSearchIndex(tmp_path / "search.sqlite3")

    @given(text=st.one_of(NASTY, st.text()))
    def test_the_query_of_any_text_is_only_quoted_words(self, text: str) -> None:
        query = fts_query(text)
        if query is not None:
            assert re.fullmatch(r'"(?:[^"]|"")+"(?: AND "(?:[^"]|"")+")*\*', query), query

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", None),
            ('" * AND ( NEAR', '"AND" AND "NEAR"*'),
            ('say "hi"', '"say" AND """hi"""*'),
            ("a\x00b", '"a" AND "b"*'),
            ("___ 🎓", None),
        ],
    )
    def test_user_syntax_becomes_quoted_words(self, text: str, expected: str | None) -> None:
        assert fts_query(text) == expected

    def test_accents_are_ignored_when_matching(self, search: SearchIndex, index: str, catalogue: str) -> None:
        assert keys(search.search(index, catalogue, "cuisine francaise")) == ["fr-1"]
        assert keys(search.search(index, catalogue, "FRANÇAIS")) == ["fr-1"]

    def test_a_changed_definition_reindexes_the_stored_documents(self, search: SearchIndex, tenant: str) -> None:
        search.ensure_index(COURSES)
        search.upsert(INDEX, [course(tenant, "k", "Title", level="expert")])
        assert keys(search.search(INDEX, tenant, "expert")) == []
        search.ensure_index(COURSES.__class__(name=INDEX, searchable=("title", "level"), filterable=("level",)))
        assert keys(search.search(INDEX, tenant, "expert")) == ["k"]
        assert keys(search.search(INDEX, tenant, "", filters={"level": "expert"})) == ["k"]

    def test_an_index_of_the_previous_layout_is_rebuilt_with_its_documents(self, tmp_path: Path, tenant: str) -> None:
        path = tmp_path / "old.sqlite3"
        document = course(tenant, "k", "Legacy title", level="beginner")
        old = {"name": INDEX, "searchable": ["title", "summary", "tags"], "filterable": ["level"], "key_field": "id"}
        with sqlite3.connect(path) as db:
            db.executescript(
                "CREATE TABLE indexes (name TEXT PRIMARY KEY, definition TEXT NOT NULL);"
                "CREATE VIRTUAL TABLE fts_courses USING fts5(tenant UNINDEXED, key UNINDEXED, title, summary, tags);"
                "CREATE TABLE docs_courses (tenant TEXT NOT NULL, key TEXT NOT NULL, document TEXT NOT NULL, "
                "filters TEXT NOT NULL, PRIMARY KEY (tenant, key));"
            )
            db.execute("INSERT INTO indexes VALUES (?, ?)", (INDEX, json.dumps(old)))
            db.execute("INSERT INTO docs_courses VALUES (?, 'k', ?, '{}')", (tenant, json.dumps(document)))
        search = SqliteSearchIndex(path)
        search.ensure_index(COURSES)
        [hit] = search.search(INDEX, tenant, "legacy", filters={"level": "beginner"}).hits
        assert hit.document == document

    @pytest.mark.parametrize(
        ("name", "searchable"),
        [("Bad Name", ("title",)), ("x;drop", ("title",)), ("ok", ("ti tle",)), ("ok", ()), ("ok", ("a", "A"))],
    )
    def test_a_definition_with_bad_names_is_invalid_input(
        self, search: SearchIndex, name: str, searchable: tuple[str, ...]
    ) -> None:
        with pytest.raises(InvalidInput):
            search.ensure_index(COURSES.__class__(name=name, searchable=searchable))


# --- secrets -------------------------------------------------------------------------------------


class TestLocalSecretStore(SecretStoreContract):
    @pytest.fixture
    def secret_file(self, tmp_path: Path) -> Path:
        return tmp_path / "private" / "secrets.json"

    @pytest.fixture
    def secrets(self, secret_file: Path) -> LocalSecretStore:
        return LocalSecretStore(secret_file, environ={})

    def test_the_secret_file_is_readable_by_its_owner_only(self, secrets: SecretStore, secret_file: Path) -> None:
        secrets.set("signing-key", "k")
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600

    def test_a_loose_secret_file_is_tightened_on_the_next_write(self, secret_file: Path) -> None:
        secret_file.parent.mkdir(parents=True)
        secret_file.write_text('{"old": "v"}')
        secret_file.chmod(0o644)
        store = LocalSecretStore(secret_file, environ={})
        store.set("new", "w")
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert (store.get("old"), store.get("new")) == ("v", "w")

    def test_the_environment_wins_over_the_file(self, secret_file: Path) -> None:
        environ = {"LMS_SECRET_DB_PASSWORD": "from-env"}
        store = LocalSecretStore(secret_file, environ=environ)
        assert store.get("db-password") == "from-env"
        store.set("db-password", "from-file")
        assert store.get("db-password") == "from-env"
        assert LocalSecretStore(secret_file, environ={}).get("db-password") == "from-file"

    def test_values_persist_for_a_new_store_on_the_same_file(self, secrets: SecretStore, secret_file: Path) -> None:
        secrets.set("jwt-key", "persisted")
        assert LocalSecretStore(secret_file, environ={}).get("jwt-key") == "persisted"

    def test_the_folder_of_a_new_secret_file_is_private(self, secrets: SecretStore, secret_file: Path) -> None:
        secrets.set("signing-key", "k")
        assert stat.S_IMODE(secret_file.parent.stat().st_mode) & 0o077 == 0

    def test_an_empty_environment_variable_counts_as_unset(self, secret_file: Path) -> None:
        LocalSecretStore(secret_file, environ={}).set("api-key", "from-file")
        assert LocalSecretStore(secret_file, environ={"LMS_SECRET_API_KEY": ""}).get("api-key") == "from-file"

    def test_a_file_written_with_mixed_case_names_still_resolves(self, secret_file: Path) -> None:
        secret_file.parent.mkdir(parents=True)
        secret_file.write_text('{"Api-Key": "v"}')
        assert LocalSecretStore(secret_file, environ={}).get("api-key") == "v"

    @pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
    def test_an_unreadable_secret_file_is_unavailable(self, secret_file: Path, content: str) -> None:
        secret_file.parent.mkdir(parents=True)
        secret_file.write_text(content)
        store = LocalSecretStore(secret_file, environ={})
        with pytest.raises(Unavailable):
            store.get("any")
        with pytest.raises(Unavailable):
            store.set("any", "v")

    def test_the_process_environment_is_used_by_default(
        self, secret_file: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LMS_SECRET_FROM_PROCESS", "yes")
        assert LocalSecretStore(secret_file).get("from-process") == "yes"


# --- cache -------------------------------------------------------------------------------------


class TestMemoryCache(CacheContract):
    @pytest.fixture
    def cache(self, clock: ManualClock) -> MemoryCache:
        return MemoryCache(max_entries=10_000, jitter=JITTER, clock=clock, rng=random.Random(7))

    def test_the_least_recently_used_entry_is_evicted_beyond_max_entries(self, clock: ManualClock) -> None:
        cache = MemoryCache(max_entries=3, jitter=JITTER, clock=clock)
        for key in ("a", "b", "c"):
            cache.set(key, key, 60)
        assert cache.get("a") == "a"  # a is now the most recently used
        cache.set("d", "d", 60)
        assert [cache.get(k) for k in ("a", "b", "c", "d")] == ["a", None, "c", "d"]

    def test_setting_an_existing_key_does_not_evict_another(self, clock: ManualClock) -> None:
        cache = MemoryCache(max_entries=2, jitter=JITTER, clock=clock)
        cache.set("a", 1, 60)
        cache.set("b", 2, 60)
        cache.set("a", 3, 60)
        assert (cache.get("a"), cache.get("b")) == (3, 2)

    def test_concurrent_use_keeps_the_bound_and_every_value_whole(self, clock: ManualClock) -> None:
        cache = MemoryCache(max_entries=50, jitter=JITTER, clock=clock)

        def work(worker: int) -> None:
            for i in range(500):
                cache.set(f"{worker}:{i % 80}", {"worker": worker, "i": i}, 60)
                value = cache.get(f"{worker}:{(i * 7) % 80}")
                assert value is None or value["worker"] == worker

        threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        alive = [cache.get(f"{w}:{i}") for w in range(8) for i in range(80)]
        assert 0 < sum(v is not None for v in alive) <= 50

    def test_max_entries_below_one_is_refused(self) -> None:
        with pytest.raises(ValueError, match="max_entries"):
            MemoryCache(max_entries=0)

    @pytest.mark.parametrize("jitter", [-0.1, 1.0, 2.0])
    def test_a_jitter_outside_zero_to_one_is_refused(self, jitter: float) -> None:
        with pytest.raises(ValueError, match="jitter"):
            MemoryCache(jitter=jitter)


# --- signer --------------------------------------------------------------------------------------


class TestHmacUrlSigner(UrlSignerContract):
    @pytest.fixture
    def signer(self, clock: ManualClock) -> HmacUrlSigner:
        return HmacUrlSigner(b"k" * 32, "http://localhost:7071/files", clock=clock)

    def test_a_url_signed_with_another_key_is_refused(self, signer: HmacUrlSigner, clock: ManualClock) -> None:
        other = HmacUrlSigner(b"o" * 32, "http://localhost:7071/files", clock=clock)
        url = other.sign("media", "a.mp4", ttl_seconds=60)
        with pytest.raises(Forbidden):
            signer.verify("media", "a.mp4", query(url))

    def test_a_url_names_the_blob_under_the_base_url_with_the_azure_parameter_names(
        self, signer: HmacUrlSigner, clock: ManualClock
    ) -> None:
        url = signer.sign("media", "courses/c 1/ünï.mp4", ttl_seconds=60, permission="w")
        expiry = int(clock.now().timestamp()) + 60
        pattern = (
            rf"http://localhost:7071/files/media/courses/c%201/%C3%BCn%C3%AF\.mp4\?se={expiry}&sp=w&sr=b&sig=[\w-]+"
        )
        assert re.fullmatch(pattern, url), url

    # Plausible values for each parameter, so made-up queries get past the first checks.
    MADE_UP_QUERY = st.fixed_dictionaries(
        {},
        optional={
            "se": st.one_of(st.integers(0, 2**40).map(str), st.text(max_size=20)),
            "sp": st.one_of(st.sampled_from(["r", "w", "rw"]), st.text(max_size=3)),
            "sr": st.one_of(st.sampled_from(["b", "p"]), st.text(max_size=3)),
            "sig": st.text(max_size=60),
            "spfx": st.one_of(st.sampled_from(["", "a", "a.mp4"]), st.text(max_size=10)),
        },
    )

    @given(params=MADE_UP_QUERY)
    def test_any_made_up_query_is_refused_as_forbidden(self, params: dict[str, str]) -> None:
        signer = HmacUrlSigner(b"k" * 32, "http://localhost:7071/files", clock=ManualClock())
        with pytest.raises(Forbidden):
            signer.verify("media", "a.mp4", params)

    @pytest.mark.parametrize(("name", "ttl", "prefix"), [("a.mp4", 0, False), ("a.mp4", -5, False), ("", 60, True)])
    def test_a_url_that_could_never_verify_is_not_signed(
        self, signer: HmacUrlSigner, name: str, ttl: int, prefix: bool
    ) -> None:
        with pytest.raises(InvalidInput):
            signer.sign("media", name, ttl_seconds=ttl, prefix=prefix)

    def test_a_short_key_is_refused(self) -> None:
        with pytest.raises(ValueError, match="16 bytes"):
            HmacUrlSigner(b"short", "http://localhost")
