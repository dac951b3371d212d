"""The embedded blob store: one folder per container, metadata in a hidden sidecar tree.

Writes stream into a temporary file beside the target and are renamed into place, so a
reader never sees half a blob. Names are validated by the port so no name escapes the root.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from shared.errors import Conflict, InvalidInput, NotFound, Unavailable
from shared.platform.blobs import BlobData, BlobInfo, BlobStore, validate_blob_name
from shared.platform.clock import Clock, SystemClock

__all__ = ["FolderBlobStore"]

META_DIR = ".meta"
CHUNK = 1 << 20


def _chunks(data: BlobData) -> Iterable[bytes]:
    if isinstance(data, bytes):
        yield data
    elif isinstance(data, Iterable) and not hasattr(data, "read"):
        yield from data
    else:
        while chunk := data.read(CHUNK):
            yield chunk


class FolderBlobStore(BlobStore):
    def __init__(self, root: Path, *, clock: Clock | None = None) -> None:
        self._root = Path(root)
        self._root.mkdir(parents=True, exist_ok=True)
        self._clock = clock or SystemClock()

    def _paths(self, container: str, name: str) -> tuple[Path, Path]:
        validate_blob_name(container, name)
        if name.split("/")[0] == META_DIR:
            raise InvalidInput(f"blob names may not start with {META_DIR}/")
        base = self._root / container
        return base / name, base / META_DIR / f"{name}.json"

    def write(
        self,
        container: str,
        name: str,
        data: BlobData,
        *,
        content_type: str = "application/octet-stream",
        overwrite: bool = True,
    ) -> BlobInfo:
        """Stream a blob into place."""
        path, meta = self._paths(container, name)
        if not overwrite and path.exists():
            raise Conflict(f"blob {name!r} exists")
        path.parent.mkdir(parents=True, exist_ok=True)
        meta.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(data):
                    out.write(chunk)
            info = {
                "contentType": content_type,
                "etag": f'"{uuid.uuid4().hex}"',
                "modified": self._clock.now().isoformat(),
            }
            meta.write_text(json.dumps(info))
            if not overwrite and path.exists():
                raise Conflict(f"blob {name!r} exists")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self._info(container, name, path, meta)

    def _info(self, container: str, name: str, path: Path, meta: Path) -> BlobInfo:
        try:
            size = path.stat().st_size
            info = json.loads(meta.read_text()) if meta.exists() else {}
        except FileNotFoundError as exc:
            raise NotFound(f"no blob {name!r}") from exc
        modified = info.get("modified")
        return BlobInfo(
            container=container,
            name=name,
            size=size,
            content_type=info.get("contentType", "application/octet-stream"),
            etag=info.get("etag", '""'),
            last_modified=datetime.fromisoformat(modified)
            if modified
            else datetime.fromtimestamp(path.stat().st_mtime, UTC),
        )

    def read_chunks(self, container: str, name: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The blob's bytes in chunks (NotFound raised now, not at the first chunk)."""
        path, _ = self._paths(container, name)
        try:
            handle = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"no blob {name!r}") from exc
        return self._stream(handle, chunk_size)

    @staticmethod
    def _stream(handle: BinaryIO, chunk_size: int) -> Iterator[bytes]:
        with handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def info(self, container: str, name: str) -> BlobInfo:
        """Size, content type, ETag and last modified time."""
        path, meta = self._paths(container, name)
        if not path.is_file():
            raise NotFound(f"no blob {name!r}")
        return self._info(container, name, path, meta)

    def delete(self, container: str, name: str) -> bool:
        """Delete a blob; False if there was none."""
        path, meta = self._paths(container, name)
        meta.unlink(missing_ok=True)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError):
            return False
        return True

    def list(self, container: str, prefix: str = "") -> Iterator[BlobInfo]:
        """Blobs whose names start with ``prefix``, in name order."""
        validate_blob_name(container, "x")
        base = self._root / container
        if not base.is_dir():
            return
        names = sorted(
            p.relative_to(base).as_posix()
            for p in base.rglob("*")
            if p.is_file() and p.relative_to(base).parts[0] != META_DIR and not p.name.startswith(".upload-")
        )
        for name in names:
            if name.startswith(prefix):
                yield self._info(container, name, base / name, base / META_DIR / f"{name}.json")

    def ping(self) -> None:
        if not os.access(self._root, os.W_OK):
            raise Unavailable("the blob folder is not writable")
