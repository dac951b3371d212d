"""HTTP routes of media: upload URLs, a lesson's video, captions, and the signed playlist route.

No route here reads or returns video bytes: uploads go straight to blob storage with a signed
URL, and players fetch segments from blob storage (Front Door, or the local blob route).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from shared.http.deps import PUBLIC, GuardedRoute, Services, TenantGuard
from shared.kernel import RESOURCE_ID_PATTERN
from shared.media import playback, service
from shared.media.model import MAX_CAPTIONS_BYTES, CaptionsView, UploadUrlRequest, UploadUrlView, VideoView
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["media"], route_class=GuardedRoute)

CourseIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
LessonIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
LESSON = "/courses/{courseId}/lessons/{lessonId}"
VTT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"text/vtt": {"schema": {"type": "string", "maxLength": MAX_CAPTIONS_BYTES}}},
    }
}
PLAYLIST = "application/vnd.apple.mpegurl"


def _api_base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.post(f"{LESSON}/video/upload-url", status_code=201)
def request_upload_url(
    courseId: CourseIdPath,
    lessonId: LessonIdPath,
    body: UploadUrlRequest,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.MEDIA_UPLOAD))],
    platform: Services,
) -> UploadUrlView:
    return service.request_upload_url(platform, ctx, courseId, lessonId, body)


@router.get(f"{LESSON}/video")
def get_video(
    courseId: CourseIdPath,
    lessonId: LessonIdPath,
    request: Request,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.MEDIA_READ))],
    platform: Services,
) -> VideoView:
    return service.video_of(platform, ctx, courseId, lessonId, api_base=_api_base(request))


@router.put(f"{LESSON}/captions", openapi_extra=VTT_BODY)
async def put_captions(
    courseId: CourseIdPath,
    lessonId: LessonIdPath,
    request: Request,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.MEDIA_CAPTIONS))],
    platform: Services,
) -> CaptionsView:
    data = await request.body()  # the edge middleware has capped it at the request size limit
    return await run_in_threadpool(service.put_captions, platform, ctx, courseId, lessonId, data)


@router.get(
    "/media/playlists/{name}",
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={200: {"content": {PLAYLIST: {"schema": {"type": "string"}}}, "description": "an HLS playlist"}},
)
def get_playlist(
    name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,40}$")],
    token: Annotated[str, Query(min_length=1, max_length=2048, description="the playlist grant")],
    platform: Services,
) -> Response:
    """A small HLS playlist of a granted asset, its URIs rewritten as signed URLs (never segment bytes)."""
    text = playback.playlist_text(platform, token, name)
    return Response(text, media_type=PLAYLIST, headers={"Cache-Control": "private, no-store"})


@router.get(
    "/media/keys/{assetId}",
    openapi_extra=PUBLIC,
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)
def get_content_key(
    assetId: Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)],
    token: Annotated[str, Query(min_length=1, max_length=2048, description="the playlist grant")],
    platform: Services,
) -> Response:
    """The 16-byte AES-128 key of a granted video's segments (the ``EXT-X-KEY`` URI of its playlists).
    Only keys pass through the API, never video; a key is never cached on the way."""
    key = playback.content_key_of(platform, token, assetId)
    return Response(key, media_type="application/octet-stream", headers={"Cache-Control": "private, no-store"})
