"""Learning paths: an ordered set of courses, taken one after the other."""

from __future__ import annotations

from shared.catalog import service as courses
from shared.catalog.model import BY_ID, PATHS, PathCreate, PathView
from shared.errors import Conflict, InvalidInput, NotFound
from shared.kernel import Paged
from shared.platform.documents import Document, Filter
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext

__all__ = ["create_path", "get_path", "list_paths", "publish_path", "replace_path"]


def _docs(platform: Platform, ctx: TenantContext) -> DictDocuments:
    return DictDocuments(platform.documents, PATHS, ctx)


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


def _visible(ctx: TenantContext, doc: Document) -> PathView:
    if doc["status"] != "published" and not courses.is_staff(ctx):
        raise NotFound()
    return PathView.model_validate(doc)


def create_path(platform: Platform, ctx: TenantContext, body: PathCreate) -> PathView:
    """Draft a learning path over existing courses of the tenant."""
    _check_courses(platform, ctx, body.courses)
    now = platform.clock.now().isoformat()
    doc = {
        **body.model_dump(exclude={"id"}),
        "id": body.id or platform.ids.new_id(),
        "status": "draft",
        "createdAt": now,
        "updatedAt": now,
    }
    try:
        return PathView.model_validate(_docs(platform, ctx).create(doc))
    except Conflict as exc:
        raise Conflict(f"path {doc['id']!r} already exists") from exc


def replace_path(platform: Platform, ctx: TenantContext, path_id: str, body: PathCreate) -> PathView:
    """Change a path's title, description or courses (a published path stays published)."""
    if body.id not in (None, path_id):
        raise InvalidInput("the body's id differs from the path's")
    doc = _docs(platform, ctx).read(path_id)
    _check_courses(platform, ctx, body.courses)
    if doc["status"] == "published":
        _require_published(platform, ctx, body.courses)
    change = body.model_dump(exclude={"id"})
    updated = {**doc, **change, "updatedAt": platform.clock.now().isoformat()}
    return PathView.model_validate(_docs(platform, ctx).replace(updated, if_match=doc["_etag"]))


def _require_published(platform: Platform, ctx: TenantContext, course_ids: list[str]) -> None:
    for course_id in course_ids:
        try:
            courses.published_course(platform, ctx, course_id)
        except NotFound as exc:
            raise Conflict(f"course {course_id!r} of the path is not published") from exc


def publish_path(platform: Platform, ctx: TenantContext, path_id: str) -> PathView:
    """Make a path visible to learners once every course in it is published."""
    doc = _docs(platform, ctx).read(path_id)
    _require_published(platform, ctx, doc["courses"])
    updated = {**doc, "status": "published", "updatedAt": platform.clock.now().isoformat()}
    return PathView.model_validate(_docs(platform, ctx).replace(updated, if_match=doc["_etag"]))


def get_path(platform: Platform, ctx: TenantContext, path_id: str) -> PathView:
    """A path; learners see published paths only."""
    return _visible(ctx, _docs(platform, ctx).read(path_id))


def list_paths(platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None) -> Paged[PathView]:
    """Staff: every path; learners: the published ones."""
    filters = [] if courses.is_staff(ctx) else [Filter("status", "eq", "published")]
    page = _docs(platform, ctx).query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[PathView](items=[PathView.model_validate(d) for d in page.items], continuation=page.continuation)
