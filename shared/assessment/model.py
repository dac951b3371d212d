"""Question banks, quiz settings and attempts: the shapes of the assessment context.

A question is one of five types (a discriminated union on ``type``). Its answer key (correct
options, accepted texts, rubric points) lives on the server: learner-facing views are built
in ``rules.py`` and never carry it before grading. Pure models, no I/O.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from shared.errors import FieldError, InvalidInput
from shared.kernel import MULTILINE, InputModel, OutputModel, Reason, ResourceId
from shared.kernel import ShortText as Title
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec, Order

__all__ = [
    "ATTEMPTS",
    "ATTEMPTS_CONTAINER",
    "BANKS",
    "BANKS_CONTAINER",
    "DETAIL_PURGED",
    "QUEUE_ORDER",
    "AnswersBody",
    "AttemptItemView",
    "AttemptStatus",
    "AttemptSummary",
    "AttemptView",
    "BankCreate",
    "BankView",
    "EssayGrade",
    "GradesBody",
    "Pool",
    "QuestionCreate",
    "QuestionView",
    "QuizSettings",
    "QuizView",
    "parse_question",
]

BANKS = "question-banks"
ATTEMPTS = "attempts"
BY_ID = (Order("id"),)
# The grading queue's order: oldest submission first (attempts not yet submitted, without a
# submittedAt, sort before every submitted one), then by id.
QUEUE_ORDER = (Order("submittedAt"), Order("id"))
# Set on an attempt whose activity detail the tenant's retention removed (its grade is final then).
DETAIL_PURGED = "detailPurgedAt"
# Banks, questions (head and immutable versions) and quiz settings share one container;
# attempts have their own, so their change feed carries only attempts (the QuizGraded outbox).
BANKS_CONTAINER = ContainerSpec(BANKS, orderings=(BY_ID,), filters=("type", "bankId", "difficulty"), arrays=("tags",))
# Attempts grow with learners and quizzes: keyed by tenant then id, past the 20 GB of one logical partition.
ATTEMPTS_CONTAINER = ContainerSpec(
    ATTEMPTS,
    orderings=(BY_ID, QUEUE_ORDER),
    filters=("type", "status", "courseId", "lessonId", "deadline", "gradedAt", DETAIL_PURGED),
    partition_key=TENANT_THEN_ID_KEY,
)

Difficulty = Literal["easy", "medium", "hard"]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=40, to_lower=True)]
Prompt = Annotated[str, StringConstraints(min_length=1, max_length=5000), MULTILINE]
Explanation = Annotated[str, StringConstraints(max_length=5000), MULTILINE]
OptionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Points = Annotated[float, Field(gt=0, le=1000)]
MAX_OPTIONS = 10


# --- questions ------------------------------------------------------------------------------------


class Option(InputModel):
    id: OptionId
    text: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class _Question(InputModel):
    prompt: Prompt
    points: Points = 1.0
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    difficulty: Difficulty = "medium"
    explanation: Explanation | None = Field(default=None, description="shown with the correct answers, if at all")

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(tags))


class _Choice(_Question):
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    correct: list[OptionId] = Field(min_length=1, max_length=MAX_OPTIONS, description="ids of the correct options")

    @model_validator(mode="after")
    def _correct_among_options(self) -> _Choice:
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")
        unknown = [c for c in self.correct if c not in ids]
        if unknown:
            raise ValueError(f"correct names options that do not exist: {', '.join(unknown)}")
        if len(set(self.correct)) != len(self.correct):
            raise ValueError("correct lists an option twice")
        return self


class SingleChoice(_Choice):
    type: Literal["single_choice"]

    @model_validator(mode="after")
    def _exactly_one(self) -> SingleChoice:
        if len(self.correct) != 1:
            raise ValueError("a single choice question has exactly one correct option")
        return self


class MultipleChoice(_Choice):
    type: Literal["multiple_choice"]
    partialCredit: bool = Field(
        default=True, description="(correct picks - wrong picks) / correct options, floored at 0; else all or nothing"
    )


class TrueFalse(_Question):
    type: Literal["true_false"]
    answer: bool


class ShortText(_Question):
    type: Literal["short_text"]
    accepted: list[Annotated[str, StringConstraints(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)
    caseSensitive: bool = False
    normalizeWhitespace: bool = Field(default=True, description="runs of spaces count as one space")


class Criterion(InputModel):
    id: OptionId
    criterion: Annotated[str, StringConstraints(min_length=1, max_length=1000), MULTILINE]
    points: Points


class Essay(_Question):
    type: Literal["essay"]
    points: Points | None = Field(default=None, description="the rubric's sum (computed when absent)")  # type: ignore[assignment]
    rubric: list[Criterion] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _points_are_the_rubric(self) -> Essay:
        ids = [c.id for c in self.rubric]
        if len(set(ids)) != len(ids):
            raise ValueError("rubric criterion ids must be unique")
        total = round(sum(c.points for c in self.rubric), 6)
        if self.points is not None and abs(self.points - total) > 1e-6:
            raise ValueError(f"an essay's points are its rubric's sum ({total:g})")
        self.points = total
        return self


QuestionCreate = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | ShortText | Essay,
    Field(discriminator="type"),
]
_QUESTION = TypeAdapter[QuestionCreate](QuestionCreate)


def parse_question(data: dict[str, Any]) -> QuestionCreate:
    """A question body as the API accepts it; ``InvalidInput`` naming each field that is wrong."""
    try:
        return _QUESTION.validate_python(data)
    except ValidationError as exc:
        errors = [FieldError(".".join(str(p) for p in e["loc"]) or "body", str(e["msg"])) for e in exc.errors()]
        summary = "; ".join(f"{e.location}: {e.message}" for e in errors[:5])
        raise InvalidInput(f"the question is not valid: {summary}", errors=errors) from exc


class QuestionView(OutputModel):
    """A question as staff see it: the current version, with its answer key."""

    id: str
    bankId: str
    version: int
    type: str
    prompt: str
    points: float
    tags: list[str]
    difficulty: str
    explanation: str | None = None
    options: list[dict[str, Any]] | None = None
    correct: list[str] | None = None
    partialCredit: bool | None = None
    answer: bool | None = None
    accepted: list[str] | None = None
    caseSensitive: bool | None = None
    normalizeWhitespace: bool | None = None
    rubric: list[dict[str, Any]] | None = None
    createdAt: str
    updatedAt: str


class BankCreate(InputModel):
    title: Title
    description: Annotated[str, StringConstraints(max_length=2000), MULTILINE] = ""


class BankView(OutputModel):
    id: str
    title: str
    description: str
    createdAt: str
    updatedAt: str


# --- quiz settings --------------------------------------------------------------------------------


class Pool(InputModel):
    """Draw ``count`` questions of a bank, optionally only those with every tag listed and the difficulty."""

    bankId: ResourceId
    count: Annotated[int, Field(ge=1, le=100)]
    tags: list[Tag] = Field(default_factory=list, max_length=5)
    difficulty: Difficulty | None = None


class QuizSettings(InputModel):
    pools: list[Pool] = Field(min_length=1, max_length=20)
    timeLimitSeconds: Annotated[int, Field(ge=30, le=24 * 3600)] | None = Field(default=None, description="null: none")
    attemptsAllowed: Annotated[int, Field(ge=1, le=100)] = 1
    passMark: Annotated[float, Field(ge=0, le=100, description="percent")] = 60.0
    shuffleQuestions: bool = True
    shuffleOptions: bool = True
    showCorrectAnswers: Literal["never", "after_submission"] = "never"

    @model_validator(mode="after")
    def _bounded(self) -> QuizSettings:
        if sum(p.count for p in self.pools) > 200:
            raise ValueError("a quiz draws at most 200 questions")
        return self


class QuizView(QuizSettings):
    model_config = ConfigDict(extra="ignore")  # built from the stored document, which holds more

    courseId: str
    lessonId: str
    updatedAt: str


# --- attempts -------------------------------------------------------------------------------------

AnswerValue = bool | Annotated[str, StringConstraints(max_length=20_000), MULTILINE] | list[OptionId] | None


class AnswersBody(InputModel):
    """Answers by question id: an option id (single choice), option ids (multiple choice), true or
    false, or text (short text, essay). Questions not named keep their saved answer; null clears one."""

    answers: dict[ResourceId, AnswerValue] = Field(max_length=200)


class CriterionScore(InputModel):
    criterionId: OptionId
    points: Annotated[float, Field(ge=0, le=1000)]


class EssayGrade(InputModel):
    questionId: ResourceId
    criteria: list[CriterionScore] = Field(min_length=1, max_length=20)
    comment: Annotated[str, StringConstraints(max_length=5000), MULTILINE] | None = None


class GradesBody(InputModel):
    grades: list[EssayGrade] = Field(min_length=1, max_length=200)
    reason: Reason | None = Field(default=None, description="required when a grade changes")


AttemptStatus = Literal["open", "awaiting_grading", "graded"]


class AttemptItemView(OutputModel):
    """A drawn question. Before grading: prompt, points and options only (in the attempt's order)."""

    questionId: str
    version: int
    type: str
    prompt: str
    points: float
    options: list[dict[str, Any]] | None = None
    awardedPoints: float | None = None
    key: dict[str, Any] | None = Field(default=None, description="the correct answer, when it may be shown")
    explanation: str | None = None
    grade: dict[str, Any] | None = Field(default=None, description="an essay's rubric grade")


class AttemptView(OutputModel):
    id: str
    courseId: str
    lessonId: str
    userId: str
    number: int = Field(description="1 for the learner's first attempt at this quiz")
    attemptsAllowed: int
    status: AttemptStatus
    startedAt: str
    deadline: str | None = Field(default=None, description="the server's deadline; null: no time limit")
    submittedAt: str | None = None
    expired: bool | None = Field(default=None, description="closed by the deadline, not by the learner")
    items: list[AttemptItemView]
    answers: dict[str, Any]
    score: float | None = Field(default=None, description="percent, once graded")
    points: float | None = None
    maxPoints: float | None = None
    passed: bool | None = None
    gradedAt: str | None = None


class AttemptSummary(OutputModel):
    """An attempt in a course's list (the grading queue): who, which quiz, where it stands, and the
    essays an Instructor still has to grade. No questions, answers or keys: open the attempt for those."""

    id: str
    courseId: str
    lessonId: str
    userId: str
    number: int = Field(description="1 for the learner's first attempt at this quiz")
    status: AttemptStatus
    startedAt: str
    submittedAt: str | None = Field(default=None, description="null while open")
    deadline: str | None = Field(default=None, description="the server's deadline; null: no time limit")
    expired: bool | None = Field(default=None, description="closed by the deadline, not by the learner")
    points: float | None = Field(
        default=None,
        description="awarded so far: objective items once submitted, each essay once graded; null while open",
    )
    maxPoints: float = Field(description="the points of every question drawn")
    score: float | None = Field(default=None, description="percent, once graded")
    passed: bool | None = None
    gradedAt: str | None = None
    essayQuestionIds: list[str] = Field(description="the attempt's essay questions")
    ungradedEssayQuestionIds: list[str] = Field(description="its essays without a grade yet (awaiting an Instructor)")
