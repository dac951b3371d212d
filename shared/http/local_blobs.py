"""The embedded profile's stand-in for the CDN: serves a blob to whoever holds a valid
signed URL from the URL signer. In Azure, Front Door and a Blob SAS do this and the
route answers 404; the API never serves blob bytes there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from shared.errors import NotFound
from shared.http.deps import PUBLIC, GuardedRoute, Services

router = APIRouter(prefix="/api/local-blobs", tags=["platform"], route_class=GuardedRoute)


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
        headers={"Content-Length": str(info.size), "ETag": info.etag, "Cache-Control": "private, max-age=60"},
    )
