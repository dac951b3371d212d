"""Grading attempts: closing them (by the learner, by the deadline, or by the sweep), rubric grades
for essays, and the ``QuizGraded`` event that feeds the learning context's completion policy.

Every change of an attempt is one ETag-guarded write of its document, and the event a grade
causes is recorded in that same write (the document's outbox, as progress documents do), so a
grade and its event are never apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.assessment.documents import Attempt, EssayGradeRecord
from shared.assessment.events import QUIZ_GRADED, QuizGraded
from shared.assessment.model import (
    ATTEMPTS,
    BY_ID,
    QUEUE_ORDER,
    AttemptStatus,
    AttemptSummary,
    AttemptView,
    EssayGrade,
    GradesBody,
)
from shared.assessment.rules import attempt_summary, attempt_view, item_points, score_of
from shared.audit import service as audit_log
from shared.catalog import service as catalog
from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, Unavailable
from shared.kernel import Paged
from shared.platform.documents import Filter, Page
from shared.platform.events import event_id
from shared.platform.runtime import Platform
from shared.platform.tenancy import PlatformDocuments, TenantContext, TenantDocuments, system_context

__all__ = [
    "QUIZ_GRADED",
    "close_attempt",
    "close_if_expired",
    "grade_essays",
    "is_expired",
    "list_attempts",
    "stamp",
    "sweep_expired_attempts",
    "update_attempt",
]

WRITE_ATTEMPTS = 8
OUTBOX_KEPT = 20  # grade revisions of one attempt are few; the oldest events go first
SWEEPER = "system:attempt-sweep"

Change = Callable[[Attempt], bool]


def stamp(moment: datetime) -> str:
    """A fixed-width ISO time, so stored deadlines compare correctly as strings (in queries too)."""
    return moment.isoformat(timespec="microseconds")


def is_expired(doc: Attempt, now: datetime) -> bool:
    return doc.status == "open" and doc.deadline is not None and doc.deadline <= stamp(now)


def attempts_of(platform: Platform, ctx: TenantContext) -> TenantDocuments[Attempt]:
    """The tenant's attempts."""
    return TenantDocuments(platform.documents, ATTEMPTS, ctx, Attempt)


def update_attempt(
    platform: Platform, ctx: TenantContext, attempt_id: str, change: Change, *, owner: str | None = None
) -> Attempt:
    """Read-modify-write one attempt with an ETag guard, retrying after a concurrent write.
    ``change(doc)`` edits the document and returns False when there is nothing to write; with
    ``owner`` the attempt of anyone else answers ``NotFound``, exactly as a missing one."""
    docs = attempts_of(platform, ctx)
    for _ in range(WRITE_ATTEMPTS):
        doc = docs.read(attempt_id)
        if owner is not None and doc.userId != owner:
            raise NotFound()
        if not change(doc):
            return doc
        doc.writeSeq += 1
        doc.updatedAt = platform.clock.now().isoformat()
        try:
            return docs.replace(doc, if_match=doc.etag)
        except PreconditionFailed:
            continue  # the learner's other tab (or the sweep) wrote first: decide again on its version
    raise Unavailable("the attempt is being changed concurrently; try again")


def _essays(doc: Attempt) -> list[str]:
    return [item.questionId for item in doc.items if item.question["type"] == "essay"]


