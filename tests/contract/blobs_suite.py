"""The contract of the BlobStore port, written only against the port.

Every adapter (embedded folder, Azure Blob Storage, Azurite) runs this suite by
subclassing ``BlobStoreContract`` in a ``test_*.py`` file and providing:

- ``blobs``: the ``BlobStore`` under test;
- ``advance_clock``: a callable(seconds) that moves the adapter's time forward, or None.

``container`` defaults to a fresh container name per test, so a shared account is safe.
``max_stream_memory`` bounds the Python memory a large write or read may take; an
adapter whose SDK buffers bigger blocks raises it.
"""

from __future__ import annotations

import hashlib
import io
import random
import tracemalloc
import uuid
from collections.abc import Callable, Iterator

import pytest

from shared.errors import Conflict, InvalidInput, NotFound
from shared.platform.blobs import BlobStore

AdvanceClock = Callable[[float], None] | None

MIB = 1 << 20

INVALID_NAMES = [
    "",
    "../x",
    "a/../b",
    "a/../../b",
    "/abs",
    "/etc/passwd",
    "a//b",
    "a/",
    "./a",
    "a/./b",
    "..",
    "a\\b",
    "a\x00b",
    "x" * 1025,
]


def names(blobs: BlobStore, container: str, prefix: str = "") -> list[str]:
    return [info.name for info in blobs.list(container, prefix)]


class PeakMemory:
    """The most Python memory allocated at once inside the block (tracemalloc), in bytes."""

    def __enter__(self) -> PeakMemory:
        self.started = not tracemalloc.is_tracing()
        if self.started:
            tracemalloc.start()
        tracemalloc.reset_peak()
        self.baseline = tracemalloc.get_traced_memory()[0]
        self.peak = 0
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak = tracemalloc.get_traced_memory()[1] - self.baseline
        if self.started:
            tracemalloc.stop()


