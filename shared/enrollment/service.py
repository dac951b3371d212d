"""Enrollment use cases: enrolling, the roster, the learner's own list, staff changes, completion.

Courses are reached only through the catalog's service functions and users only through
tenancy's, so this context never reads another context's documents.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.audit import service as audit_log
from shared.catalog import service as catalog
from shared.catalog.model import CourseVersionView
from shared.enrollment.model import (
    BY_ID,
    ENROLLMENTS,
    EnrollmentDocument,
    EnrollmentPatch,
    EnrollmentSource,
    EnrollmentStatus,
    EnrollmentView,
    EnrollRequest,
    OrderDocument,
    enrollment_id,
    missing_prerequisites,
    with_enrollment_created,
)
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, PreconditionFailed
from shared.kernel import Paged
from shared.notifications.service import notify
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    exported,
    mentions,
    pseudonymise,
)
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments
from shared.roles import Role
from shared.tenancy import service as tenancy
from shared.tenancy import users

__all__ = [
    "HOLDING",
    "PERSONAL_DATA",
    "change_enrollment",
    "enroll",
    "enroll_user",
    "erase_user",
    "export_user",
    "find_enrollment",
    "list_my_enrollments",
    "list_roster",
    "mark_completed",
    "orders",
    "unmet_prerequisites",
]

ASSIGNERS = (Role.TENANT_ADMIN, Role.INSTRUCTOR)
# Enrollments that already give access: enrolling again changes nothing.
HOLDING = ("active", "completed")
# The fields a staff change may touch, as the audit log shows them before and after.
AUDITED_FIELDS = ("version", "dueDate", "status")


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[EnrollmentDocument]:
    return TenantDocuments(platform.documents, ENROLLMENTS, ctx, EnrollmentDocument)


def orders(platform: Platform, ctx: TenantContext) -> TenantDocuments[OrderDocument]:
    """The tenant's handled payment orders (the webhook records them; an erasure keeps them)."""
    return TenantDocuments(platform.documents, ENROLLMENTS, ctx, OrderDocument)


def _view(doc: EnrollmentDocument) -> EnrollmentView:
    return EnrollmentView.model_validate(doc, from_attributes=True)


def find_enrollment(platform: Platform, ctx: TenantContext, course_id: str, user_id: str) -> EnrollmentDocument | None:
    """The user's enrollment in the course, whatever its status, if there is one."""
    return _docs(platform, ctx).find(enrollment_id(course_id, user_id))


def unmet_prerequisites(platform: Platform, ctx: TenantContext, course: CourseVersionView, user_id: str) -> list[str]:
    """The course's prerequisite course ids the user has not completed."""
    if not course.prerequisites:
        return []
    filters = [
        Filter("userId", "eq", user_id),
        Filter("courseId", "in", list(course.prerequisites)),
        Filter("status", "eq", "completed"),
    ]
    done = _docs(platform, ctx).query(filters, limit=len(course.prerequisites)).items
    return missing_prerequisites(course.prerequisites, (d.courseId for d in done))


def _require_prerequisites(platform: Platform, ctx: TenantContext, course: CourseVersionView, user_id: str) -> None:
    missing = unmet_prerequisites(platform, ctx, course, user_id)
    if missing:
        raise Conflict(
            f"prerequisites not completed: {', '.join(missing)}",
            extra={"missing": missing},
        )


def _enrollment_doc(
    ctx: TenantContext, course: CourseVersionView, user_id: str, source: EnrollmentSource, due: date | None, now: str
) -> EnrollmentDocument:
    return EnrollmentDocument(
        id=enrollment_id(course.id, user_id),
        courseId=course.id,
        userId=user_id,
        version=course.version,
        status="active",
        source=source,
        dueDate=due.isoformat() if due else None,
        enrolledAt=now,
        enrolledBy=ctx.user_id,
        completedAt=None,
        completedVersion=None,
        updatedAt=now,
    )


def enroll_user(
    platform: Platform,
    ctx: TenantContext,
    course: CourseVersionView,
    user_id: str,
    *,
    source: EnrollmentSource,
    due: date | None = None,
    check_prerequisites: bool = True,
) -> tuple[EnrollmentView, bool]:
    """Enroll the user in the course's current version, unless already enrolled; True if this
    call enrolled them. A cancelled enrollment is reactivated on the current version."""
    docs = _docs(platform, ctx)
    existing = find_enrollment(platform, ctx, course.id, user_id)
    if existing is not None and existing.status in HOLDING:
        return _view(existing), False
    if check_prerequisites:
        _require_prerequisites(platform, ctx, course, user_id)
    now = platform.clock.now()
    doc = _enrollment_doc(ctx, course, user_id, source, due, now.isoformat())
    # The event goes in the same write as the enrollment; the relay publishes it from the change feed.
    doc = with_enrollment_created(doc, existing, ctx.tenant_id, platform.ids.new_id(), now)
    if existing is not None:
        stored = docs.replace(doc, if_match=existing.etag)
    else:
        try:
            stored = docs.create(doc)
        except Conflict:
            # A concurrent request enrolled the same user first: theirs is the enrollment.
            return _view(docs.read(doc.id)), False
    if source in ("assigned", "import"):
        audit_log.record(
            platform,
            ctx,
            action="enrollment.assigned",
            subject_type="enrollment",
            subject_id=stored.id,
            after={
                "courseId": stored.courseId,
                "userId": stored.userId,
                "version": stored.version,
                "dueDate": stored.dueDate,
                "source": stored.source,
            },
            reason="CSV import" if source == "import" else None,
        )
        if user_id != ctx.user_id:
            _notify_assigned(platform, ctx, course, stored)
    return _view(stored), True


