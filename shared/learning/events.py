"""The domain events of learning activity, as they travel from a progress document's outbox to the bus.

A progress document (one per learner and course, container ``progress``) records its events in
``outbox`` in the same write that changes its state, so a state change and its event are never
apart. Each write increments ``writeSeq``; each event carries the ``seq`` of the write that
recorded it, and stays in the outbox for seven days, except ``CourseProgressChanged``: every write
records one (a snapshot of the learner's progress), and only the newest stays, so a busy learner's
outbox does not grow with their activity and a relay that skipped a version loses nothing but an
older snapshot. The relay reads the change feed, which
delivers the latest version of a document (perhaps skipping intermediate ones) at least once,
and publishes the events it has not relayed yet: ``events_to_relay`` decides which, from the
highest ``writeSeq`` it has seen of the document. Message ids are the event ids, so a repeat
within the bus's duplicate window is dropped and a later one is caught by idempotent consumers.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.platform.events import Event

__all__ = [
    "COURSE_COMPLETED",
    "COURSE_PROGRESS_CHANGED",
    "LESSON_COMPLETED",
    "PROGRESS",
    "CourseCompleted",
    "CourseProgressChanged",
    "LessonCompleted",
    "LessonSnapshot",
]

# The container of progress documents; the learning context's model and the relay both name it from here.
PROGRESS = "progress"

LESSON_COMPLETED = "LessonCompleted"
COURSE_COMPLETED = "CourseCompleted"
# A snapshot of a learner's progress in a course after a write (percent, states, time on task): the
# outbox keeps only the newest, since each one supersedes the ones before.
COURSE_PROGRESS_CHANGED = "CourseProgressChanged"


class _LearningEvent(Event):
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)
    version: int = Field(ge=1, description="the course version the learner is enrolled in")
    seq: int = Field(default=1, ge=1, description="the write of the progress document that recorded it")


class LessonCompleted(_LearningEvent):
    """A lesson of the learner's course version counts as completed (by the policy, or by hand)."""

    TYPE: ClassVar[str] = LESSON_COMPLETED
    type: Literal["LessonCompleted"] = "LessonCompleted"
    lessonId: str = Field(min_length=1)
    manual: bool = False


class CourseCompleted(_LearningEvent):
    """The learner completed the course version (by the policy, or by hand): certificates react."""

    TYPE: ClassVar[str] = COURSE_COMPLETED
    type: Literal["CourseCompleted"] = "CourseCompleted"
    manual: bool = False


class LessonSnapshot(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    percent: float = Field(ge=0, le=100)
    state: Literal["not_started", "in_progress", "completed"]
    activeSeconds: float = Field(ge=0)


class CourseProgressChanged(_LearningEvent):
    """A snapshot of the learner's progress after a write: the course's percent and state, and each
    lesson they have begun (ids and numbers only)."""

    TYPE: ClassVar[str] = COURSE_PROGRESS_CHANGED
    type: Literal["CourseProgressChanged"] = "CourseProgressChanged"
    percent: float = Field(ge=0, le=100)
    state: Literal["not_started", "in_progress", "completed"]
    lessons: dict[str, LessonSnapshot]
