"""The blob store on Azure Blob Storage (``azure-storage-blob``), also run against Azurite.

Writes of files and chunk iterables go up as staged blocks committed by one Put Block List,
so readers see the previous version (or nothing) until the commit, and ``overwrite=False``
is an ``If-None-Match: *`` on that commit: a writer that loses the race gets ``Conflict``.
Reads stream through the SDK's downloader, which pins the ETag of its first response, so a
blob replaced while it is read fails with ``PreconditionFailed`` instead of mixing versions.
How much memory one transfer takes is the client's business (its block and range sizes):
build it with ``blob_service_client``. On an account with a hierarchical namespace the
folders are entries too (metadata ``hdi_isfolder``); they are not blobs of this port.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ResourceExistsError
from azure.storage.blob import BlobServiceClient, ContentSettings

from shared.errors import DomainError, InvalidInput, NotFound, Unavailable
from shared.platform._azure_errors import map_azure_errors
from shared.platform.blobs import BlobData, BlobInfo, BlobStore, validate_blob_name

__all__ = ["TRANSFER_SIZES", "AzureBlobStore", "blob_service_client"]

SERVICE = "Blob Storage"
CHUNK = 1 << 20
# Passed to BlobServiceClient: the SDK holds one block or range of these sizes per transfer
# (its defaults would buffer 32 MiB on the first read and 64 MiB on a single put). Ranges are
# smaller than blocks because the downloader's process_content() runs list() over a response
# whose __len__ is its byte count, so each range briefly costs 8 bytes of pointers per byte.
TRANSFER_SIZES: dict[str, int] = {
    "max_block_size": 4 << 20,
    "max_single_put_size": 4 << 20,
    "max_single_get_size": 1 << 20,
    "max_chunk_get_size": 1 << 20,
}
_BYTES = (bytes, bytearray, memoryview)
_FOLDER_FLAG = "hdi_isfolder"


def blob_service_client(
    account_url: str | None,
    connection_string: str | None,
    credential: TokenCredential | None,
    **options: Any,
) -> BlobServiceClient:
    """A client on the emulator's connection string if given, else on the account URL with the app's credential."""
    settings = {**TRANSFER_SIZES, **options}
    if connection_string:
        return BlobServiceClient.from_connection_string(connection_string, **settings)
    if not account_url:
        raise ValueError("Blob Storage needs an account URL or a connection string")
    if credential is None:
        raise ValueError("Blob Storage on an account URL needs the app's token credential")
    return BlobServiceClient(account_url, credential=credential, **settings)


def _chunks(data: Iterable[Any], counter: list[int]) -> Iterator[bytes]:
    """The chunks of an iterable, checked to be bytes and counted as they go up."""
    for chunk in data:
        if not isinstance(chunk, _BYTES):
            raise InvalidInput("blob data chunks must be bytes")
        counter[0] += len(chunk)
        yield bytes(chunk)


def _is_folder(metadata: Mapping[str, str] | None) -> bool:
    return (metadata or {}).get(_FOLDER_FLAG, "").lower() == "true"


def _is_valid_name(name: str) -> bool:
    try:
        validate_blob_name("valid", name)
    except InvalidInput:
        return False
    return True


def _info(container: str, name: str, properties: Any) -> BlobInfo:
    return BlobInfo(
        container=container,
        name=name,
        size=int(properties.size),
        content_type=properties.content_settings.content_type or "application/octet-stream",
        etag=str(properties.etag),
        last_modified=properties.last_modified,
        cache_control=properties.content_settings.cache_control or None,
    )


class AzureBlobStore(BlobStore):
    """Blobs in the account of ``client``. With ``create_containers`` (the emulator, local runs) the
    first write to a missing container creates it; otherwise containers come with the account."""

    def __init__(self, client: BlobServiceClient, *, create_containers: bool = False) -> None:
        self._client = client
        self._create_containers = create_containers
        self._known_containers: set[str] = set()
        self._lock = threading.Lock()

    def _ensure_container(self, container: str) -> None:
        if not self._create_containers or container in self._known_containers:
            return
        # Created before, by us or by provisioning: that is what we wanted.
        with map_azure_errors(SERVICE), contextlib.suppress(ResourceExistsError):
            self._client.create_container(container)
        with self._lock:
            self._known_containers.add(container)

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
        """Upload bytes in one request, a file or chunks as blocks committed at the end."""
        validate_blob_name(container, name)
        self._ensure_container(container)
        counter = [0]
        body: bytes | Iterator[bytes]
        if isinstance(data, _BYTES):
            body = bytes(data)
            counter[0] = len(body)
        else:
            # A file is read in chunks too: the SDK would read a small-enough file whole.
            source: Iterable[Any] = iter(lambda: data.read(CHUNK), b"") if hasattr(data, "read") else data
            body = _chunks(source, counter)
        with map_azure_errors(SERVICE):
            result = self._client.get_blob_client(container, name).upload_blob(
                body,
                overwrite=overwrite,
                content_settings=ContentSettings(content_type=content_type, cache_control=cache_control),
                max_concurrency=1,  # blocks go up in order, one in memory at a time
            )
        return BlobInfo(
            container=container,
            name=name,
            size=counter[0],
            content_type=content_type,
            etag=str(result["etag"]),
            last_modified=result["last_modified"],
            cache_control=cache_control,
        )

    def read_chunks(self, container: str, name: str, *, chunk_size: int = CHUNK) -> Iterator[bytes]:
        """The blob's bytes in chunks; the first request (and so ``NotFound``) happens on this call."""
        if chunk_size < 1:
            raise InvalidInput("chunk_size must be at least 1")
        validate_blob_name(container, name)
        with map_azure_errors(SERVICE):
            downloader = self._client.get_blob_client(container, name).download_blob(max_concurrency=1)
        if _is_folder(downloader.properties.metadata):
            raise NotFound(f"no blob {name!r}")
        return self._slices(downloader.chunks(), chunk_size)

    @staticmethod
    def _slices(ranges: Iterator[bytes], chunk_size: int) -> Iterator[bytes]:
        """The downloaded ranges cut to ``chunk_size``; errors of later ranges mapped as well."""
        with map_azure_errors(SERVICE):
            for block in ranges:
                view = memoryview(block)
                for start in range(0, len(view), chunk_size):
                    yield bytes(view[start : start + chunk_size])

    def info(self, container: str, name: str) -> BlobInfo:
        """Size, content type, ETag and last modified time; ``NotFound`` if absent."""
        validate_blob_name(container, name)
        with map_azure_errors(SERVICE):
            properties = self._client.get_blob_client(container, name).get_blob_properties()
        if _is_folder(properties.metadata):
            raise NotFound(f"no blob {name!r}")
        return _info(container, name, properties)

    def delete(self, container: str, name: str) -> bool:
        """Delete a blob with its snapshots; False if there was none."""
        validate_blob_name(container, name)
        try:
            with map_azure_errors(SERVICE):
                self._client.get_blob_client(container, name).delete_blob(delete_snapshots="include")
        except NotFound:
            return False
        return True

    def list(self, container: str, prefix: str = "") -> Iterator[BlobInfo]:
        """Blobs whose names start with ``prefix``, in name order (the service lists them so)."""
        validate_blob_name(container, "x")
        folder = prefix.rpartition("/")[0]
        if folder and not _is_valid_name(folder):
            return  # no valid blob name starts with this prefix
        listing = self._client.get_container_client(container).list_blobs(
            name_starts_with=prefix or None, include=["metadata"]
        )
        try:
            with map_azure_errors(SERVICE):
                for item in listing:
                    # Names no port call could read (written by other tools) are not listed.
                    if _is_valid_name(item.name) and not _is_folder(item.metadata):
                        yield _info(container, item.name, item)
        except NotFound:
            return  # a container that does not exist yet holds no blobs

    def ping(self) -> None:
        """Raise ``Unavailable`` unless the account answers with the app's credentials."""
        try:
            with map_azure_errors(SERVICE):
                self._client.get_account_information()
        except Unavailable:
            raise
        except DomainError as exc:
            raise Unavailable(f"{SERVICE} is not usable: {exc.detail}") from exc
