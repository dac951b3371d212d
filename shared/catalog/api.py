"""HTTP routes of the catalog: courses, outlines, publishing, learning paths."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from shared.catalog import paths, service
from shared.catalog.model import (
    CourseCreate,
    CoursePatch,
    CourseSummary,
    CourseVersionView,
    CourseView,
    Outline,
    PathCreate,
    PathView,
)
from shared.http.deps import (
    Continuation,
    GuardedRoute,
    IfMatch,
    IfNoneMatch,
    Limit,
    Services,
    TenantGuard,
    conditional,
    etag_matches,
)
from shared.kernel import RESOURCE_ID_PATTERN, Paged
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["catalog"], route_class=GuardedRoute)

CourseIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
PathIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not modified (If-None-Match)"}}
# Learners' catalog reads are shared by everyone of the tenant and change only on publish;
# authors must always see their latest edit.
LEARNER_CACHING = f"private, max-age={int(service.CACHE_SECONDS)}"
AUTHOR_CACHING = "private, no-cache"


def _caching(ctx: TenantContext) -> str:
    return AUTHOR_CACHING if service.is_staff(ctx) else LEARNER_CACHING


def _json(body: service.JsonBody, ctx: TenantContext, if_none_match: str | None) -> Response:
    """The serialised body as it is (no second validation), or 304 when the client has it."""
    headers = {"ETag": body.etag, "Cache-Control": _caching(ctx)}
    if etag_matches(if_none_match, body.etag):
        return Response(status_code=304, headers=headers)
    return Response(body.text, media_type="application/json", headers=headers)


@router.post("/courses", status_code=201)
def create_course(
    body: CourseCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_CREATE))],
    platform: Services,
    response: Response,
) -> CourseView:
    view, etag = service.create_course(platform, ctx, body)
    response.headers["ETag"] = etag
    response.headers["Location"] = f"/api/v1/courses/{view.id}"
    return view


@router.get("/courses", response_model=Paged[CourseSummary], responses=NOT_MODIFIED)
def list_courses(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_READ))],
    platform: Services,
    limit: Limit = 50,
    continuation: Continuation = None,
    if_none_match: IfNoneMatch = None,
) -> Any:
    return _json(service.list_courses(platform, ctx, limit=limit, continuation=continuation), ctx, if_none_match)


@router.get("/courses/{courseId}", response_model=CourseView | CourseVersionView, responses=NOT_MODIFIED)
def get_course(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_READ))],
    platform: Services,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> Any:
    found = service.get_course(platform, ctx, courseId)
    if isinstance(found, service.JsonBody):
        return _json(found, ctx, if_none_match)
    view, etag = found
    response.headers["Cache-Control"] = _caching(ctx)
    return conditional(view, etag, if_none_match, response)


@router.patch("/courses/{courseId}")
def update_course(
    courseId: CourseIdPath,
    body: CoursePatch,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_EDIT))],
    platform: Services,
    response: Response,
    if_match: IfMatch = None,
) -> CourseView:
    view, etag = service.update_course(platform, ctx, courseId, body, if_match=if_match)
    response.headers["ETag"] = etag
    return view


@router.delete("/courses/{courseId}", status_code=204)
def delete_course(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_EDIT))],
    platform: Services,
) -> Response:
    service.delete_course(platform, ctx, courseId)
    return Response(status_code=204)


@router.put("/courses/{courseId}/outline")
def put_outline(
    courseId: CourseIdPath,
    body: Outline,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_EDIT))],
    platform: Services,
    response: Response,
    if_match: IfMatch = None,
) -> CourseView:
    view, etag = service.put_outline(platform, ctx, courseId, body, if_match=if_match)
    response.headers["ETag"] = etag
    return view


@router.post(
    "/courses/{courseId}/publish",
    status_code=201,
    responses={200: {"model": CourseVersionView, "description": "the draft is the latest version already"}},
)
def publish_course(
    courseId: CourseIdPath,
    response: Response,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_EDIT))],
    platform: Services,
    if_match: IfMatch = None,
) -> CourseVersionView:
    """A new version (201), or the latest one when the draft has not changed since (200)."""
    view, created = service.publish_course(platform, ctx, courseId, if_match=if_match)
    if not created:
        response.status_code = 200
    return view


@router.post("/courses/{courseId}/unpublish")
def unpublish_course(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.COURSE_EDIT))],
    platform: Services,
) -> CourseView:
    return service.unpublish_course(platform, ctx, courseId)


@router.post("/paths", status_code=201)
def create_path(
    body: PathCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PATH_EDIT))],
    platform: Services,
) -> PathView:
    return paths.create_path(platform, ctx, body)


@router.get("/paths")
def list_paths(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PATH_READ))],
    platform: Services,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[PathView]:
    return paths.list_paths(platform, ctx, limit=limit, continuation=continuation)


@router.get("/paths/{pathId}")
def get_path(
    pathId: PathIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PATH_READ))],
    platform: Services,
) -> PathView:
    return paths.get_path(platform, ctx, pathId)


@router.put("/paths/{pathId}")
def replace_path(
    pathId: PathIdPath,
    body: PathCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PATH_EDIT))],
    platform: Services,
) -> PathView:
    return paths.replace_path(platform, ctx, pathId, body)


@router.post("/paths/{pathId}/publish")
def publish_path(
    pathId: PathIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PATH_EDIT))],
    platform: Services,
) -> PathView:
    return paths.publish_path(platform, ctx, pathId)
