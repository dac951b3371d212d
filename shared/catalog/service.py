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
    content_of,
    lesson_ids,
    version_id,
)
from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.platform import personal_data
from shared.platform.documents import Document, Filter
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.roles import Role

__all__ = [
    "CACHE_SECONDS",
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
T = TypeVar("T")


def is_staff(ctx: TenantContext) -> bool:
    """Whether the caller sees drafts (authors and those who support them)."""
    return ctx.has_any(*STAFF)


def _docs(platform: Platform, ctx: TenantContext) -> DictDocuments:
    return DictDocuments(platform.documents, COURSES, ctx)


def _course_doc(platform: Platform, ctx: TenantContext, course_id: str) -> Document:
    doc = _docs(platform, ctx).read(course_id)
    if doc.get("type") != "course" or doc.get("status") == "deleted":
        raise NotFound()
    return doc


def _view(doc: Document) -> CourseView:
    return CourseView.model_validate(doc)


def _published_view(doc: Document) -> CourseVersionView:
    return CourseVersionView.model_validate({**doc["published"], "id": doc["id"]})


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
            _course_doc(platform, ctx, other)
        except NotFound as exc:
            raise InvalidInput(f"prerequisite course {other!r} does not exist") from exc


def create_course(platform: Platform, ctx: TenantContext, body: CourseCreate) -> tuple[CourseView, str]:
    """Start a draft course; nothing is visible to learners until it is published."""
    course_id = body.id or platform.ids.new_id()
    _check_prerequisites(platform, ctx, course_id, body.prerequisites)
    now = platform.clock.now().isoformat()
    doc = {
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
    try:
        stored = _docs(platform, ctx).create(doc)
    except Conflict as exc:
        raise Conflict(f"course {course_id!r} already exists") from exc
    return _view(stored), stored["_etag"]


def _change(
    platform: Platform, ctx: TenantContext, course_id: str, change: dict[str, Any], if_match: str | None
) -> Document:
    doc = _course_doc(platform, ctx, course_id)
    updated = {**doc, **change, "updatedAt": platform.clock.now().isoformat()}
    return _docs(platform, ctx).replace(updated, if_match=if_match or doc["_etag"])


def _save_draft(
    platform: Platform, ctx: TenantContext, course_id: str, change: dict[str, Any], if_match: str | None
) -> tuple[CourseView, str]:
    stored = _change(platform, ctx, course_id, change, if_match)
    return _view(stored), stored["_etag"]


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
    return _save_draft(platform, ctx, course_id, {"outline": outline.model_dump()}, if_match)


def set_lesson_duration(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, seconds: int) -> None:
    """Record a video lesson's measured duration in the draft outline (the next version publishes it)."""
    for _ in range(WRITE_ATTEMPTS):
        doc = _course_doc(platform, ctx, course_id)
        lessons = [lesson for m in doc["outline"].get("modules", []) for lesson in m.get("lessons", [])]
        lesson = next((lesson for lesson in lessons if lesson["id"] == lesson_id), None)
        if lesson is None:
            raise NotFound(f"lesson {lesson_id!r} is not in the draft of course {course_id!r}")
        if lesson.get("durationSeconds") == seconds:
            return
        lesson["durationSeconds"] = seconds
        try:
            _change(platform, ctx, course_id, {"outline": doc["outline"]}, doc["_etag"])
            return
        except PreconditionFailed:
            continue  # an author saved the draft meanwhile: apply the duration to their version
    raise Conflict("the draft kept changing; the duration was not recorded")


# --- publishing -----------------------------------------------------------------------------


def _archive(platform: Platform, ctx: TenantContext, course_id: str, snapshot: dict[str, Any]) -> None:
    """Keep a published version as its own immutable document (create only, never replace)."""
    doc = {**snapshot, "id": version_id(course_id, snapshot["version"]), "type": "version", "courseId": course_id}
    # Archived already (Conflict): versions are immutable, so the stored one is this one.
    with contextlib.suppress(Conflict):
        _docs(platform, ctx).create(doc)


def publish_course(
    platform: Platform, ctx: TenantContext, course_id: str, *, if_match: str | None = None
) -> CourseVersionView:
    """Publish the draft as the next numbered, immutable version, and make it the one learners see."""
    doc = _course_doc(platform, ctx, course_id)
    if not lesson_ids(doc["outline"]):
        raise Conflict("a course needs at least one lesson before it can be published")
    for required in doc["prerequisites"]:
        if _course_doc(platform, ctx, required)["latestVersion"] is None:
            raise Conflict(f"prerequisite course {required!r} is not published")
    if doc["published"]:
        # The version being replaced is archived first, so no published version is ever lost.
        _archive(platform, ctx, course_id, doc["published"])
    version = (doc["latestVersion"] or 0) + 1
    now = platform.clock.now().isoformat()
    snapshot = {**content_of(doc), "version": version, "publishedAt": now, "publishedBy": ctx.user_id}
    updated = {**doc, "status": "published", "latestVersion": version, "published": snapshot, "updatedAt": now}
    stored = _docs(platform, ctx).replace(updated, if_match=if_match or doc["_etag"])
    _archive(platform, ctx, course_id, snapshot)
    _invalidate(platform, ctx.tenant_id)
    return _published_view(stored)


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
        doc = _course_doc(platform, ctx, course_id)
        return _view(doc), doc["_etag"]
    return _cached(
        platform, ctx, f"course:{course_id}", lambda: published_course(platform, ctx, course_id).model_dump()
    )


def prerequisites_of(platform: Platform, ctx: TenantContext, course_id: str) -> list[str]:
    """The course ids the draft requires to be completed first."""
    return list(_course_doc(platform, ctx, course_id)["prerequisites"])


def published_version_of(platform: Platform, ctx: TenantContext, course_id: str) -> int | None:
    """The course's newest published version, None if it was never published."""
    latest = _course_doc(platform, ctx, course_id)["latestVersion"]
    return int(latest) if latest is not None else None


def published_course(platform: Platform, ctx: TenantContext, course_id: str) -> CourseVersionView:
    """The version learners see now; NotFound if the course is not published."""
    doc = _course_doc(platform, ctx, course_id)
    if doc["status"] != "published":
        raise NotFound()
    return _published_view(doc)


def course_version(platform: Platform, ctx: TenantContext, course_id: str, version: int) -> CourseVersionView:
    """A published version (as an enrollment pinned it), even after the course moved on."""
    try:
        doc = _docs(platform, ctx).read(version_id(course_id, version))
    except NotFound:
        course = _docs(platform, ctx).read(course_id)
        if not course.get("published") or course["published"]["version"] != version:
            raise
        return _published_view(course)
    return CourseVersionView.model_validate({**doc, "id": course_id})


def courses_with_video_lesson(platform: Platform, ctx: TenantContext, lesson_id: str) -> list[str]:
    """The ids of the tenant's courses whose draft outline has a video lesson of this id (at most two:
    the media context only needs to know whether it is one course or ambiguous). Reads the tenant's
    course drafts page by page; it answers a content team's drop, not a learner's request."""
    found: list[str] = []
    filters = [Filter("type", "eq", "course"), Filter("status", "in", ["draft", "published", "unpublished"])]
    continuation: str | None = None
    while True:
        page = _docs(platform, ctx).query(filters, order_by=BY_ID, limit=100, continuation=continuation)
        for doc in page.items:
            lessons = (lesson for module in doc["outline"].get("modules", []) for lesson in module.get("lessons", []))
            if any(lesson["id"] == lesson_id and lesson.get("kind") == "video" for lesson in lessons):
                found.append(str(doc["id"]))
        if len(found) > 1 or page.continuation is None:
            return found[:2]
        continuation = page.continuation


def list_courses(platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None) -> JsonBody:
    """A page of course summaries: staff see every course's draft, learners the published
    catalog (cached)."""
    docs = _docs(platform, ctx)
    if is_staff(ctx):
        filters = [Filter("type", "eq", "course"), Filter("status", "in", ["draft", "published", "unpublished"])]
        page = docs.query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
        items = [CourseSummary.model_validate(d).model_dump() for d in page.items]
        return JsonBody.of({"items": items, "continuation": page.continuation})

    def load() -> dict[str, Any]:
        filters = [Filter("type", "eq", "course"), Filter("status", "eq", "published")]
        page = docs.query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
        items = [CourseSummary.model_validate({**d["published"], "id": d["id"]}).model_dump() for d in page.items]
        return {"items": items, "continuation": page.continuation}

    return _cached(platform, ctx, f"list:{limit}:{continuation or ''}", load)


# --- GDPR: this context's part of an export and an erasure (shared/privacy/) -------------


def _containers(platform: Platform, ctx: TenantContext) -> list[DictDocuments]:
    return [DictDocuments(platform.documents, container, ctx) for container in (COURSES, PATHS)]


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The courses, versions and paths that name the user (as their author or publisher)."""
    found = [d for docs in _containers(platform, ctx) for d in personal_data.documents_mentioning(docs, who)]
    return {"mentions": [personal_data.mentions(d, who) for d in found]}


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep the tenant's courses and paths with their author or publisher replaced by a pseudonym."""
    for docs in _containers(platform, ctx):
        for doc in personal_data.documents_mentioning(docs, who):
            personal_data.pseudonymise(docs, who, doc)
    _invalidate(platform, ctx.tenant_id)


# This context's part of GDPR export and erasure (and of retention), registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