def _record_graded(doc: Attempt, now: datetime) -> None:
    """Settle the score and record ``QuizGraded`` for this grade revision in the document's outbox."""
    awarded = doc.awarded
    doc.points = round(sum(awarded.values()), 4)
    doc.maxPoints = round(sum(float(item.question["points"]) for item in doc.items), 4)
    doc.score = score_of(list(awarded.values()), doc.maxPoints)
    doc.passed = doc.score >= doc.passMark
    doc.status, doc.gradedAt = "graded", now.isoformat()
    doc.gradeRevision += 1
    revision = doc.gradeRevision
    # One id per attempt and revision: a retried write repeats it, a regrade is a new fact.
    fact = f"{doc.lessonId}/{doc.id}/{revision}"
    event = QuizGraded(
        id=event_id(QUIZ_GRADED, doc.tenantId, doc.userId, doc.courseId, doc.version, fact),
        at=now,
        seq=doc.writeSeq + 1,  # the seq of the write that stores it (update_attempt increments)
        tenantId=doc.tenantId,
        userId=doc.userId,
        courseId=doc.courseId,
        version=doc.version,
        lessonId=doc.lessonId,
        attemptId=doc.id,
        passed=doc.passed,
        score=doc.score,
    )
    doc.outbox = [*doc.outbox, event.body()][-OUTBOX_KEPT:]


def close_attempt(doc: Attempt, now: datetime, *, expired: bool) -> None:
    """Grade an open attempt as it stands, with its saved answers: objective items now; essays
    leave it awaiting an Instructor."""
    at = now.isoformat()
    doc.submittedAt, doc.expired = at, expired
    awarded = {}
    for item in doc.items:
        points = item_points(item.question, doc.answers.get(item.questionId))
        if points is not None:
            awarded[item.questionId] = points
    doc.awarded = awarded
    if _essays(doc):
        doc.status = "awaiting_grading"
    else:
        _record_graded(doc, now)


def close_if_expired(platform: Platform, ctx: TenantContext, attempt_id: str) -> tuple[Attempt, bool]:
    """The attempt, graded as it stands if its deadline has passed while it was open (and whether
    this call closed it)."""
    closed: list[bool] = [False]

    def change(doc: Attempt) -> bool:
        closed[0] = is_expired(doc, platform.clock.now())
        if closed[0]:
            close_attempt(doc, platform.clock.now(), expired=True)
        return closed[0]

    return update_attempt(platform, ctx, attempt_id, change), closed[0]


# --- essays ----------------------------------------------------------------------------------------


def _rubric_grade(question: dict[str, Any], grade: EssayGrade) -> dict[str, Any]:
    rubric = {c["id"]: float(c["points"]) for c in question["rubric"]}
    given = {c.criterionId: c.points for c in grade.criteria}
    if set(given) != set(rubric) or len(given) != len(grade.criteria):
        raise InvalidInput(f"grade every criterion of the rubric once: {', '.join(rubric)}")
    over = [cid for cid, points in given.items() if points > rubric[cid]]
    if over:
        raise InvalidInput(f"more points than the rubric allows for {', '.join(over)}")
    return {"criteria": given, "points": round(sum(given.values()), 4), "comment": grade.comment}


def _apply_grades(doc: Attempt, body: GradesBody, ctx: TenantContext, at: str) -> list[dict[str, Any]]:
    """Apply the rubric grades to ``doc``; each grade given or changed (what the audit records), with
    the grade it replaced (None for an essay's first grade)."""
    if doc.status == "open":
        raise Conflict("the attempt has not been submitted yet")
    if doc.detailPurgedAt:
        raise Conflict("the answers of this attempt were deleted under the tenant's retention; its grade is final")
    items = {item.questionId: item.question for item in doc.items}
    changed = []
    for grade in body.grades:
        question = items.get(grade.questionId)
        if question is None or question["type"] != "essay":
            raise InvalidInput(f"{grade.questionId!r} is not an essay question of this attempt")
        new = _rubric_grade(question, grade)
        stored = doc.grades.get(grade.questionId)
        before = stored.model_dump() if stored is not None else None
        if before is not None and {k: before.get(k) for k in new} == new:
            continue
        if before is not None and not body.reason:
            raise InvalidInput("a reason is required to change a grade")
        doc.grades[grade.questionId] = EssayGradeRecord(**new, by=ctx.user_id, at=at)
        doc.awarded[grade.questionId] = new["points"]
        changed.append({"questionId": grade.questionId, "before": before, "after": new})
    return changed


