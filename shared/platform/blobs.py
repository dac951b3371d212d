"""The blob store port: named byte streams in containers, never loaded whole by default."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from shared.errors import InvalidInput

__all__ = ["BlobInfo", "BlobStore", "validate_blob_name"]

_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
BlobData = bytes | BinaryIO | Iterable[bytes]


@dataclass(frozen=True)
class BlobInfo:
    container: str
    name: str
    size: int
    content_type: str
    etag: str
    last_modified: datetime
    cache_control: str | None = None  # what the CDN and browsers are told about caching it


def validate_blob_name(container: str, name: str) -> None:
    """Container names follow Azure's rules; names are relative '/'-separated paths
    without empty, '.' or '..' segments (so no adapter can be steered out of its root)."""
    if not isinstance(container, str) or not _CONTAINER.match(container):
        raise InvalidInput(f"invalid blob container name {container!r}")
    if not isinstance(name, str) or not 1 <= len(name) <= 1024 or "\\" in name or "\x00" in name:
        raise InvalidInput("invalid blob name")
    if any(seg in ("", ".", "..") for seg in name.split("/")):
        raise InvalidInput("invalid blob name")


class BlobStore(ABC):
    @abstractmethod
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
        """Store a blob from bytes, a readable file or an iterable of chunks, streaming.
        ``Conflict`` if it exists and ``overwrite`` is False. Readers never see a partial blob.
        ``cache_control`` is served with the blob (Blob Storage's Cache-Control property, which
        Front Door honours); without it the store's default applies."""

    @abstractmethod
    def read_chunks(self, container: str, name: str, *, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The blob's bytes in chunks; ``NotFound`` if absent (raised on the call)."""

    @abstractmethod
    def info(self, container: str, name: str) -> BlobInfo:
        """Size, content type, ETag, last modified; ``NotFound`` if absent."""

    @abstractmethod
    def delete(self, container: str, name: str) -> bool:
        """Delete a blob; False if it did not exist."""

    @abstractmethod
    def list(self, container: str, prefix: str = "") -> Iterator[BlobInfo]:
        """Blobs whose names start with ``prefix``, in name order."""

    def read_bytes(self, container: str, name: str) -> bytes:
        return b"".join(self.read_chunks(container, name))

    def local_path(self, container: str, name: str) -> Path | None:
        """The blob as a file on this machine, where the store keeps it in one (the folder store);
        None for a remote store. Readers that need random access (ffprobe) read it in place."""
        return None

    def ping(self) -> None:  # noqa: B027 - optional readiness hook
        """Raise ``Unavailable`` if the store cannot be reached."""