class BlobStoreContract:
    max_stream_memory: int = 16 * MIB

    @pytest.fixture
    def container(self) -> str:
        return f"contract-{uuid.uuid4().hex[:12]}"

    # --- writing and reading -------------------------------------------------------------

    def test_bytes_written_read_back_with_their_size_and_content_type(self, blobs: BlobStore, container: str) -> None:
        info = blobs.write(container, "notes/a.txt", b"hello, world", content_type="text/plain")
        assert (info.container, info.name, info.size, info.content_type) == (container, "notes/a.txt", 12, "text/plain")
        assert info.etag
        assert blobs.read_bytes(container, "notes/a.txt") == b"hello, world"
        stored = blobs.info(container, "notes/a.txt")
        assert (stored.size, stored.content_type, stored.etag) == (12, "text/plain", info.etag)

    def test_the_default_content_type_is_octet_stream(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "raw.bin", b"\x00\x01")
        assert blobs.info(container, "raw.bin").content_type == "application/octet-stream"

    def test_a_blob_keeps_the_cache_control_it_was_written_with(self, blobs: BlobStore, container: str) -> None:
        immutable = "public, max-age=31536000, immutable"
        info = blobs.write(container, "seg.ts", b"\x47" * 188, content_type="video/mp2t", cache_control=immutable)
        assert info.cache_control == immutable
        assert blobs.info(container, "seg.ts").cache_control == immutable
        blobs.write(container, "plain.txt", b"x")
        assert blobs.info(container, "plain.txt").cache_control is None  # the store's default applies

    def test_a_file_object_is_written_and_read_back(self, blobs: BlobStore, container: str) -> None:
        data = bytes(range(256)) * 1000
        info = blobs.write(container, "upload.bin", io.BytesIO(data))
        assert info.size == len(data)
        assert blobs.read_bytes(container, "upload.bin") == data

    def test_an_iterator_of_chunks_is_written_and_read_back(self, blobs: BlobStore, container: str) -> None:
        chunks = [b"first,", b"", b"second,", b"third"]
        info = blobs.write(container, "chunks.txt", iter(chunks), content_type="text/csv")
        assert (info.size, info.content_type) == (len(b"".join(chunks)), "text/csv")
        assert blobs.read_bytes(container, "chunks.txt") == b"".join(chunks)

    def test_an_empty_blob_round_trips(self, blobs: BlobStore, container: str) -> None:
        assert blobs.write(container, "empty", b"").size == 0
        assert blobs.read_bytes(container, "empty") == b""

    def test_read_chunks_never_yields_more_than_the_chunk_size(self, blobs: BlobStore, container: str) -> None:
        data = b"0123456789" * 100
        blobs.write(container, "digits", data)
        chunks = list(blobs.read_chunks(container, "digits", chunk_size=64))
        assert all(0 < len(c) <= 64 for c in chunks)
        assert b"".join(chunks) == data

    @pytest.mark.slow
    def test_a_fifty_megabyte_blob_streams_in_and_out_unchanged_without_being_held_in_memory(
        self, blobs: BlobStore, container: str
    ) -> None:
        rng = random.Random(50)
        written = hashlib.sha256()

        def generate() -> Iterator[bytes]:
            for _ in range(50):
                chunk = rng.randbytes(MIB - 7)  # odd sizes, so chunks never line up with the reads
                written.update(chunk)
                yield chunk

        with PeakMemory() as writing:
            info = blobs.write(container, "video/big.bin", generate())
        assert info.size == 50 * (MIB - 7)
        read = hashlib.sha256()
        with PeakMemory() as reading:
            for chunk in blobs.read_chunks(container, "video/big.bin", chunk_size=MIB):
                assert len(chunk) <= MIB
                read.update(chunk)
        assert read.hexdigest() == written.hexdigest()
        assert writing.peak < self.max_stream_memory, f"writing held {writing.peak} bytes at once"
        assert reading.peak < self.max_stream_memory, f"reading held {reading.peak} bytes at once"

    def test_a_blob_being_written_is_invisible_until_the_write_completes(
        self, blobs: BlobStore, container: str
    ) -> None:
        seen: list[object] = []

        def upload() -> Iterator[bytes]:
            yield b"first half, "
            seen.append(names(blobs, container))
            with pytest.raises(NotFound):
                blobs.info(container, "new.txt")
            with pytest.raises(NotFound):
                blobs.read_chunks(container, "new.txt")
            yield b"second half"

        blobs.write(container, "new.txt", upload())
        assert seen == [[]]
        assert blobs.read_bytes(container, "new.txt") == b"first half, second half"

    def test_readers_see_the_previous_version_until_an_overwrite_completes(
        self, blobs: BlobStore, container: str
    ) -> None:
        old = blobs.write(container, "doc.txt", b"old version", content_type="text/plain")
        seen: list[object] = []

        def upload() -> Iterator[bytes]:
            yield b"new "
            current = blobs.info(container, "doc.txt")
            seen.append((blobs.read_bytes(container, "doc.txt"), current.size, current.etag, current.content_type))
            yield b"version, longer"

        new = blobs.write(container, "doc.txt", upload(), content_type="text/markdown")
        assert seen == [(b"old version", 11, old.etag, "text/plain")]
        assert blobs.read_bytes(container, "doc.txt") == b"new version, longer"
        assert (new.size, new.content_type) == (19, "text/markdown")

    # --- overwriting -----------------------------------------------------------------------

    def test_writing_an_existing_blob_without_overwrite_is_a_conflict(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "doc.txt", b"original", content_type="text/plain")
        with pytest.raises(Conflict):
            blobs.write(container, "doc.txt", b"replacement", content_type="text/html", overwrite=False)
        assert blobs.read_bytes(container, "doc.txt") == b"original"
        assert blobs.info(container, "doc.txt").content_type == "text/plain"

    def test_overwrite_false_creates_a_missing_blob(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "new.txt", b"fresh", overwrite=False)
        assert blobs.read_bytes(container, "new.txt") == b"fresh"

    def test_a_write_that_loses_the_race_to_create_leaves_the_winner_untouched(
        self, blobs: BlobStore, container: str
    ) -> None:
        def racing_upload() -> Iterator[bytes]:
            # Another writer creates the blob while this upload is still streaming.
            blobs.write(container, "race.txt", b"winner", content_type="text/plain")
            yield b"loser"

        with pytest.raises(Conflict):
            blobs.write(container, "race.txt", racing_upload(), content_type="image/png", overwrite=False)
        winner = blobs.info(container, "race.txt")
        assert blobs.read_bytes(container, "race.txt") == b"winner"
        assert (winner.size, winner.content_type) == (6, "text/plain")

    def test_the_etag_changes_when_a_blob_is_overwritten(self, blobs: BlobStore, container: str) -> None:
        first = blobs.write(container, "doc.txt", b"v1")
        assert blobs.info(container, "doc.txt").etag == first.etag
        second = blobs.write(container, "doc.txt", b"v2")
        assert second.etag != first.etag
        assert blobs.info(container, "doc.txt").etag == second.etag
        assert blobs.read_bytes(container, "doc.txt") == b"v2"

    # --- missing blobs and deletion ----------------------------------------------------------

    def test_reading_a_missing_blob_raises_not_found_on_the_call_itself(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "present", b"x")
        with pytest.raises(NotFound):
            blobs.read_chunks(container, "absent")  # not iterated: the call alone must raise

    def test_info_of_a_missing_blob_raises_not_found(self, blobs: BlobStore, container: str) -> None:
        with pytest.raises(NotFound):
            blobs.info(container, "absent")

    def test_delete_returns_true_then_false(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "gone.txt", b"bye")
        assert blobs.delete(container, "gone.txt") is True
        assert blobs.delete(container, "gone.txt") is False
        with pytest.raises(NotFound):
            blobs.info(container, "gone.txt")
        assert names(blobs, container) == []

    def test_a_deleted_name_can_be_written_again_without_overwrite(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "again.txt", b"1")
        blobs.delete(container, "again.txt")
        blobs.write(container, "again.txt", b"2", overwrite=False)
        assert blobs.read_bytes(container, "again.txt") == b"2"

    def test_a_name_freed_by_deleting_the_blobs_below_it_can_be_written(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "course/lesson/video.mp4", b"child")
        blobs.delete(container, "course/lesson/video.mp4")
        blobs.write(container, "course", b"now a blob")
        assert blobs.read_bytes(container, "course") == b"now a blob"
        assert names(blobs, container) == ["course"]

    # --- listing -------------------------------------------------------------------------------

    def test_list_returns_blobs_under_a_prefix_in_name_order(self, blobs: BlobStore, container: str) -> None:
        for name in ["lessons/2/b.mp4", "a.txt", "lessons/10/a.mp4", "lessons/1/z/deep.bin", "lessonsx.txt"]:
            blobs.write(container, name, name.encode())
        assert names(blobs, container) == [
            "a.txt",
            "lessons/1/z/deep.bin",
            "lessons/10/a.mp4",
            "lessons/2/b.mp4",
            "lessonsx.txt",
        ]
        assert names(blobs, container, "lessons/") == ["lessons/1/z/deep.bin", "lessons/10/a.mp4", "lessons/2/b.mp4"]
        assert names(blobs, container, "lessons/1") == ["lessons/1/z/deep.bin", "lessons/10/a.mp4"]
        assert names(blobs, container, "nothing/") == []

    def test_listed_infos_carry_size_and_content_type(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "p/one.json", b"{}", content_type="application/json")
        [info] = blobs.list(container, "p/")
        assert (info.container, info.name, info.size) == (container, "p/one.json", 2)
        assert info.content_type == "application/json"

    @pytest.mark.parametrize("prefix", ["../", "../../", "a/../", "/", "//", "./"])
    def test_a_prefix_that_no_valid_name_has_lists_nothing(self, blobs: BlobStore, container: str, prefix: str) -> None:
        blobs.write(container, "a/b.txt", b"x")
        assert names(blobs, container, prefix) == []

    def test_listing_an_empty_container_yields_nothing(self, blobs: BlobStore, container: str) -> None:
        assert names(blobs, container) == []

    @pytest.mark.parametrize("name", ["with space/ünïcödé ✓.txt", "x/.meta/y", "dots.in.name/file...txt", "a-b_c~d"])
    def test_unusual_but_valid_names_round_trip_and_are_listed(
        self, blobs: BlobStore, container: str, name: str
    ) -> None:
        blobs.write(container, name, b"content")
        assert blobs.read_bytes(container, name) == b"content"
        assert names(blobs, container) == [name]

    def test_a_name_beginning_like_a_temporary_upload_is_listed(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "drafts/.upload-notes.txt", b"mine")
        assert blobs.read_bytes(container, "drafts/.upload-notes.txt") == b"mine"
        assert names(blobs, container) == ["drafts/.upload-notes.txt"]

    def test_a_name_with_a_long_segment_round_trips(self, blobs: BlobStore, container: str) -> None:
        name = "uploads/" + "n" * 247 + ".pdf"  # a 251-character segment: long, but under any 255 limit
        blobs.write(container, name, b"pdf")
        assert blobs.read_bytes(container, name) == b"pdf"
        assert names(blobs, container) == [name]

    def test_a_blob_and_a_blob_below_its_name_coexist(self, blobs: BlobStore, container: str) -> None:
        blobs.write(container, "course", b"parent")
        blobs.write(container, "course/lesson", b"child")
        assert blobs.read_bytes(container, "course") == b"parent"
        assert blobs.read_bytes(container, "course/lesson") == b"child"
        assert names(blobs, container) == ["course", "course/lesson"]

    # --- names ---------------------------------------------------------------------------------

    @pytest.mark.parametrize("name", INVALID_NAMES)
    def test_invalid_names_are_refused_as_invalid_input(self, blobs: BlobStore, container: str, name: str) -> None:
        with pytest.raises(InvalidInput):
            blobs.write(container, name, b"x")
        with pytest.raises(InvalidInput):
            blobs.read_chunks(container, name)
        with pytest.raises(InvalidInput):
            blobs.info(container, name)
        with pytest.raises(InvalidInput):
            blobs.delete(container, name)

    @pytest.mark.parametrize("container_name", ["", "UPPER", "a", "under_score", "double--dash", "-lead", "x" * 64])
    def test_invalid_container_names_are_refused_as_invalid_input(self, blobs: BlobStore, container_name: str) -> None:
        with pytest.raises(InvalidInput):
            blobs.write(container_name, "a.txt", b"x")
        with pytest.raises(InvalidInput):
            blobs.info(container_name, "a.txt")
