"""The documents assessment stores, as models: the kinds of the ``question-banks`` container
(banks, question heads, their immutable versions, quiz settings) and the attempts of ``attempts``.

Field names and shapes are those stored today. An optional field a document never had is left out
when it is written rather than written as null (``Sparse``): queries tell absent from null (the
retention sweep looks for attempts without ``detailPurgedAt``), and a retention purge removes a
grade's comment rather than nulling it. A field read as null, or set in code, is written as it is.

A question is stored as the JSON of its ``QuestionCreate`` (validated with ``parse_question`` when it
was written): attempts snapshot it as it was drawn, and the pure rules of ``rules.py`` grade from it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from shared.assessment.model import AttemptStatus, QuizSettings
from shared.platform.stored import SparseDocument, without_unset_nulls

__all__ = [
    "Attempt",
    "AttemptItem",
    "BankDoc",
    "EssayGradeRecord",
    "QuestionHead",
    "QuestionVersion",
    "QuizDoc",
    "StoredAnswer",
]

# A saved answer as ``rules.check_answer`` stores it: an option id or a text, option ids, true or false.
StoredAnswer = bool | str | list[str]


# --- the question-banks container ----------------------------------------------------------------


class BankDoc(SparseDocument):
    KIND: ClassVar[str] = "bank"
    type: Literal["bank"] = "bank"
    bankId: str
    title: str
    description: str = ""
    createdBy: str
    createdAt: str
    updatedAt: str


class _QuestionFields(SparseDocument):
    questionId: str
    bankId: str
    version: int
    question: dict[str, Any] = Field(description="the QuestionCreate JSON of this version, answer key included")
    # Copies of the question's own, so a pool selects by tag and difficulty without reading the body.
    tags: list[str] = Field(default_factory=list)
    difficulty: str = "medium"
    updatedAt: str
    updatedBy: str


class QuestionHead(_QuestionFields):
    """The current version of a question: what quizzes draw from and staff edit."""

    KIND: ClassVar[str] = "question"
    type: Literal["question"] = "question"
    createdAt: str


class QuestionVersion(_QuestionFields):
    """One immutable version of a question (``question.<id>.v<n>``)."""

    KIND: ClassVar[str] = "question_version"
    type: Literal["question_version"] = "question_version"


class QuizDoc(SparseDocument):
    """A quiz lesson's settings (``quiz.<courseId>.<lessonId>``)."""

    KIND: ClassVar[str] = "quiz"
    type: Literal["quiz"] = "quiz"
    courseId: str
    lessonId: str
    settings: QuizSettings
    updatedAt: str
    updatedBy: str


# --- the attempts container ----------------------------------------------------------------------


class AttemptItem(BaseModel):
    """A drawn question, pinned at the version drawn, with the order its options are shown in."""

    model_config = ConfigDict(extra="allow")

    questionId: str
    version: int
    question: dict[str, Any] = Field(description="the QuestionCreate JSON of the drawn version")
    optionOrder: list[str] | None = None


class EssayGradeRecord(BaseModel):
    """An Instructor's rubric grade of one essay item (its comment goes under the retention)."""

    model_config = ConfigDict(extra="allow")

    criteria: dict[str, float]
    points: float
    comment: str | None = None
    by: str
    at: str

    @model_serializer(mode="wrap")
    def _sparse(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return without_unset_nulls(self, handler(self))


class Attempt(SparseDocument):
    """A learner's attempt at a quiz: the rules it began with, its draw, answers and grade, and the
    outbox of the ``QuizGraded`` events its grades recorded (relayed from the change feed)."""

    KIND: ClassVar[str] = "attempt"
    type: Literal["attempt"] = "attempt"
    userId: str
    courseId: str
    version: int
    lessonId: str
    number: int
    attemptsAllowed: int
    passMark: float
    showCorrectAnswers: Literal["never", "after_submission"]
    seed: str
    items: list[AttemptItem]
    answers: dict[str, StoredAnswer] = Field(default_factory=dict)
    status: AttemptStatus
    startedAt: str
    deadline: str | None = None
    writeSeq: int = 0
    outbox: list[dict[str, Any]] = Field(default_factory=list, description="QuizGraded event bodies")
    updatedAt: str | None = None
    submittedAt: str | None = None
    expired: bool | None = None
    awarded: dict[str, float] = Field(default_factory=dict)
    grades: dict[str, EssayGradeRecord] = Field(default_factory=dict)
    points: float | None = None
    maxPoints: float | None = None
    score: float | None = None
    passed: bool | None = None
    gradedAt: str | None = None
    gradeRevision: int = 0
    detailPurgedAt: str | None = Field(default=None, description="when the retention removed the answers")
