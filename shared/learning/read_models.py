"""What a learner (or their instructor) sees of progress: per-lesson percent and state,
the course state, and what is still missing for completion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from shared.kernel import OutputModel
from shared.learning.model import CompletionPolicy, LessonSpec, State, lesson_percent, required_lessons

__all__ = ["CourseProgressView", "LessonProgressView", "progress_view"]


class LessonProgressView(OutputModel):
    lessonId: str
    kind: str
    state: State
    percent: float
    activeSeconds: float = Field(description="time on task reported by the player")
    completedAt: str | None = None


class CourseProgressView(OutputModel):
    courseId: str
    userId: str
    version: int
    state: State
    percent: float = Field(description="share of the required lessons completed")
    completedAt: str | None = None
    lessons: list[LessonProgressView]
    missing: list[str] = Field(description="required lessons not completed yet")


def progress_view(doc: Mapping[str, Any], specs: Sequence[LessonSpec], policy: CompletionPolicy) -> CourseProgressView:
    """The stored states (a read never completes anything; only writes record completions)."""
    lessons = doc.get("lessons", {})
    missing = [
        lesson for lesson in required_lessons(specs, policy) if lessons.get(lesson, {}).get("state") != "completed"
    ]
    required = required_lessons(specs, policy)
    done = len(required) - len(missing)
    views = [
        LessonProgressView(
            lessonId=spec.id,
            kind=spec.kind,
            state=lessons.get(spec.id, {}).get("state", "not_started"),
            percent=lesson_percent(spec, lessons.get(spec.id, {})),
            activeSeconds=lessons.get(spec.id, {}).get("activeSeconds", 0.0),
            completedAt=lessons.get(spec.id, {}).get("completedAt"),
        )
        for spec in specs
    ]
    return CourseProgressView(
        courseId=doc["courseId"],
        userId=doc["userId"],
        version=doc["version"],
        state=doc.get("state", "not_started"),
        percent=round(100 * done / len(required), 1) if required else 0.0,
        completedAt=doc.get("completedAt"),
        lessons=views,
        missing=missing,
    )
