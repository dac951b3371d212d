"""Catalog use cases: draft courses, immutable published versions, the learner catalog.

Learners' reads of the published catalog are served from the cache port: each tenant has
a catalog generation in the cache, part of every cached key, and publishing, unpublishing
or deleting a course starts a new generation, so no stale page outlives a change on this
instance (other instances of an in-process cache see it within ``CACHE_SECONDS``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from shared.catalog.model import (
    BY_ID,
    COURSES,
    PATHS,
    CourseCreate,
    CoursePatch,
    CourseSummary,
    CourseVersionView,
    CourseView,
    Outline,
    PublishedVersion,
    StoredCourse,
    StoredOutline,
    StoredPath,
    StoredVersion,
    content_of,
    version_id,
)
from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    mentions,
)
from shared.platform.runtime import Platform
from shared.platform.stored import StoredDocument, to_document
from shared.platform.tenancy import TenantContext, TenantDocuments
from shared.roles import Role

__all__ = [
    "CACHE_SECONDS",
    "PERSONAL_DATA",
    "JsonBody",
    "course_version",
    "courses_with_video_lesson",
    "create_course",
    "delete_course",
    "erase_user",
    "export_user",
    "get_course",
    "is_staff",
    "list_courses",
    "prerequisites_of",
    "publish_course",
    "published_course",
    "published_version_of",
    "put_outline",
    "set_lesson_duration",
    "unpublish_course",
    "update_course",
]

CACHE_SECONDS = 60.0
WRITE_ATTEMPTS = 5
STAFF = (Role.TENANT_ADMIN, Role.INSTRUCTOR, Role.SUPPORT_READONLY)
M = TypeVar("M", bound=StoredDocument)


def is_staff(ctx: TenantContext) -> bool:
    """Whether the caller sees drafts (authors and those who support them)."""
    return ctx.has_any(*STAFF)


def _courses(platform: Platform, ctx: TenantContext) -> TenantDocuments[StoredCourse]:
    return TenantDocuments(platform.documents, COURSES, ctx, StoredCourse)


def _versions(platform: Platform, ctx: TenantContext) -> TenantDocuments[StoredVersion]:
    return TenantDocuments(platform.documents, COURSES, ctx, StoredVersion)


def _course(platform: Platform, ctx: TenantContext, course_id: str) -> StoredCourse:
    course = _courses(platform, ctx).find(course_id)
    if course is None or course.status == "deleted":
        raise NotFound()
    return course


def _view(course: StoredCourse) -> CourseView:
    return CourseView.model_validate(to_document(course))


def _published(course: StoredCourse) -> PublishedVersion:
    if course.published is None:
        raise NotFound()
    return course.published


def _published_view(course: StoredCourse) -> CourseVersionView:
    return CourseVersionView.model_validate({**_published(course).model_dump(mode="json"), "id": course.id})


@dataclass(frozen=True)
class JsonBody:
    """A response body already serialised, with its ETag: what the learner catalog caches,
    so a cache hit costs no model validation or serialisation."""

    text: str
    etag: str

    @classmethod
    def of(cls, body: Any) -> JsonBody:
        # Sorted keys: equal bodies get equal tags on every instance.
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return cls(text, '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"')


# --- the learner catalog cache ------------------------------------------------------------


def _generation(platform: Platform, tenant: str) -> str:
    key = f"catalog:{tenant}:generation"
    generation = platform.cache.get(key)
    if not isinstance(generation, str):
        generation = secrets.token_hex(8)
        platform.cache.set(key, generation, CACHE_SECONDS * 10)
    return generation


def _invalidate(platform: Platform, tenant: str) -> None:
    platform.cache.delete(f"catalog:{tenant}:generation")


def _cached(platform: Platform, ctx: TenantContext, what: str, load: Callable[[], Any]) -> JsonBody:
    """The cached body (the cache holds JSON: the body's text and ETag), loaded on a miss; ``load``
    returns JSON-compatible data (models dumped)."""
    key = f"catalog:{ctx.tenant_id}:{_generation(platform, ctx.tenant_id)}:{what}"
    hit = platform.cache.get(key)
    if isinstance(hit, list) and len(hit) == 2:
        return JsonBody(*hit)
    body = JsonBody.of(load())
    platform.cache.set(key, [body.text, body.etag], CACHE_SECONDS)
    return body


# --- drafts -----------------------------------------------------------------------------------


def _check_prerequisites(platform: Platform, ctx: TenantContext, course_id: str, required: list[str]) -> None:
    if course_id in required:
        raise InvalidInput("a course cannot require itself")
    for other in required:
        try:
            _course(platform, ctx, other)
        except NotFound as exc:
            raise InvalidInput(f"prerequisite course {other!r} does not exist") from exc


def create_course(platform: Platform, ctx: TenantContext, body: CourseCreate) -> tuple[CourseView, str]:
    """Start a draft course; nothing is visible to learners until it is published."""
    course_id = body.id or platform.ids.new_id()
    _check_prerequisites(platform, ctx, course_id, body.prerequisites)
    now = platform.clock.now().isoformat()
    course = StoredCourse.model_validate(
        {
            **body.model_dump(exclude={"id"}),
            "id": course_id,
            "type": "course",
            "status": "draft",
            "outline": {"modules": []},
            "latestVersion": None,
            "published": None,
            "createdBy": ctx.user_id,
            "createdAt": now,
            "updatedAt": now,
        }
    )
    try:
        stored = _courses(platform, ctx).create(course)
    except Conflict as exc:
        raise Conflict(f"course {course_id!r} already exists") from exc
    return _view(stored), _etag(stored)


def _etag(doc: StoredDocument) -> str:
    if doc.etag is None:  # the store sets one on every write
        raise RuntimeError(f"the store returned document {doc.id!r} without an ETag")
    return doc.etag


def _change(
    platform: Platform, ctx: TenantContext, course_id: str, change: dict[str, Any], if_match: str | None
) -> StoredCourse:
    """Apply ``change`` (fields as stored, JSON) to the course's draft and save it."""
    course = _course(platform, ctx, course_id)
    return _save(platform, ctx, StoredCourse.model_validate({**to_document(course), **change}), if_match or course.etag)


def _save(platform: Platform, ctx: TenantContext, course: StoredCourse, if_match: str | None) -> StoredCourse:
    updated = course.model_copy(update={"updatedAt": platform.clock.now().isoformat()})
    return _courses(platform, ctx).replace(updated, if_match=if_match)


def _save_draft(
    platform: Platform, ctx: TenantContext, course_id: str, change: dict[str, Any], if_match: str | None
) -> tuple[CourseView, str]:
    stored = _change(platform, ctx, course_id, change, if_match)
    return _view(stored), _etag(stored)


def update_course(
    platform: Platform, ctx: TenantContext, course_id: str, patch: CoursePatch, *, if_match: str | None
) -> tuple[CourseView, str]:
    """Edit the draft's details; published versions never change."""
    change = patch.model_dump(exclude_unset=True)
    if "prerequisites" in change:
        _check_prerequisites(platform, ctx, course_id, change["prerequisites"])
    return _save_draft(platform, ctx, course_id, change, if_match)


def put_outline(
    platform: Platform, ctx: TenantContext, course_id: str, outline: Outline, *, if_match: str | None
) -> tuple[CourseView, str]:
    """Replace the draft's modules and lessons."""
    course = _course(platform, ctx, course_id)
    course.outline = StoredOutline.model_validate(outline.model_dump())
    stored = _save(platform, ctx, course, if_match or course.etag)
    return _view(stored), _etag(stored)


def set_lesson_duration(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, seconds: int) -> None:
    """Record a video lesson's measured duration in the draft outline (the next version publishes it)."""
    for _ in range(WRITE_ATTEMPTS):
        course = _course(platform, ctx, course_id)
        lesson = next((lesson for lesson in course.outline.lessons() if lesson.id == lesson_id), None)
        if lesson is None:
            raise NotFound(f"lesson {lesson_id!r} is not in the draft of course {course_id!r}")
        if lesson.durationSeconds == seconds:
            return
        lesson.durationSeconds = seconds
        try:
            _save(platform, ctx, course, course.etag)
            return
        except PreconditionFailed:
            continue  # an author saved the draft meanwhile: apply the duration to their version
    raise Conflict("the draft kept changing; the duration was not recorded")


# --- publishing -----------------------------------------------------------------------------


def _archive(platform: Platform, ctx: TenantContext, course_id: str, snapshot: PublishedVersion) -> None:
    """Keep a published version as its own immutable document (create only, never replace)."""
    doc = StoredVersion.model_validate(
        {
            **snapshot.model_dump(mode="json"),
            "id": version_id(course_id, snapshot.version),
            "type": "version",
            "courseId": course_id,
        }
    )
    # Archived already (Conflict): versions are immutable, so the stored one is this one.
    with contextlib.suppress(Conflict):
        _versions(platform, ctx).create(doc)


def publish_course(
    platform: Platform, ctx: TenantContext, course_id: str, *, if_match: str | None = None
) -> tuple[CourseVersionView, bool]:
    """Publish the draft as the next numbered, immutable version, and make it the one learners see;
    with it, whether a new version was made. A draft identical to the latest version makes none: that
    version is the answer (and, if the course was unpublished, it is what learners see again)."""
    course = _course(platform, ctx, course_id)
    latest = course.published
    if latest is not None and content_of(latest) == content_of(course):
        if course.status == "published":
            return _published_view(course), False
        stored = _courses(platform, ctx).replace(
            course.model_copy(update={"status": "published", "updatedAt": platform.clock.now().isoformat()}),
            if_match=if_match or course.etag,
        )
        _invalidate(platform, ctx.tenant_id)
        return _published_view(stored), False
    if not course.outline.lessons():
        raise Conflict("a course needs at least one lesson before it can be published")
    for required in course.prerequisites:
        if _course(platform, ctx, required).latestVersion is None:
            raise Conflict(f"prerequisite course {required!r} is not published")
    if course.published:
        # The version being replaced is archived first, so no published version is ever lost.
        _archive(platform, ctx, course_id, course.published)
    version = (course.latestVersion or 0) + 1
    now = platform.clock.now().isoformat()
    snapshot = PublishedVersion.model_validate(
        {**course.content().model_dump(mode="json"), "version": version, "publishedAt": now, "publishedBy": ctx.user_id}
    )
    updated = course.model_copy(
        update={"status": "published", "latestVersion": version, "published": snapshot, "updatedAt": now}
    )
    stored = _courses(platform, ctx).replace(updated, if_match=if_match or course.etag)
    _archive(platform, ctx, course_id, snapshot)
    _invalidate(platform, ctx.tenant_id)
    return _published_view(stored), True


def unpublish_course(platform: Platform, ctx: TenantContext, course_id: str) -> CourseView:
    """Withdraw the course from the catalog and search; enrolled learners keep their version."""
    view, _ = _save_draft(platform, ctx, course_id, {"status": "unpublished"}, None)
    _invalidate(platform, ctx.tenant_id)
    return view


def delete_course(platform: Platform, ctx: TenantContext, course_id: str) -> None:
    """Remove the course from every list, read and search; archived versions stay for enrollments."""
    _change(platform, ctx, course_id, {"status": "deleted"}, None)
    _invalidate(platform, ctx.tenant_id)


# --- reading ----------------------------------------------------------------------------------


def get_course(platform: Platform, ctx: TenantContext, course_id: str) -> tuple[CourseView, str] | JsonBody:
    """Staff read the draft (with its ETag); learners the latest published version (cached JSON)."""
    if is_staff(ctx):
        course = _course(platform, ctx, course_id)
        return _view(course), _etag(course)
    return _cached(
        platform, ctx, f"course:{course_id}", lambda: published_course(platform, ctx, course_id).model_dump()
    )


def prerequisites_of(platform: Platform, ctx: TenantContext, course_id: str) -> list[str]:
    """The course ids the draft requires to be completed first."""
    return list(_course(platform, ctx, course_id).prerequisites)


def published_version_of(platform: Platform, ctx: TenantContext, course_id: str) -> int | None:
    """The course's newest published version, None if it was never published."""
    return _course(platform, ctx, course_id).latestVersion


def published_course(platform: Platform, ctx: TenantContext, course_id: str) -> CourseVersionView:
    """The version learners see now; NotFound if the course is not published."""
    course = _course(platform, ctx, course_id)
    if course.status != "published":
        raise NotFound()
    return _published_view(course)


def course_version(platform: Platform, ctx: TenantContext, course_id: str, version: int) -> CourseVersionView:
    """A published version (as an enrollment pinned it), even after the course moved on."""
    archived = _versions(platform, ctx).find(version_id(course_id, version))
    if archived is None:
        course = _courses(platform, ctx).find(course_id)
        if course is None or course.published is None or course.published.version != version:
            raise NotFound()
        return _published_view(course)
    return CourseVersionView.model_validate({**to_document(archived), "id": course_id})


def courses_with_video_lesson(platform: Platform, ctx: TenantContext, lesson_id: str) -> list[str]:
    """The ids of the tenant's courses whose draft outline has a video lesson of this id (at most two:
    the media context only needs to know whether it is one course or ambiguous). Reads the tenant's
    course drafts page by page; it answers a content team's drop, not a learner's request."""
    found: list[str] = []
    filters = [Filter("status", "in", ["draft", "published", "unpublished"])]
    continuation: str | None = None
    while True:
        page = _courses(platform, ctx).query(filters, order_by=BY_ID, limit=100, continuation=continuation)
        for course in page.items:
            lessons = course.outline.lessons()
            if any(lesson.id == lesson_id and lesson.kind == "video" for lesson in lessons):
                found.append(course.id)
        if len(found) > 1 or page.continuation is None:
            return found[:2]
        continuation = page.continuation


def list_courses(platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None) -> JsonBody:
    """A page of course summaries: staff see every course's draft, learners the published
    catalog (cached)."""
    docs = _courses(platform, ctx)
    if is_staff(ctx):
        filters = [Filter("status", "in", ["draft", "published", "unpublished"])]
        page = docs.query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
        items = [CourseSummary.model_validate(to_document(c)).model_dump() for c in page.items]
        return JsonBody.of({"items": items, "continuation": page.continuation})

    def load() -> dict[str, Any]:
        filters = [Filter("status", "eq", "published")]
        page = docs.query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
        items = [
            CourseSummary.model_validate({**_published(c).model_dump(mode="json"), "id": c.id}).model_dump()
            for c in page.items
        ]
        return {"items": items, "continuation": page.continuation}

    return _cached(platform, ctx, f"list:{limit}:{continuation or ''}", load)


# --- personal data: this context's part of an export and an erasure ------------------------------


def _kinds(
    platform: Platform, ctx: TenantContext
) -> tuple[TenantDocuments[StoredCourse], TenantDocuments[StoredVersion], TenantDocuments[StoredPath]]:
    paths = TenantDocuments(platform.documents, PATHS, ctx, StoredPath)
    return _courses(platform, ctx), _versions(platform, ctx), paths


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The courses, versions and paths that name the user (as their author or publisher)."""
    courses, versions, paths = _kinds(platform, ctx)
    found: list[StoredDocument] = [
        *documents_mentioning(courses, who),
        *documents_mentioning(versions, who),
        *documents_mentioning(paths, who),
    ]
    return {"mentions": [mentions(d, who) for d in found]}


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep the tenant's courses and paths with their author or publisher replaced by a pseudonym."""
    courses, versions, paths = _kinds(platform, ctx)
    erase_mentions(courses, who)
    erase_mentions(versions, who)
    erase_mentions(paths, who)
    _invalidate(platform, ctx.tenant_id)


# This context's part of GDPR export and erasure, registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
