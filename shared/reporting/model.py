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
from typing import Any, Literal

from shared.assessment.events import QuizGraded
from shared.enrollment.events import EnrollmentCreated
from shared.learning.events import CourseProgressChanged
from shared.platform.documents import ContainerSpec

__all__ = [
    "BUCKETS",
    "REPORTS",
    "REPORTS_CONTAINER",
    "Counters",
    "add",
    "aggregate_id",
    "apply_enrollment",
    "apply_progress",
    "apply_quiz_grade",
    "contribution",
    "delta",
    "furthest_lesson",
    "new_row",
    "row_id",
    "score_bucket",
]

REPORTS = "reports"
REPORTS_CONTAINER = ContainerSpec(REPORTS)
BUCKETS = 10  # quiz scores in buckets of ten points; the last one holds 90 to 100

Counters = dict[str, float]
LessonState = Literal["not_started", "in_progress", "completed"]


def row_id(course_id: str, user_id: str) -> str:
    """A learner's row in a course (course ids hold no ':' and no '.')."""
    return f"{course_id}:{user_id}"


def aggregate_id(course_id: str) -> str:
    """A course's aggregate; the '.' keeps it apart from every row id, which holds a ':'."""
    return f"course.{course_id}"


def new_row(course_id: str, user_id: str) -> dict[str, Any]:
    return {
        "id": row_id(course_id, user_id),
        "type": "learner",
        "courseId": course_id,
        "userId": user_id,
        "enrolledAt": None,
        "source": None,
        "progressSeq": None,
        "version": None,
        "state": "not_started",
        "percent": 0.0,
        "lessons": {},
        "furthestLesson": None,
        "attempts": {},
        "pendingDeltas": [],
    }


# --- applying events to a row (each returns whether the row changed) ----------------------------


def apply_enrollment(row: dict[str, Any], event: EnrollmentCreated) -> bool:
    """The first enrollment counts; a reactivation or a repeat is the same learner again."""
    if row.get("enrolledAt") is not None:
        return False
    row["enrolledAt"], row["source"] = event.at.isoformat(), event.source
    return True


def furthest_lesson(order: Sequence[str], lessons: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The last lesson in outline order the learner has begun (started or completed)."""
    begun = [lesson for lesson in order if lessons.get(lesson, {}).get("state", "not_started") != "not_started"]
    return begun[-1] if begun else None


def apply_progress(row: dict[str, Any], event: CourseProgressChanged, order: Sequence[str]) -> bool:
    """Take the snapshot if it is newer than the one the row holds; ``order`` is the lesson order of
    the learner's course version (where a learner who stops is counted)."""
    if row.get("progressSeq") is not None and event.seq <= row["progressSeq"]:
        return False
    lessons = {lesson: snap.model_dump() for lesson, snap in event.lessons.items()}
    row.update(
        progressSeq=event.seq,
        version=event.version,
        state=event.state,
        percent=event.percent,
        lessons=lessons,
        furthestLesson=furthest_lesson(order, lessons),
    )
    return True


def apply_quiz_grade(row: dict[str, Any], event: QuizGraded) -> bool:
    """Keep the newest grade of each attempt (a regrade replaces the grade before it)."""
    known = row["attempts"].get(event.attemptId)
    if known is not None and event.seq <= known["seq"]:
        return False
    row["attempts"][event.attemptId] = {
        "lessonId": event.lessonId,
        "seq": event.seq,
        "score": event.score,
        "passed": event.passed,
    }
    return True


# --- what a row adds to its course --------------------------------------------------------------


def score_bucket(score: float) -> int:
    """The bucket of a score in percent: 0 for [0, 10), ..., 9 for [90, 100]."""
    return min(BUCKETS - 1, max(0, int(score // (100 / BUCKETS))))


def _quiz_contribution(attempts: Iterable[Mapping[str, Any]]) -> Counters:
    counters: Counters = {}
    passed_lessons: set[str] = set()
    tried_lessons: set[str] = set()
    for attempt in attempts:
        lesson = attempt["lessonId"]
        tried_lessons.add(lesson)
        _bump(counters, f"quiz|{lesson}|attempts")
        _bump(counters, f"quiz|{lesson}|scoreSum", float(attempt["score"]))
        _bump(counters, f"quiz|{lesson}|bucket{score_bucket(float(attempt['score']))}")
        if attempt["passed"]:
            passed_lessons.add(lesson)
            _bump(counters, f"quiz|{lesson}|passed")
    for lesson in tried_lessons:
        _bump(counters, f"quiz|{lesson}|learners")
    for lesson in passed_lessons:
        _bump(counters, f"quiz|{lesson}|learnersPassed")
    return counters


def contribution(row: Mapping[str, Any]) -> Counters:
    """What one learner adds to the course's counters: one enrollment, their completion and percent,
    each lesson they began or completed and their time on it, where they stopped (the furthest lesson
    they reached, unless they completed the course), and each graded attempt's score."""
    completed = row.get("state") == "completed"
    counters: Counters = {"learners": 1.0, "percentSum": float(row.get("percent") or 0.0)}
    if completed:
        counters["completed"] = 1.0
    begun = False
    for lesson, snap in (row.get("lessons") or {}).items():
        if snap["state"] != "not_started":
            begun = True
            _bump(counters, f"lesson|{lesson}|started")
        if snap["state"] == "completed":
            _bump(counters, f"lesson|{lesson}|completed")
        _bump(counters, f"lesson|{lesson}|activeSeconds", float(snap["activeSeconds"]))
        _bump(counters, "activeSeconds", float(snap["activeSeconds"]))
    if not begun and not completed:
        counters["notStarted"] = 1.0
    if not completed and row.get("furthestLesson"):
        _bump(counters, f"lesson|{row['furthestLesson']}|stopped")
    for key, value in _quiz_contribution((row.get("attempts") or {}).values()).items():
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
