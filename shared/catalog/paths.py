"""Learning paths: an ordered set of courses, taken one after the other."""

from __future__ import annotations

from shared.catalog import service as courses
from shared.catalog.model import BY_ID, PATHS, PathCreate, PathView, StoredPath
from shared.errors import Conflict, InvalidInput, NotFound
from shared.kernel import Paged
from shared.platform.documents import Filter
from shared.platform.runtime import Platform
from shared.platform.stored import to_document
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = ["create_path", "get_path", "list_paths", "publish_path", "replace_path"]


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[StoredPath]:
    return TenantDocuments(platform.documents, PATHS, ctx, StoredPath)


def _view(path: StoredPath) -> PathView:
    return PathView.model_validate(to_document(path))


def _check_courses(platform: Platform, ctx: TenantContext, course_ids: list[str]) -> None:
    """Every course exists, and a course's prerequisites that are in the path come before it."""
    for position, course_id in enumerate(course_ids):
        try:
            required = courses.prerequisites_of(platform, ctx, course_id)
        except NotFound as exc:
            raise InvalidInput(f"course {course_id!r} does not exist") from exc
        later = [r for r in required if r in course_ids[position:]]
        if later:
            raise InvalidInput(f"course {course_id!r} requires {', '.join(later)}, which must come earlier in the path")


def _visible(ctx: TenantContext, path: StoredPath) -> PathView:
    if path.status != "published" and not courses.is_staff(ctx):
        raise NotFound()
    return _view(path)


def create_path(platform: Platform, ctx: TenantContext, body: PathCreate) -> PathView:
    """Draft a learning path over existing courses of the tenant."""
    _check_courses(platform, ctx, body.courses)
    now = platform.clock.now().isoformat()
    path = StoredPath(
        id=body.id or platform.ids.new_id(),
        title=body.title,
        description=body.description,
        courses=body.courses,
        status="draft",
        createdAt=now,
        updatedAt=now,
    )
    try:
        return _view(_docs(platform, ctx).create(path))
    except Conflict as exc:
        raise Conflict(f"path {path.id!r} already exists") from exc


def replace_path(platform: Platform, ctx: TenantContext, path_id: str, body: PathCreate) -> PathView:
    """Change a path's title, description or courses (a published path stays published)."""
    if body.id not in (None, path_id):
        raise InvalidInput("the body's id differs from the path's")
    path = _docs(platform, ctx).read(path_id)
    _check_courses(platform, ctx, body.courses)
    if path.status == "published":
        _require_published(platform, ctx, body.courses)
    updated = path.model_copy(
        update={
            "title": body.title,
            "description": body.description,
            "courses": body.courses,
            "updatedAt": platform.clock.now().isoformat(),
        }
    )
    return _view(_docs(platform, ctx).replace(updated, if_match=path.etag))


def _require_published(platform: Platform, ctx: TenantContext, course_ids: list[str]) -> None:
    for course_id in course_ids:
        try:
            courses.published_course(platform, ctx, course_id)
        except NotFound as exc:
            raise Conflict(f"course {course_id!r} of the path is not published") from exc


def publish_path(platform: Platform, ctx: TenantContext, path_id: str) -> PathView:
    """Make a path visible to learners once every course in it is published."""
    path = _docs(platform, ctx).read(path_id)
    _require_published(platform, ctx, path.courses)
    updated = path.model_copy(update={"status": "published", "updatedAt": platform.clock.now().isoformat()})
    return _view(_docs(platform, ctx).replace(updated, if_match=path.etag))


def get_path(platform: Platform, ctx: TenantContext, path_id: str) -> PathView:
    """A path; learners see published paths only."""
    return _visible(ctx, _docs(platform, ctx).read(path_id))


def list_paths(platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None) -> Paged[PathView]:
    """Staff: every path; learners: the published ones."""
    filters = [] if courses.is_staff(ctx) else [Filter("status", "eq", "published")]
    page = _docs(platform, ctx).query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[PathView](items=[_view(p) for p in page.items], continuation=page.continuation)
