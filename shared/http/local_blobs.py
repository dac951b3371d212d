"""The embedded profile's stand-in for the CDN and for Blob Storage's signed uploads: serves a
blob to whoever holds a valid signed read URL, and stores one (once) for whoever holds a signed
write URL. In Azure, Front Door and a Blob SAS do this and the routes answer 404; the API never
handles blob bytes there."""

from __future__ import annotations

import tempfile
from typing import IO, Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from shared.errors import Conflict, NotFound, PayloadTooLarge
from shared.http.deps import PUBLIC, GuardedRoute, Services

# Embedded profile only (the stand-in for Blob Storage behind its signed URLs): clients only ever follow
# the URLs the API hands out, so these routes are left out of the published OpenAPI document.
router = APIRouter(prefix="/api/local-blobs", tags=["platform"], route_class=GuardedRoute, include_in_schema=False)

# What one signed PUT may store: Blob Storage's limit for a single Put Blob (5000 MiB).
MAX_PUT_BYTES = 5000 << 20
SPOOL_BYTES = 8 << 20


@router.get("/{container}/{name:path}", openapi_extra=PUBLIC, response_class=StreamingResponse)
def read_signed_blob(
    container: Annotated[str, Path(max_length=63)],
    name: Annotated[str, Path(max_length=1024)],
    request: Request,
    platform: Services,
) -> StreamingResponse:
    """A blob's bytes, streamed, if the URL's signature grants read access and has not expired."""
    if platform.settings.profile != "embedded":
        raise NotFound()
    platform.signer.verify(container, name, dict(request.query_params), "r")
    info = platform.blobs.info(container, name)
    return StreamingResponse(
        platform.blobs.read_chunks(container, name),
        media_type=info.content_type,
        headers={
            "Content-Length": str(info.size),
            "ETag": info.etag,
            "Cache-Control": info.cache_control or "private, max-age=60",
        },
    )


async def _spooled(request: Request, limit: int) -> IO[bytes]:
    """The request body in a temporary file (in memory while small), refused past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"at most {limit} bytes")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"at most {limit} bytes")
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


@router.put(
    "/{container}/{name:path}",
    openapi_extra={**PUBLIC, "requestBody": {"content": {"application/octet-stream": {"schema": {}}}}},
    status_code=201,
    response_class=Response,
)
async def write_signed_blob(
    container: Annotated[str, Path(max_length=63)],
    name: Annotated[str, Path(max_length=1024)],
    request: Request,
    platform: Services,
) -> Response:
    """Store the request body as a new blob if the URL's signature grants write access; never overwrite."""
    if platform.settings.profile != "embedded":
        raise NotFound()
    platform.signer.verify(container, name, dict(request.query_params), "w")
    if await run_in_threadpool(_exists, platform, container, name):
        raise Conflict("the blob exists; a signed upload URL writes once")
    content_type = request.headers.get("content-type") or "application/octet-stream"
    with await _spooled(request, MAX_PUT_BYTES) as body:
        info = await run_in_threadpool(
            lambda: platform.blobs.write(container, name, body, content_type=content_type, overwrite=False)
        )
    return Response(status_code=201, headers={"ETag": info.etag})


def _exists(platform: Services, container: str, name: str) -> bool:
    try:
        platform.blobs.info(container, name)
    except NotFound:
        return False
    return True
