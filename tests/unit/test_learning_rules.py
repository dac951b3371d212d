"""Pure learning rules: the union of watched intervals, and completion by one transition table."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.learning.model import (
    TRANSITIONS,
    CompletionPolicy,
    LessonSpec,
    ProgressDocument,
    evaluate,
    merge_intervals,
    next_state,
    watched_seconds,
)
from shared.platform.events import event_id

intervals = st.lists(
    st.tuples(st.floats(0, 500, allow_nan=False), st.floats(0, 500, allow_nan=False)).map(sorted), max_size=30
)


def test_rewatching_the_same_part_adds_nothing() -> None:
    once = merge_intervals([[0, 60]])
    thrice = merge_intervals([[0, 60], [10, 50], [0, 60]])
    assert once == thrice == [[0.0, 60.0]]


def test_a_seek_counts_only_what_was_played() -> None:
    assert watched_seconds(merge_intervals([[0, 10], [100, 110]])) == 20


def test_intervals_are_clamped_to_the_lesson_duration() -> None:
    assert merge_intervals([[50, 500]], duration=120) == [[50.0, 120.0]]


@given(intervals, intervals)
def test_merging_is_a_union_never_larger_than_its_parts_and_order_free(a: list[Any], b: list[Any]) -> None:
    merged = merge_intervals(a + b)
    assert merged == merge_intervals(b + a) == merge_intervals(merge_intervals(a) + merge_intervals(b))
    assert watched_seconds(merged) <= watched_seconds(a + b) + 1e-9
    assert all(x[1] < y[0] for x, y in itertools.pairwise(merged))  # disjoint, sorted


@given(intervals, st.floats(1, 400, allow_nan=False))
def test_watched_time_never_exceeds_the_duration(a: list[Any], duration: float) -> None:
    assert watched_seconds(merge_intervals(a, duration)) <= duration + 1e-9


def test_completed_is_final_whatever_happens_next() -> None:
    for signal in ("activity", "criteria_met", "manual", None):
        assert next_state("completed", signal) == "completed"  # type: ignore[arg-type]
    assert all(before != "completed" for before, _ in TRANSITIONS)


VIDEO = LessonSpec("video", "video", True, 100.0, ())
TEXT = LessonSpec("text", "text", True, None, ("video",))
QUIZ = LessonSpec("quiz", "quiz", True, None, ())
OPTIONAL = LessonSpec("extra", "text", False, None, ())


def progress(fields: dict[str, Any]) -> ProgressDocument:
    return ProgressDocument.model_validate({"id": "c:u", "userId": "u", "courseId": "c", "version": 1, **fields})


def doc(**lessons: dict[str, Any]) -> ProgressDocument:
    return progress({"state": "in_progress", "lessons": lessons})


def test_a_video_completes_at_the_watch_ratio() -> None:
    policy = CompletionPolicy(watchRatio=0.8)
    short = evaluate(doc(video={"watched": [[0, 79]], "touched": True}), [VIDEO], policy)
    enough = evaluate(doc(video={"watched": [[0, 80]], "touched": True}), [VIDEO], policy)
    assert (short.lesson_states["video"], enough.lesson_states["video"]) == ("in_progress", "completed")
    assert enough.course_completed and enough.completed_lessons == ["video"]


def test_a_lesson_waits_for_its_prerequisites() -> None:
    result = evaluate(doc(text={"read": True, "touched": True}), [VIDEO, TEXT], CompletionPolicy())
    assert result.lesson_states["text"] == "in_progress"
    assert result.missing == ["video", "text"]


def test_a_quiz_needs_a_pass_unless_the_policy_says_otherwise() -> None:
    submitted = doc(quiz={"quizSubmitted": True, "quizPassed": False, "touched": True})
    assert evaluate(submitted, [QUIZ], CompletionPolicy()).lesson_states["quiz"] == "in_progress"
    relaxed = CompletionPolicy(requireQuizPass=False)
    assert evaluate(submitted, [QUIZ], relaxed).lesson_states["quiz"] == "completed"


def test_optional_lessons_are_not_needed_and_the_policy_can_name_the_required_ones() -> None:
    done = doc(video={"watched": [[0, 100]], "touched": True})
    assert evaluate(done, [VIDEO, OPTIONAL], CompletionPolicy()).course_completed
    strict = CompletionPolicy(requiredLessons=["video", "extra"])
    assert evaluate(done, [VIDEO, OPTIONAL], strict).missing == ["extra"]


def test_an_already_completed_course_records_no_second_completion() -> None:
    finished = progress({"state": "completed", "lessons": {"video": {"state": "completed", "watched": [[0, 100]]}}})
    result = evaluate(finished, [VIDEO], CompletionPolicy())
    assert (result.course_completed, result.completed_lessons) == (False, [])


def test_a_manual_completion_completes_without_activity() -> None:
    manual = progress({"state": "not_started", "lessons": {}, "manual": {"by": "ta"}})
    result = evaluate(manual, [VIDEO], CompletionPolicy())
    assert result.course_completed


def test_the_same_fact_always_gets_the_same_event_id() -> None:
    assert event_id("CourseCompleted", "t", "u", "c", 1) == event_id("CourseCompleted", "t", "u", "c", 1)
    assert event_id("CourseCompleted", "t", "u", "c", 1) != event_id("CourseCompleted", "t", "u", "c", 2)
