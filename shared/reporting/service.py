"""Reporting use cases: keep each course's report current from events, and read it in one point read.

The read model lives in the ``reports`` container, in the tenant's partition:

- one **row** per learner and course (``{courseId}:{userId}``): what the events said about the learner
  (enrolled, the newest progress snapshot by write ``seq``, the newest grade of each quiz attempt);
- one **aggregate** per course (``course.{courseId}``): the sum of its rows' contributions, as flat
  counters (``shared/reporting/model.py``), from which ``read_models.course_report`` computes the report.

Why rows and an aggregate: a report read must not scan learners, so the sums are kept, and a sum can
only be kept exactly if each learner's part is known, so a change of a learner replaces their part
(``delta(before, after)``) instead of adding to it. Events are idempotent and order-tolerant at the
row: a repeat or an older snapshot changes nothing, so it adds no delta.

The row and the aggregate are two documents and the store has no transaction across them, so the
row is the outbox of the hop between them: the row write that changes the learner also records the
delta in ``pendingDeltas`` (with a new id), then the delta is added to the aggregate (ETag-guarded,
retried on 412/409) together with its id in the aggregate's journal of recently applied deltas
(``applied``, the newest ``JOURNAL`` ids), then it is dropped from the row. A crash anywhere in between
leaves the delta pending, and the redelivered event (or the learner's next one) settles it: applied
once, because the journal says whether the aggregate has it. The aggregate holds counts only, never a
user id. ``LessonCompleted`` and ``CourseCompleted`` are not consumed: the snapshot recorded in the
same write carries the same states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from shared.assessment.events import QuizGraded
from shared.catalog import service as catalog
from shared.enrollment.events import EnrollmentCreated
from shared.errors import Conflict, NotFound, PreconditionFailed, Unavailable
from shared.learning.events import CourseProgressChanged
from shared.platform.documents import Filter
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions, exported
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments, system_context
from shared.reporting.model import (
    REPORTS,
    CourseAggregate,
    PendingDelta,
    ReportRow,
    add,
    aggregate_id,
    apply_enrollment,
    apply_progress,
    apply_quiz_grade,
    contribution,
    delta,
    new_aggregate,
    new_row,
    row_id,
)
from shared.reporting.read_models import CourseReport, OutlineLesson, course_report

__all__ = [
    "JOURNAL",
    "PERSONAL_DATA",
    "course_report_of",
    "erase_user",
    "export_user",
    "record_enrollment",
    "record_progress",
    "record_quiz_grade",
]

REPORTER = "system:reporting"
WRITE_ATTEMPTS = 8
# Deltas applied to an aggregate that it remembers: a pending delta is settled on the redelivery of
# its event, long before this many other changes of the same course.
JOURNAL = 512
OUTLINE_CACHE_SECONDS = 24 * 3600.0  # published versions never change
ROW_PAGE = 100
# What an export leaves out of a row: the deltas on their way to the aggregate (reporting's plumbing).
INTERNAL_FIELDS = ("pendingDeltas",)

RowChange = Callable[[ReportRow], bool]
Rows = TenantDocuments[ReportRow]
Aggregates = TenantDocuments[CourseAggregate]


def _rows(platform: Platform, ctx: TenantContext) -> Rows:
    return TenantDocuments(platform.documents, REPORTS, ctx, ReportRow)


def _aggregates(platform: Platform, ctx: TenantContext) -> Aggregates:
    return TenantDocuments(platform.documents, REPORTS, ctx, CourseAggregate)


def _system(tenant_id: str) -> TenantContext:
    # The tenant comes from the producing context's own document, not from a caller.
    return system_context(tenant_id, REPORTER)


def _write_row(docs: Rows, row: ReportRow) -> ReportRow:
    return docs.create(row) if row.etag is None else docs.replace(row, if_match=row.etag)


def _write_aggregate(docs: Aggregates, aggregate: CourseAggregate) -> CourseAggregate:
    return docs.create(aggregate) if aggregate.etag is None else docs.replace(aggregate, if_match=aggregate.etag)


def _outline(platform: Platform, ctx: TenantContext, course_id: str, version: int) -> tuple[str, list[OutlineLesson]]:
    """The title and lessons (in order) of a published version, from the catalog (cached: immutable)."""
    key = f"reporting:{ctx.tenant_id}:outline:{course_id}:v{version}"
    cached = platform.cache.get(key)
    if cached is None:
        view = catalog.course_version(platform, ctx, course_id, version)
        lessons = [
            [lesson["id"], lesson["title"], lesson["kind"]]
            for module in view.outline.get("modules", [])
            for lesson in module.get("lessons", [])
        ]
        cached = {"title": view.title, "lessons": lessons}
        platform.cache.set(key, cached, OUTLINE_CACHE_SECONDS)
    return cached["title"], [OutlineLesson(*lesson) for lesson in cached["lessons"]]


# --- keeping the read model current ---------------------------------------------------------------


def _changed_row(platform: Platform, docs: Rows, course_id: str, user_id: str, change: RowChange) -> ReportRow | None:
    """Apply ``change`` to the learner's row (ETag-guarded), recording the delta it makes to the
    course's counters as pending; the stored row (None when there is none and nothing changed)."""
    for _ in range(WRITE_ATTEMPTS):
        found = docs.find(row_id(course_id, user_id))
        row, before = (found, contribution(found)) if found is not None else (new_row(course_id, user_id), {})
        if not change(row):
            return found
        counters = delta(before, contribution(row))
        if counters:
            row.pendingDeltas = [*row.pendingDeltas, PendingDelta(id=platform.ids.new_id(), counters=counters)]
        row.updatedAt = platform.clock.now().isoformat()
        try:
            return _write_row(docs, row)
        except (PreconditionFailed, Conflict):
            continue  # another delivery changed the row first: apply the event to its version
    raise Unavailable("the report row is being written concurrently; the event is retried")