def grade_essays(platform: Platform, ctx: TenantContext, attempt_id: str, body: GradesBody) -> AttemptView:
    """An Instructor grades essay items by their rubric; the attempt is graded once every essay is.
    Every grade is audited with the grade and score before and after; changing one needs a reason."""
    changes: list[dict[str, Any]] = []
    before_score: list[float | None] = []

    def change(doc: Attempt) -> bool:
        changes.clear()
        before_score[:] = [doc.score]
        graded_before = {q for q in _essays(doc) if q in doc.grades}
        now = platform.clock.now()
        changes.extend(_apply_grades(doc, body, ctx, now.isoformat()))
        newly_graded = {q for q in _essays(doc) if q in doc.grades} - graded_before
        if not changes and not newly_graded:
            return False
        if all(q in doc.grades for q in _essays(doc)):
            _record_graded(doc, now)
        return True

    stored = update_attempt(platform, ctx, attempt_id, change)
    for changed in changes:
        audit_log.record(
            platform,
            ctx,
            action="attempt.graded" if changed["before"] is None else "attempt.regrade",
            subject_type="attempt",
            subject_id=attempt_id,
            before={**(changed["before"] or {}), "questionId": changed["questionId"], "score": before_score[0]},
            after={**changed["after"], "questionId": changed["questionId"], "score": stored.score},
            reason=body.reason,
        )
    return attempt_view(stored, staff=True)


# --- the queue ------------------------------------------------------------------------------------


def list_attempts(
    platform: Platform,
    ctx: TenantContext,
    course_id: str,
    *,
    status: AttemptStatus | None = None,
    lesson_id: str | None = None,
    limit: int = 50,
    continuation: str | None = None,
) -> Paged[AttemptSummary]:
    """The course's attempts, optionally of one status or quiz lesson, oldest submission first (the
    order to grade in; attempts still open, never submitted, come before all others). A course
    unknown to the tenant is ``NotFound``; one deleted or unpublished keeps its attempts listed."""
    filters = [Filter("courseId", "eq", course_id)]
    if status is not None:
        filters.append(Filter("status", "eq", status))
    if lesson_id is not None:
        filters.append(Filter("lessonId", "eq", lesson_id))
    docs = attempts_of(platform, ctx)
    page = docs.query(filters, order_by=QUEUE_ORDER, limit=limit, continuation=continuation)
    if not page.items and continuation is None:
        _ensure_course_known(platform, ctx, course_id)
    return Paged[AttemptSummary](items=[attempt_summary(d) for d in page.items], continuation=page.continuation)


def _ensure_course_known(platform: Platform, ctx: TenantContext, course_id: str) -> None:
    """A course of the catalog, or one that has attempts (a deleted course keeps them)."""
    try:
        catalog.published_version_of(platform, ctx, course_id)
    except NotFound:
        if not attempts_of(platform, ctx).query([Filter("courseId", "eq", course_id)], limit=1).items:
            raise NotFound(f"no course {course_id!r}") from None


# --- the sweep -------------------------------------------------------------------------------------


def _expired_open_attempts(platform: Platform, now: datetime, continuation: str | None) -> Page:
    """The named platform operation of the sweep: open attempts of every tenant whose deadline passed."""
    store = PlatformDocuments(platform.documents, ATTEMPTS)
    filters = [Filter("type", "eq", "attempt"), Filter("status", "eq", "open"), Filter("deadline", "le", stamp(now))]
    return store.query_across_tenants(filters, order_by=BY_ID, limit=100, continuation=continuation)


def sweep_expired_attempts(platform: Platform) -> int:
    """Grade, as they stand, the open attempts of every tenant whose deadline has passed; return how many."""
    now, graded, continuation = platform.clock.now(), 0, None
    while True:
        page = _expired_open_attempts(platform, now, continuation)
        for doc in page.items:
            ctx = system_context(doc["tenantId"], SWEEPER)
            graded += close_if_expired(platform, ctx, doc["id"])[1]
        continuation = page.continuation
        if not continuation:
            return graded
