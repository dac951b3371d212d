"""Reporting's read model: one row per learner and course, and the counters a course's report sums.

Pure rules, no I/O. A row (``learner`` document) holds what the events told reporting about one
learner in one course: that they enrolled, the newest progress snapshot (``CourseProgressChanged``,
by its write ``seq``) and the newest grade of each quiz attempt (``QuizGraded``, by the attempt's
``seq``). Applying an event is idempotent and order-tolerant by these sequence numbers: a repeat
or an older snapshot arriving late changes nothing.

``contribution(row)`` is what one learner adds to their course's counters (flat ``kind|id|name``
keys, so adding and subtracting is the same for every statistic); the course's aggregate is the
sum of its rows' contributions, kept current by adding ``delta(before, after)`` of each row change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.assessment.events import QuizGraded
from shared.enrollment.events import EnrollmentCreated
from shared.learning.events import CourseProgressChanged
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec
from shared.platform.stored import StoredDocument

__all__ = [
    "BUCKETS",
    "REPORTS",
    "REPORTS_CONTAINER",
    "AttemptGrade",
    "Counters",
    "CourseAggregate",
    "PendingDelta",
    "ReportRow",
    "RowLesson",
    "add",
    "aggregate_id",
    "apply_enrollment",
    "apply_progress",
    "apply_quiz_grade",
    "contribution",
    "delta",
    "furthest_lesson",
    "new_aggregate",
    "new_row",
    "row_id",
    "score_bucket",
]

REPORTS = "reports"
# A report row per learner and course: keyed by tenant then id.
REPORTS_CONTAINER = ContainerSpec(REPORTS, filters=("type", "userId"), partition_key=TENANT_THEN_ID_KEY)
BUCKETS = 10  # quiz scores in buckets of ten points; the last one holds 90 to 100

Counters = dict[str, float]
LessonState = Literal["not_started", "in_progress", "completed"]


# --- the stored documents ------------------------------------------------------------------------


class RowLesson(BaseModel):
    """What a row keeps of one lesson from the newest progress snapshot."""

    model_config = ConfigDict(extra="allow")

    percent: float = 0.0
    state: LessonState = "not_started"
    activeSeconds: float = 0.0


class AttemptGrade(BaseModel):
    """The newest grade of one quiz attempt (by the attempt's ``seq``)."""

    model_config = ConfigDict(extra="allow")

    lessonId: str
    seq: int
    score: float
    passed: bool


class PendingDelta(BaseModel):
    """A change of the course's counters a row made, not yet known to be in the aggregate."""

    model_config = ConfigDict(extra="allow")

    id: str
    counters: Counters


class ReportRow(StoredDocument):
    """One learner in one course (``{courseId}:{userId}``): what the events said about them."""

    KIND: ClassVar[str] = "learner"
    type: Literal["learner"] = "learner"
    courseId: str
    userId: str
    enrolledAt: str | None = None
    source: str | None = None
    progressSeq: int | None = None
    version: int | None = None
    state: LessonState = "not_started"
    percent: float = 0.0
    lessons: dict[str, RowLesson] = Field(default_factory=dict)
    furthestLesson: str | None = None
    attempts: dict[str, AttemptGrade] = Field(default_factory=dict)
    pendingDeltas: list[PendingDelta] = Field(default_factory=list)
    updatedAt: str | None = None


class CourseAggregate(StoredDocument):
    """One course's counters (``course.{courseId}``), the sum of its rows' contributions, with the ids
    of the deltas applied recently (``applied``): counts only, never a user id."""

    KIND: ClassVar[str] = "course"
    type: Literal["course"] = "course"
    courseId: str
    counters: Counters = Field(default_factory=dict)
    applied: list[str] = Field(default_factory=list)
    updatedAt: str | None = None


def row_id(course_id: str, user_id: str) -> str:
    """A learner's row in a course (course ids hold no ':' and no '.')."""
    return f"{course_id}:{user_id}"


def aggregate_id(course_id: str) -> str:
    """A course's aggregate; the '.' keeps it apart from every row id, which holds a ':'."""
    return f"course.{course_id}"


def new_row(course_id: str, user_id: str) -> ReportRow:
    return ReportRow(id=row_id(course_id, user_id), courseId=course_id, userId=user_id)


def new_aggregate(course_id: str) -> CourseAggregate:
    return CourseAggregate(id=aggregate_id(course_id), courseId=course_id)


# --- applying events to a row (each returns whether the row changed) ----------------------------


def apply_enrollment(row: ReportRow, event: EnrollmentCreated) -> bool:
    """The first enrollment counts; a reactivation or a repeat is the same learner again."""
    if row.enrolledAt is not None:
        return False
    row.enrolledAt, row.source = event.at.isoformat(), event.source
    return True


def furthest_lesson(order: Sequence[str], lessons: Mapping[str, RowLesson]) -> str | None:
    """The last lesson in outline order the learner has begun (started or completed)."""
    begun = [lesson for lesson in order if lesson in lessons and lessons[lesson].state != "not_started"]
    return begun[-1] if begun else None


def apply_progress(row: ReportRow, event: CourseProgressChanged, order: Sequence[str]) -> bool:
    """Take the snapshot if it is newer than the one the row holds; ``order`` is the lesson order of
    the learner's course version (where a learner who stops is counted)."""
    if row.progressSeq is not None and event.seq <= row.progressSeq:
        return False
    lessons = {
        lesson: RowLesson(percent=snap.percent, state=snap.state, activeSeconds=snap.activeSeconds)
        for lesson, snap in event.lessons.items()
    }
    row.progressSeq = event.seq
    row.version = event.version
    row.state = event.state
    row.percent = event.percent
    row.lessons = lessons
    row.furthestLesson = furthest_lesson(order, lessons)
    return True


def apply_quiz_grade(row: ReportRow, event: QuizGraded) -> bool:
    """Keep the newest grade of each attempt (a regrade replaces the grade before it)."""
    known = row.attempts.get(event.attemptId)
    if known is not None and event.seq <= known.seq:
        return False
    row.attempts[event.attemptId] = AttemptGrade(
        lessonId=event.lessonId, seq=event.seq, score=event.score, passed=event.passed
    )
    return True


# --- what a row adds to its course --------------------------------------------------------------


def score_bucket(score: float) -> int:
    """The bucket of a score in percent: 0 for [0, 10), ..., 9 for [90, 100]."""
    return min(BUCKETS - 1, max(0, int(score // (100 / BUCKETS))))


def _quiz_contribution(attempts: Iterable[AttemptGrade]) -> Counters:
    counters: Counters = {}
    passed_lessons: set[str] = set()
    tried_lessons: set[str] = set()
    for attempt in attempts:
        lesson = attempt.lessonId
        tried_lessons.add(lesson)
        _bump(counters, f"quiz|{lesson}|attempts")
        _bump(counters, f"quiz|{lesson}|scoreSum", float(attempt.score))
        _bump(counters, f"quiz|{lesson}|bucket{score_bucket(float(attempt.score))}")
        if attempt.passed:
            passed_lessons.add(lesson)
            _bump(counters, f"quiz|{lesson}|passed")
    for lesson in tried_lessons:
        _bump(counters, f"quiz|{lesson}|learners")
    for lesson in passed_lessons:
        _bump(counters, f"quiz|{lesson}|learnersPassed")
    return counters


def contribution(row: ReportRow) -> Counters:
    """What one learner adds to the course's counters: one enrollment, their completion and percent,
    each lesson they began or completed and their time on it, where they stopped (the furthest lesson
    they reached, unless they completed the course), and each graded attempt's score."""
    completed = row.state == "completed"
    counters: Counters = {"learners": 1.0, "percentSum": float(row.percent or 0.0)}
    if completed:
        counters["completed"] = 1.0
    begun = False
    for lesson, snap in row.lessons.items():
        if snap.state != "not_started":
            begun = True
            _bump(counters, f"lesson|{lesson}|started")
        if snap.state == "completed":
            _bump(counters, f"lesson|{lesson}|completed")
        _bump(counters, f"lesson|{lesson}|activeSeconds", float(snap.activeSeconds))
        _bump(counters, "activeSeconds", float(snap.activeSeconds))
    if not begun and not completed:
        counters["notStarted"] = 1.0
    if not completed and row.furthestLesson:
        _bump(counters, f"lesson|{row.furthestLesson}|stopped")
    for key, value in _quiz_contribution(row.attempts.values()).items():
        _bump(counters, key, value)
    return {key: value for key, value in counters.items() if value}


def _bump(counters: Counters, key: str, by: float = 1.0) -> None:
    counters[key] = counters.get(key, 0.0) + by


def delta(before: Mapping[str, float], after: Mapping[str, float]) -> Counters:
    """What to add to the course's counters when a row's contribution goes from ``before`` to ``after``."""
    keys = set(before) | set(after)
    changes = {key: round(after.get(key, 0.0) - before.get(key, 0.0), 6) for key in keys}
    return {key: value for key, value in changes.items() if value}


def add(counters: Mapping[str, float], change: Mapping[str, float]) -> Counters:
    """``counters`` plus ``change``; counters that come back to zero are dropped."""
    total = dict(counters)
    for key, value in change.items():
        total[key] = round(total.get(key, 0.0) + value, 6)
    return {key: value for key, value in total.items() if value}
