"""The embedded blob store: ``root/container/name`` files, metadata in a hidden sidecar tree.

Writes stream into a temporary file beside the target and are renamed into place, so a
reader never sees half a blob. Content type and ETag live in ``root/container/.meta/``,
one small JSON file per blob named by the hash of its name (any name length fits).
Names are validated by the port, so no name escapes the root. Because names are paths,
a blob ``x`` and a blob ``x/y`` cannot both exist here (Azure allows it): the second
write is refused as a ``Conflict``.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from shared.errors import Conflict, InvalidInput, NotFound, Unavailable
from shared.platform.blobs import BlobData, BlobInfo, BlobStore, validate_blob_name
from shared.platform.clock import Clock, SystemClock

__all__ = ["FolderBlobStore"]

META_DIR = ".meta"
CHUNK = 1 << 20
_TEMP = re.compile(r"\.upload-[0-9a-f]{32}\.tmp")
_BYTES = (bytes, bytearray, memoryview)
_MISSING = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


def _chunks(data: BlobData) -> Iterator[bytes]:
    """The data as chunks of bytes, never more than one chunk of a file or iterable in memory."""
    if isinstance(data, _BYTES):
        yield bytes(data)
        return
    source: Iterable[Any] = iter(lambda: data.read(CHUNK), b"") if hasattr(data, "read") else data
    for chunk in source:
        if not isinstance(chunk, _BYTES):
            raise InvalidInput("blob data chunks must be bytes")
        yield bytes(chunk) if not isinstance(chunk, bytes) else chunk


class _ChunkReader(Iterator[bytes]):
    """Chunks of an already opened file; closes it at the end, on ``close()`` or when dropped."""

    def __init__(self, handle: BinaryIO, chunk_size: int) -> None:
        self._handle = handle
        self._size = chunk_size

    def __next__(self) -> bytes:
        chunk = b"" if self._handle.closed else self._handle.read(self._size)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Stop reading early and release the file."""
        self._handle.close()

    def __del__(self) -> None:
        self._handle.close()


