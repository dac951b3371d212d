"""What a learner (or their instructor) sees of progress: per-lesson percent and state,
the course state, and what is still missing for completion."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from shared.kernel import OutputModel
from shared.learning.model import (
    CompletionPolicy,
    LessonProgress,
    LessonSpec,
    ProgressDocument,
    State,
    lesson_percent,
    required_lessons,
)

__all__ = ["CourseProgressView", "LessonProgressView", "progress_view"]


class LessonProgressView(OutputModel):
    lessonId: str
    kind: str
    state: State
    percent: float
    activeSeconds: float = Field(description="time on task reported by the player")
    completedAt: str | None = None
    position: float | None = Field(
        default=None, description="video lessons: where the learner stopped watching (seconds), to resume there"
    )


class CourseProgressView(OutputModel):
    courseId: str
    userId: str
    version: int
    state: State
    percent: float = Field(description="share of the required lessons completed")
    completedAt: str | None = None
    lessons: list[LessonProgressView]
    missing: list[str] = Field(description="required lessons not completed yet")


def progress_view(doc: ProgressDocument, specs: Sequence[LessonSpec], policy: CompletionPolicy) -> CourseProgressView:
    """The stored states (a read never completes anything; only writes record completions)."""
    nothing = LessonProgress()
    lessons = doc.lessons
    required = required_lessons(specs, policy)
    missing = [lesson for lesson in required if lessons.get(lesson, nothing).state != "completed"]
    done = len(required) - len(missing)
    views = []
    for spec in specs:
        lesson = lessons.get(spec.id, nothing)
        views.append(
            LessonProgressView(
                lessonId=spec.id,
                kind=spec.kind,
                state=lesson.state or "not_started",
                percent=lesson_percent(spec, lesson),
                activeSeconds=lesson.activeSeconds or 0.0,
                completedAt=lesson.completedAt,
                position=lesson.position,
            )
        )
    return CourseProgressView(
        courseId=doc.courseId,
        userId=doc.userId,
        version=doc.version,
        state=doc.state,
        percent=round(100 * done / len(required), 1) if required else 0.0,
        completedAt=doc.completedAt,
        lessons=views,
        missing=missing,
    )