def _apply_deltas(platform: Platform, docs: Aggregates, course_id: str, deltas: list[PendingDelta]) -> None:
    """Add the deltas the course's aggregate does not have yet (by id), ETag-guarded."""
    for _ in range(WRITE_ATTEMPTS):
        aggregate = docs.find(aggregate_id(course_id)) or new_aggregate(course_id)
        applied = set(aggregate.applied)
        fresh = [d for d in deltas if d.id not in applied]
        if not fresh:
            return
        for change in fresh:
            aggregate.counters = add(aggregate.counters, change.counters)
        aggregate.applied = [*aggregate.applied, *(d.id for d in fresh)][-JOURNAL:]
        aggregate.updatedAt = platform.clock.now().isoformat()
        try:
            _write_aggregate(docs, aggregate)
            return
        except (PreconditionFailed, Conflict):
            continue  # another learner's change landed first: add to its version
    raise Unavailable("the course report is being written concurrently; the event is retried")


def _settle(platform: Platform, ctx: TenantContext, row: ReportRow) -> None:
    """Move the row's pending deltas into the course's aggregate, then drop them from the row."""
    deltas = list(row.pendingDeltas)
    if not deltas:
        return
    _apply_deltas(platform, _aggregates(platform, ctx), row.courseId, deltas)
    settled = {d.id for d in deltas}
    rows = _rows(platform, ctx)
    current: ReportRow | None = row
    for _ in range(WRITE_ATTEMPTS):
        if current is None:
            return  # erased meanwhile
        current.pendingDeltas = [d for d in current.pendingDeltas if d.id not in settled]
        try:
            rows.replace(current, if_match=current.etag)
            return
        except PreconditionFailed:
            current = rows.find(current.id)
    raise Unavailable("the report row is being written concurrently; the event is retried")


def _record(platform: Platform, tenant_id: str, course_id: str, user_id: str, change: RowChange) -> None:
    ctx = _system(tenant_id)
    row = _changed_row(platform, _rows(platform, ctx), course_id, user_id, change)
    if row is not None:
        _settle(platform, ctx, row)


def record_enrollment(platform: Platform, event: EnrollmentCreated) -> None:
    """Count a learner's enrollment in the course's report (once, however often it is delivered)."""
    _record(platform, event.tenantId, event.courseId, event.userId, lambda row: apply_enrollment(row, event))


def record_progress(platform: Platform, event: CourseProgressChanged) -> None:
    """Take a learner's progress snapshot into the course's report, unless a newer one is there."""
    ctx = _system(event.tenantId)
    try:
        order = [lesson.id for lesson in _outline(platform, ctx, event.courseId, event.version)[1]]
    except NotFound:
        order = list(event.lessons)  # the version is gone: the snapshot lists lessons in outline order
    _record(platform, event.tenantId, event.courseId, event.userId, lambda row: apply_progress(row, event, order))


def record_quiz_grade(platform: Platform, event: QuizGraded) -> None:
    """Count a graded quiz attempt (a regrade replaces the attempt's earlier grade) in the course's report."""
    _record(platform, event.tenantId, event.courseId, event.userId, lambda row: apply_quiz_grade(row, event))


# --- reading ------------------------------------------------------------------------------------


def course_report_of(platform: Platform, ctx: TenantContext, course_id: str) -> CourseReport:
    """The course's report: enrollments, completion, progress, quiz scores, drop-off and time by lesson."""
    latest = catalog.published_version_of(platform, ctx, course_id)  # NotFound: no such course here
    title, outline = _outline(platform, ctx, course_id, latest) if latest is not None else (None, [])
    aggregate = _aggregates(platform, ctx).find(aggregate_id(course_id)) or new_aggregate(course_id)
    return course_report(
        course_id,
        aggregate.counters,
        outline,
        title=title,
        version=latest,
        updated_at=aggregate.updatedAt,
    )


# --- personal data --------------------------------------------------------------------------------


def _rows_of(platform: Platform, ctx: TenantContext, user_id: str) -> Iterator[ReportRow]:
    docs, continuation = _rows(platform, ctx), None
    filters = [Filter("userId", "eq", user_id)]
    while True:
        page = docs.query(filters, limit=ROW_PAGE, continuation=continuation)
        yield from page.items
        if page.continuation is None:
            return
        continuation = page.continuation


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """Everything reporting holds about the user: their row in each course's report."""
    rows = [
        {k: v for k, v in exported(row).items() if k not in INTERNAL_FIELDS}
        for row in _rows_of(platform, ctx, who.user_id)
    ]
    return {"reportRows": rows}


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's rows; the courses' aggregates keep their counts, which name nobody."""
    docs = _rows(platform, ctx)
    for row in list(_rows_of(platform, ctx, who.user_id)):
        _settle(platform, ctx, row)  # their last changes still count before the row goes
        try:
            docs.delete(row.id)
        except NotFound:
            continue


PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