class FolderBlobStore(BlobStore):
    def __init__(self, root: Path, *, clock: Clock | None = None) -> None:
        self._root = Path(root)
        self._root.mkdir(parents=True, exist_ok=True)
        self._clock = clock or SystemClock()
        # Placing a blob and its sidecar, and reading the pair, hold this lock, so in this
        # process metadata always describes the bytes beside it.
        self._lock = threading.Lock()

    def local_path(self, container: str, name: str) -> Path | None:
        """The file of the blob (None when there is none)."""
        path, _ = self._paths(container, name)
        return path if path.is_file() else None

    def _paths(self, container: str, name: str) -> tuple[Path, Path]:
        validate_blob_name(container, name)
        if name.split("/")[0] == META_DIR:
            raise InvalidInput(f"blob names may not start with {META_DIR}/")
        base = self._root / container
        return base / name, _meta_path(base, name)

    def write(
        self,
        container: str,
        name: str,
        data: BlobData,
        *,
        content_type: str = "application/octet-stream",
        overwrite: bool = True,
        cache_control: str | None = None,
    ) -> BlobInfo:
        """Stream a blob into a temporary file, then move it into place whole."""
        path, meta = self._paths(container, name)
        if not overwrite and path.exists():
            raise Conflict(f"blob {name!r} exists")
        tmp = self._stream_to_temp(path, name, data)
        try:
            stamp = _stamp(tmp.stat())
            with self._lock:
                _place(tmp, path, name, overwrite)
                record = {
                    "name": name,
                    "contentType": content_type,
                    "cacheControl": cache_control,
                    "etag": f'"{uuid.uuid4().hex}"',
                    "modified": self._clock.now().isoformat(),
                    "stamp": stamp,
                }
                _write_json(meta, record)
                return self._info(container, name, path, meta)
        finally:
            tmp.unlink(missing_ok=True)

    def _stream_to_temp(self, path: Path, name: str, data: BlobData) -> Path:
        tmp, fd = _open_temp(path.parent, name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # the rename must not outlive the bytes after a crash
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def _info(self, container: str, name: str, path: Path, meta: Path) -> BlobInfo:
        try:
            st = path.stat()
        except _MISSING as exc:
            raise NotFound(f"no blob {name!r}") from exc
        if not path.is_file():
            raise NotFound(f"no blob {name!r}")
        record = _read_json(meta)
        if record.get("stamp") != _stamp(st):
            # No sidecar, or one describing other bytes (a file dropped or replaced by hand):
            # describe the file from what the file system knows.
            guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
            record = {
                "contentType": guessed,
                "etag": f'"{st.st_mtime_ns:x}-{st.st_size:x}"',
                "modified": datetime.fromtimestamp(st.st_mtime, UTC).isoformat(),
            }
        return BlobInfo(
            container=container,
            name=name,
            size=st.st_size,
            content_type=str(record["contentType"]),
            etag=str(record["etag"]),
            last_modified=datetime.fromisoformat(str(record["modified"])),
            cache_control=record.get("cacheControl"),
        )

    def read_chunks(self, container: str, name: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The blob's bytes in chunks; ``NotFound`` is raised by this call, not at the first chunk."""
        if chunk_size < 1:
            raise InvalidInput("chunk_size must be at least 1")
        path, _ = self._paths(container, name)
        try:
            # Opened now: the bytes read are this version's even if the blob is replaced meanwhile.
            handle = path.open("rb")
        except _MISSING as exc:
            raise NotFound(f"no blob {name!r}") from exc
        return _ChunkReader(handle, chunk_size)

    def info(self, container: str, name: str) -> BlobInfo:
        """Size, content type, ETag and last modified time; ``NotFound`` if absent."""
        path, meta = self._paths(container, name)
        with self._lock:
            return self._info(container, name, path, meta)

    def delete(self, container: str, name: str) -> bool:
        """Delete a blob and its sidecar; False if there was none."""
        path, meta = self._paths(container, name)
        with self._lock:
            if not path.is_file():
                return False
            path.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
        _prune_empty_folders(path.parent, self._root / container)
        return True

    def list(self, container: str, prefix: str = "") -> Iterator[BlobInfo]:
        """Blobs whose names start with ``prefix``, in name order, at any depth."""
        validate_blob_name(container, "x")
        base = self._root / container
        for name in _names(base, prefix):
            try:
                yield self.info(container, name)
            except NotFound:
                continue  # deleted since the folder was walked

    def ping(self) -> None:
        """Raise ``Unavailable`` if the blob folder cannot be written."""
        if not (self._root.is_dir() and os.access(self._root, os.W_OK)):
            raise Unavailable("the blob folder is not writable")


def _names(base: Path, prefix: str) -> list[str]:
    """Names of the blobs below ``base`` that start with ``prefix``, walking only the prefix's folder."""
    folder = prefix.rpartition("/")[0]
    if folder and not _is_valid_name(folder):
        return []  # no valid blob name starts with this prefix
    names = []
    for parent, dirs, files in os.walk(base / folder):
        relative = Path(parent).relative_to(base).as_posix()
        if relative == ".":
            dirs[:] = [d for d in dirs if d != META_DIR]
        for file in files:
            name = file if relative == "." else f"{relative}/{file}"
            if name.startswith(prefix) and _is_valid_name(name) and not _is_upload(base, name, file):
                names.append(name)
    return sorted(names)


def _is_upload(base: Path, name: str, file: str) -> bool:
    """A temporary file of a write in progress: its pattern, and no sidecar as a written blob has."""
    return bool(_TEMP.fullmatch(file)) and not _meta_path(base, name).exists()


def _meta_path(base: Path, name: str) -> Path:
    return base / META_DIR / f"{hashlib.sha256(name.encode()).hexdigest()}.json"


def _open_temp(folder: Path, name: str) -> tuple[Path, int]:
    """A new temporary file in ``folder``; retried because a concurrent delete may prune the folder."""
    for attempt in range(3):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".upload-{uuid.uuid4().hex}.tmp"
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except (FileExistsError, NotADirectoryError) as exc:
            raise Conflict(f"blob {name!r} clashes with a blob named like one of its folders") from exc
        except FileNotFoundError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _place(tmp: Path, path: Path, name: str, overwrite: bool) -> None:
    try:
        if overwrite:
            os.replace(tmp, path)
        else:
            # A hard link fails if the name exists, even if another process created it after
            # our first check, so a losing writer can never replace the winner.
            os.link(tmp, path)
    except (FileExistsError, IsADirectoryError) as exc:
        if path.is_dir():
            raise Conflict(f"blob {name!r} clashes with the folder of blobs below that name") from exc
        raise Conflict(f"blob {name!r} exists") from exc


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns]


def _write_json(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _is_valid_name(name: str) -> bool:
    try:
        validate_blob_name("valid", name)
    except InvalidInput:
        return False
    return name.split("/")[0] != META_DIR


def _prune_empty_folders(folder: Path, base: Path) -> None:
    """Remove folders left empty by a delete, so their names are free for blobs again."""
    while folder != base and base in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or already gone): the folders above are not empty either
        folder = folder.parent