def _notify_assigned(
    platform: Platform, ctx: TenantContext, course: CourseVersionView, enrollment: EnrollmentDocument
) -> None:
    """Tell the learner a course was assigned to them (once per enrollment and version)."""
    due = f" It is due on {enrollment.dueDate}." if enrollment.dueDate else ""
    notify(
        platform,
        ctx,
        enrollment.userId,
        "enrollment_assigned",
        "A course was assigned to you",
        f"You are enrolled in {course.title}.{due}",
        f"/api/v1/courses/{course.id}",
        f"{enrollment.id}:v{enrollment.version}",
    )


def _enrollee(platform: Platform, ctx: TenantContext, body: EnrollRequest) -> str:
    """Whom the request enrolls: the caller, or (for staff) a registered, active user."""
    user_id = body.userId or ctx.user_id
    if not ctx.has_any(*ASSIGNERS):
        if user_id != ctx.user_id or body.dueDate is not None:
            raise Forbidden("only Instructors and TenantAdmins assign courses to others or set due dates")
        return user_id
    try:
        user, _ = users.get_user(platform, ctx, user_id)
    except NotFound as exc:
        where = [FieldError("body.userId", "not a user of this tenant")]
        raise InvalidInput(f"user {user_id!r} is not a user of this tenant", errors=where) from exc
    if user.status != "active":
        raise Conflict(f"user {user_id!r} is disabled")
    return user_id


def _allow_self_enrollment(platform: Platform, ctx: TenantContext, course: CourseVersionView) -> None:
    if not tenancy.feature_enabled(platform, ctx, "self_enrollment"):
        raise Forbidden("self-enrollment is turned off for this tenant")
    if not course.selfEnrollment:
        raise Forbidden("this course does not allow self-enrollment; ask an instructor to assign it")
    if course.price is not None:
        raise Forbidden("this course is paid; it is enrolled through a purchase")


def enroll(platform: Platform, ctx: TenantContext, course_id: str, body: EnrollRequest) -> tuple[EnrollmentView, bool]:
    """Enroll the caller (a learner, in a free self-enrollment course) or, for staff, assign
    a user; True if this call enrolled them, False if they already were."""
    course = catalog.published_course(platform, ctx, course_id)
    user_id = _enrollee(platform, ctx, body)
    existing = find_enrollment(platform, ctx, course.id, user_id)
    if existing is not None and existing.status in HOLDING:
        # Already enrolled (perhaps assigned by staff): the same answer again, whatever the
        # self-enrollment rules say now, so retrying a request is always safe.
        return _view(existing), False
    assigned = ctx.has_any(*ASSIGNERS)
    if not assigned:
        _allow_self_enrollment(platform, ctx, course)
    return enroll_user(platform, ctx, course, user_id, source="assigned" if assigned else "self", due=body.dueDate)


