"""The domain event of assessment, recorded in the attempt document's outbox.

Grading an attempt (on submit, at the deadline, or an essay grade and its regrades) records one
``QuizGraded`` in the attempt's ``outbox`` in the same write that stores the grade; the relay
(``shared/assessment/handlers.py``) publishes it from the change feed of ``attempts``. Learning
counts it toward completion, notifications tell the learner, reporting keeps the score statistics
and billing counts the learner as active.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from shared.platform.events import Event

__all__ = ["QUIZ_GRADED", "QuizGraded"]

QUIZ_GRADED = "QuizGraded"


class QuizGraded(Event):
    """One grade of a quiz attempt; a regrade is a new event with a higher ``seq``."""

    TYPE: ClassVar[str] = QUIZ_GRADED
    type: Literal["QuizGraded"] = "QuizGraded"
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)
    version: int = Field(ge=1)
    seq: int = Field(ge=1, description="the attempt's write sequence: a regrade has a higher one")
    lessonId: str = Field(min_length=1)
    attemptId: str = Field(min_length=1)
    passed: bool
    score: float = Field(ge=0, le=100)
