"""The aggregation rules of course reports: what a learner's row says after events arrive in any order
and any number of times, what it adds to the course's counters, and the report computed from them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.assessment.events import QuizGraded
from shared.enrollment.events import EnrollmentCreated
from shared.learning.events import CourseProgressChanged
from shared.reporting.model import (
    ReportRow,
    RowLesson,
    add,
    apply_enrollment,
    apply_progress,
    apply_quiz_grade,
    contribution,
    delta,
    furthest_lesson,
    new_row,
    score_bucket,
)
from shared.reporting.read_models import OutlineLesson, course_report

ORDER = ["intro", "reading", "quiz"]
OUTLINE = [
    OutlineLesson("intro", "Introduction", "video"),
    OutlineLesson("reading", "Reading notes", "text"),
    OutlineLesson("quiz", "Final quiz", "quiz"),
]
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def snapshot(seq: int, state: str = "in_progress", percent: float = 0.0, **lessons: Any) -> CourseProgressChanged:
    return CourseProgressChanged.model_validate(
        {
            "id": f"s{seq}",
            "tenantId": "t1",
            "userId": "lea",
            "courseId": "c1",
            "version": 1,
            "seq": seq,
            "at": AT,
            "percent": percent,
            "state": state,
            "lessons": {
                lesson: {"percent": p, "state": s, "activeSeconds": secs} for lesson, (p, s, secs) in lessons.items()
            },
        }
    )


def grade(attempt: str, seq: int, score: float, *, passed: bool, lesson: str = "quiz") -> QuizGraded:
    return QuizGraded.model_validate(
        {
            "id": f"g-{attempt}-{seq}",
            "tenantId": "t1",
            "userId": "lea",
            "courseId": "c1",
            "version": 1,
            "seq": seq,
            "lessonId": lesson,
            "attemptId": attempt,
            "passed": passed,
            "score": score,
            "at": AT,
        }
    )


ENROLLED = EnrollmentCreated.model_validate(
    {"id": "e1", "tenantId": "t1", "userId": "lea", "courseId": "c1", "version": 1, "at": AT, "source": "self"}
)
EARLY = snapshot(2, intro=(50.0, "in_progress", 60.0))
LATE = snapshot(
    5, percent=50.0, intro=(100.0, "completed", 130.0), reading=(0.0, "in_progress", 20.0)
)  # newer than EARLY


def row_after(events: list[Any]) -> ReportRow:
    row = new_row("c1", "lea")
    for event in events:
        if isinstance(event, EnrollmentCreated):
            apply_enrollment(row, event)
        elif isinstance(event, CourseProgressChanged):
            apply_progress(row, event, ORDER)
        else:
            apply_quiz_grade(row, event)
    return row


def test_a_row_ends_the_same_whatever_the_order_and_repetition_of_its_events() -> None:
    events = [ENROLLED, EARLY, LATE, grade("a1", 2, 40, passed=False), grade("a1", 3, 75, passed=True)]
    expected = row_after(events)
    for order in itertools.permutations(events):
        assert row_after([*order, *order]) == expected
    assert expected.progressSeq == 5 and expected.attempts["a1"].score == 75


def test_a_late_older_snapshot_changes_nothing() -> None:
    row = row_after([LATE])
    assert apply_progress(row, EARLY, ORDER) is False
    assert row.lessons["intro"].state == "completed"


def test_the_furthest_lesson_follows_the_outline_not_the_order_lessons_were_begun() -> None:
    lessons = {
        "reading": RowLesson(state="in_progress"),
        "intro": RowLesson(state="completed"),
        "quiz": RowLesson(state="not_started"),
    }
    assert furthest_lesson(ORDER, lessons) == "reading"
    assert furthest_lesson(ORDER, {}) is None


@pytest.mark.parametrize(("score", "bucket"), [(0, 0), (9.99, 0), (10, 1), (59.5, 5), (90, 9), (100, 9)])
def test_scores_fall_in_buckets_of_ten_points_with_a_perfect_score_in_the_top_one(score: float, bucket: int) -> None:
    assert score_bucket(score) == bucket


def test_a_learner_who_stops_is_counted_at_their_furthest_lesson_until_they_complete_the_course() -> None:
    stopped = contribution(row_after([ENROLLED, LATE]))
    assert stopped["lesson|reading|stopped"] == 1 and "lesson|intro|stopped" not in stopped
    done = snapshot(7, "completed", 100.0, intro=(100.0, "completed", 130.0), reading=(100.0, "completed", 30.0))
    finished = contribution(row_after([ENROLLED, LATE, done]))
    assert not [key for key in finished if key.endswith("|stopped")]
    assert finished["completed"] == 1


def test_an_enrolled_learner_who_began_nothing_counts_as_not_started() -> None:
    assert contribution(row_after([ENROLLED])) == {"learners": 1.0, "notStarted": 1.0}


def test_adding_each_change_of_a_row_gives_the_same_counters_as_its_final_contribution() -> None:
    steps = [ENROLLED, EARLY, grade("a1", 2, 40, passed=False), LATE, grade("a1", 3, 75, passed=True), EARLY]
    counters: dict[str, float] = {}
    before: dict[str, float] = {}
    for done in range(1, len(steps) + 1):
        after = contribution(row_after(steps[:done]))
        counters = add(counters, delta(before, after))
        before = after
    assert counters == contribution(row_after(steps))
    assert counters["quiz|quiz|attempts"] == 1 and counters["quiz|quiz|passed"] == 1  # the regrade replaced the fail


def test_the_report_computes_rates_averages_and_the_score_distribution_from_the_counters() -> None:
    rows = [
        row_after([ENROLLED, LATE, grade("a1", 2, 40, passed=False), grade("a2", 2, 95, passed=True)]),
        row_after([ENROLLED]),
        row_after(
            [
                ENROLLED,
                snapshot(3, "completed", 100.0, intro=(100.0, "completed", 100.0), reading=(100, "completed", 50)),
            ]
        ),
    ]
    counters: dict[str, float] = {}
    for row in rows:
        counters = add(counters, contribution(row))
    report = course_report("c1", counters, OUTLINE, title="Course", version=1, updated_at=None)
    assert (report.enrollments, report.completed, report.completionRate) == (3, 1, 33.3)
    assert report.averageProgress == 50.0  # (50 + 0 + 100) / 3
    assert (report.notStarted, report.totalActiveSeconds, report.averageActiveSeconds) == (1, 300.0, 100.0)
    by_lesson = {lesson.lessonId: lesson for lesson in report.lessons}
    assert [lesson.lessonId for lesson in report.lessons] == ORDER
    assert (by_lesson["intro"].started, by_lesson["intro"].completed, by_lesson["intro"].stoppedHere) == (2, 2, 0)
    assert (by_lesson["reading"].started, by_lesson["reading"].stoppedHere) == (2, 1)
    assert by_lesson["intro"].averageActiveSeconds == 115.0  # (130 + 100) / 2 learners who began it
    [quiz] = report.quizzes
    assert (quiz.attempts, quiz.meanScore, quiz.passRate, quiz.learners, quiz.learnersPassed) == (2, 67.5, 50.0, 1, 1)
    assert [bucket.count for bucket in quiz.distribution] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]


def test_a_course_nobody_enrolled_in_reports_zeros_for_each_lesson_and_quiz() -> None:
    report = course_report("c1", {}, OUTLINE, title="Course", version=1, updated_at=None)
    assert (report.enrollments, report.completionRate, report.averageProgress) == (0, 0.0, 0.0)
    assert [(lesson.lessonId, lesson.started) for lesson in report.lessons] == [(lesson, 0) for lesson in ORDER]
    assert [(quiz.lessonId, quiz.attempts, quiz.meanScore) for quiz in report.quizzes] == [("quiz", 0, 0.0)]