def _page(
    platform: Platform,
    ctx: TenantContext,
    filters: list[Filter],
    status: EnrollmentStatus | None,
    limit: int,
    continuation: str | None,
) -> Paged[EnrollmentView]:
    wanted = list(filters)
    if status is not None:
        wanted.append(Filter("status", "eq", status))
    page = _docs(platform, ctx).query(wanted, order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[EnrollmentView](items=[_view(d) for d in page.items], continuation=page.continuation)


def list_roster(
    platform: Platform,
    ctx: TenantContext,
    course_id: str,
    *,
    status: EnrollmentStatus | None = None,
    limit: int = 50,
    continuation: str | None = None,
) -> Paged[EnrollmentView]:
    """Who is enrolled in the course, by user id; a course unknown to the tenant is NotFound."""
    page = _page(platform, ctx, [Filter("courseId", "eq", course_id)], status, limit, continuation)
    if not page.items and continuation is None:
        _ensure_course_known(platform, ctx, course_id)
    return page


def _ensure_course_known(platform: Platform, ctx: TenantContext, course_id: str) -> None:
    """A published course, or one that has enrollments (an unpublished course keeps its roster)."""
    try:
        catalog.published_course(platform, ctx, course_id)
    except NotFound:
        any_enrollment = [Filter("courseId", "eq", course_id)]
        if not _docs(platform, ctx).query(any_enrollment, limit=1).items:
            raise


def list_my_enrollments(
    platform: Platform,
    ctx: TenantContext,
    *,
    status: EnrollmentStatus | None = None,
    limit: int = 50,
    continuation: str | None = None,
) -> Paged[EnrollmentView]:
    """The caller's enrollments, by course id."""
    return _page(platform, ctx, [Filter("userId", "eq", ctx.user_id)], status, limit, continuation)


Changes = dict[str, int | str | None]


def _version_change(platform: Platform, ctx: TenantContext, current: EnrollmentDocument, version: int) -> Changes:
    if version == current.version:
        return {}
    if version < current.version:
        raise Conflict(f"an enrollment only moves to a newer version; it is on version {current.version}")
    try:
        catalog.course_version(platform, ctx, current.courseId, version)
    except NotFound as exc:
        where = [FieldError("body.version", "not a published version of the course")]
        raise InvalidInput(f"the course has no published version {version}", errors=where) from exc
    return {"version": version}


def _changes(platform: Platform, ctx: TenantContext, current: EnrollmentDocument, patch: EnrollmentPatch) -> Changes:
    changes: Changes = {}
    if patch.version is not None:
        changes |= _version_change(platform, ctx, current, patch.version)
    if "dueDate" in patch.model_fields_set:
        due = patch.dueDate.isoformat() if patch.dueDate else None
        if due != current.dueDate:
            changes["dueDate"] = due
    if patch.status is not None and patch.status != current.status:
        if current.status == "completed":
            raise Conflict("a completed enrollment is kept as a record; it cannot be cancelled or reactivated")
        changes["status"] = patch.status
    return changes


def _etag(doc: EnrollmentDocument) -> str:
    if doc.etag is None:
        raise RuntimeError("the store returned a document without an ETag")
    return doc.etag


def _audited(doc: EnrollmentDocument, changes: Changes) -> dict[str, Any]:
    return {k: getattr(doc, k) for k in AUDITED_FIELDS if k in changes}


def change_enrollment(
    platform: Platform,
    ctx: TenantContext,
    course_id: str,
    user_id: str,
    patch: EnrollmentPatch,
    *,
    if_match: str | None = None,
) -> tuple[EnrollmentView, str]:
    """Move an enrollment to a newer published version, change its due date, or cancel or
    reactivate it; audited with before, after and the reason."""
    docs = _docs(platform, ctx)
    current = docs.read(enrollment_id(course_id, user_id))
    changes = _changes(platform, ctx, current, patch)
    if not changes:
        return _view(current), _etag(current)
    # The changes were checked above (a published version, an ISO date, a status the patch allows).
    updated = current.model_copy(update={**changes, "updatedAt": platform.clock.now().isoformat()})
    stored = docs.replace(updated, if_match=if_match or _etag(current))
    audit_log.record(
        platform,
        ctx,
        action="enrollment.changed",
        subject_type="enrollment",
        subject_id=stored.id,
        before=_audited(current, changes),
        after=_audited(stored, changes),
        reason=patch.reason,
    )
    return _view(stored), _etag(stored)


def mark_completed(
    platform: Platform, ctx: TenantContext, user_id: str, course_id: str, version: int, completed_at: datetime
) -> EnrollmentView:
    """Record that the user completed the course (on CourseCompleted); doing it again changes nothing."""
    docs = _docs(platform, ctx)
    for _ in range(3):
        current = docs.read(enrollment_id(course_id, user_id))
        if current.status == "completed":
            return _view(current)
        updated = current.model_copy(
            update={
                "status": "completed",
                "completedAt": completed_at.isoformat(),
                "completedVersion": version,
                "updatedAt": platform.clock.now().isoformat(),
            }
        )
        try:
            return _view(docs.replace(updated, if_match=current.etag))
        except PreconditionFailed:
            continue  # changed meanwhile (a due date, a move): read it again and retry
    raise PreconditionFailed("the enrollment kept changing; try again")


# --- personal data: this context's part of an export and an erasure ------------------------------


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's enrollments and payment orders, and the enrollments of others they made."""
    found = documents_mentioning(_docs(platform, ctx), who)
    paid = documents_mentioning(orders(platform, ctx), who)
    return {
        "enrollments": [exported(d) for d in found if d.userId == who.user_id],
        "orders": [exported(d) for d in paid if d.userId == who.user_id],
        "mentions": [
            *(mentions(d, who) for d in found if d.userId != who.user_id),
            *(mentions(d, who) for d in paid if d.userId != who.user_id),
        ],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's enrollments; keep their payment orders (bookkeeping) and the enrollments
    they gave others, with the user replaced by their pseudonym."""
    erase_mentions(_docs(platform, ctx), who, own=lambda doc: doc.userId == who.user_id)
    paid = orders(platform, ctx)
    for order in documents_mentioning(paid, who):
        pseudonymise(paid, who, order)


# This context's part of GDPR export and erasure, registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
