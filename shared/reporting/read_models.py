"""What an instructor sees of a course: the report, computed from the course's counters and its outline.

Pure rules, no I/O. Rates and progress are percentages (0 to 100); averages are over the enrolled
learners, except a lesson's average time, which is over the learners who began that lesson.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import Field

from shared.kernel import OutputModel
from shared.reporting.model import BUCKETS

__all__ = ["CourseReport", "LessonReport", "OutlineLesson", "QuizReport", "ScoreBucket", "course_report"]


@dataclass(frozen=True)
class OutlineLesson:
    """A lesson of the course's latest published version, as the catalog describes it."""

    id: str
    title: str
    kind: str


class ScoreBucket(OutputModel):
    min: float = Field(description="lowest score in the bucket (percent)")
    max: float = Field(description="highest score in the bucket (percent; below it except for the last bucket)")
    count: int


class QuizReport(OutputModel):
    lessonId: str
    title: str | None = None
    attempts: int = Field(description="graded attempts (a regraded attempt counts once, with its newest grade)")
    meanScore: float = Field(description="mean score of the graded attempts, percent")
    passRate: float = Field(description="share of graded attempts that passed, percent")
    learners: int = Field(description="learners with a graded attempt")
    learnersPassed: int = Field(description="learners with a passed attempt")
    distribution: list[ScoreBucket]


class LessonReport(OutputModel):
    lessonId: str
    title: str | None = Field(default=None, description="null for a lesson no longer in the latest version")
    kind: str | None = None
    started: int = Field(description="learners who began the lesson")
    completed: int = Field(description="learners who completed the lesson")
    stoppedHere: int = Field(description="learners whose furthest lesson this is, without completing the course")
    activeSeconds: float = Field(description="time on task in this lesson, all learners")
    averageActiveSeconds: float = Field(description="time on task per learner who began the lesson")


class CourseReport(OutputModel):
    courseId: str
    title: str | None = Field(default=None, description="the title of the latest published version")
    version: int | None = Field(default=None, description="the latest published version, whose outline orders lessons")
    enrollments: int
    completed: int
    completionRate: float = Field(description="share of enrolled learners who completed the course, percent")
    averageProgress: float = Field(description="mean course progress of the enrolled learners, percent")
    notStarted: int = Field(description="enrolled learners who have not begun any lesson")
    totalActiveSeconds: float = Field(description="time on task of all learners")
    averageActiveSeconds: float = Field(description="time on task per enrolled learner")
    lessons: list[LessonReport] = Field(description="drop-off by lesson, in outline order")
    quizzes: list[QuizReport]
    updatedAt: str | None = Field(default=None, description="when the last event changed the report")


def _share(part: float, whole: float, digits: int = 1) -> float:
    return round(100 * part / whole, digits) if whole else 0.0


def _mean(total: float, count: float, digits: int = 1) -> float:
    return round(total / count, digits) if count else 0.0


def _ids_of(counters: Mapping[str, float], kind: str) -> list[str]:
    return sorted({key.split("|")[1] for key in counters if key.startswith(f"{kind}|")})


def _ordered(outline: Sequence[OutlineLesson], ids: Sequence[str]) -> list[str]:
    """The outline's lessons in order, then lessons only older versions had (by id)."""
    known = [lesson.id for lesson in outline]
    return known + [lesson for lesson in ids if lesson not in known]


def _counter(counters: Mapping[str, float], kind: str, lesson_id: str) -> Callable[[str], float]:
    """Reads the counters of one lesson (or quiz) by name."""
    return lambda name: counters.get(f"{kind}|{lesson_id}|{name}", 0.0)


def _lesson(counters: Mapping[str, float], lesson_id: str, info: OutlineLesson | None) -> LessonReport:
    count = _counter(counters, "lesson", lesson_id)
    return LessonReport(
        lessonId=lesson_id,
        title=info.title if info else None,
        kind=info.kind if info else None,
        started=int(count("started")),
        completed=int(count("completed")),
        stoppedHere=int(count("stopped")),
        activeSeconds=round(count("activeSeconds"), 1),
        averageActiveSeconds=_mean(count("activeSeconds"), count("started")),
    )


def _quiz(counters: Mapping[str, float], lesson_id: str, info: OutlineLesson | None) -> QuizReport:
    count = _counter(counters, "quiz", lesson_id)
    width = 100 / BUCKETS
    return QuizReport(
        lessonId=lesson_id,
        title=info.title if info else None,
        attempts=int(count("attempts")),
        meanScore=_mean(count("scoreSum"), count("attempts"), 2),
        passRate=_share(count("passed"), count("attempts")),
        learners=int(count("learners")),
        learnersPassed=int(count("learnersPassed")),
        distribution=[
            ScoreBucket(min=b * width, max=(b + 1) * width, count=int(count(f"bucket{b}"))) for b in range(BUCKETS)
        ],
    )


def course_report(
    course_id: str,
    counters: Mapping[str, float],
    outline: Sequence[OutlineLesson],
    *,
    title: str | None,
    version: int | None,
    updated_at: str | None,
) -> CourseReport:
    """The report of a course from its counters, lessons in the order of its latest outline."""
    learners = counters.get("learners", 0.0)
    by_id = {lesson.id: lesson for lesson in outline}
    lessons = _ordered(outline, _ids_of(counters, "lesson"))
    quizzes = [lesson for lesson in outline if lesson.kind == "quiz"]
    quiz_lessons = _ordered(quizzes, _ids_of(counters, "quiz"))
    return CourseReport(
        courseId=course_id,
        title=title,
        version=version,
        enrollments=int(learners),
        completed=int(counters.get("completed", 0.0)),
        completionRate=_share(counters.get("completed", 0.0), learners),
        averageProgress=_mean(counters.get("percentSum", 0.0), learners),
        notStarted=int(counters.get("notStarted", 0.0)),
        totalActiveSeconds=round(counters.get("activeSeconds", 0.0), 1),
        averageActiveSeconds=_mean(counters.get("activeSeconds", 0.0), learners),
        lessons=[_lesson(counters, lesson, by_id.get(lesson)) for lesson in lessons],
        quizzes=[_quiz(counters, lesson, by_id.get(lesson)) for lesson in quiz_lessons],
        updatedAt=updated_at,
    )
