"""HTTP routes of assessment: question banks, quiz settings, attempts and their grading."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from shared.assessment import service
from shared.assessment.model import (
    AnswersBody,
    AttemptStatus,
    AttemptSummary,
    AttemptView,
    BankCreate,
    BankView,
    GradesBody,
    QuestionCreate,
    QuestionView,
    QuizSettings,
    QuizView,
)
from shared.http.deps import Continuation, GuardedRoute, Limit, Services, TenantGuard
from shared.kernel import RESOURCE_ID_PATTERN, Paged
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["assessment"], route_class=GuardedRoute)

IdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]


# Attempt and question routes leave out null fields: a learner's attempt before grading has
# no score or key field at all, rather than one that is null.
@router.post("/question-banks", status_code=201)
def create_bank(
    body: BankCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_BANK_EDIT))],
    platform: Services,
    response: Response,
) -> BankView:
    view = service.create_bank(platform, ctx, body)
    response.headers["Location"] = f"/api/v1/question-banks/{view.id}"
    return view


@router.get("/question-banks")
def list_banks(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_BANK_READ))],
    platform: Services,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[BankView]:
    return service.list_banks(platform, ctx, limit=limit, continuation=continuation)


@router.get("/question-banks/{bankId}")
def get_bank(
    bankId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_BANK_READ))],
    platform: Services,
) -> BankView:
    return service.get_bank(platform, ctx, bankId)


@router.post("/question-banks/{bankId}/questions", status_code=201, response_model_exclude_none=True)
def add_question(
    bankId: IdPath,
    body: QuestionCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_BANK_EDIT))],
    platform: Services,
) -> QuestionView:
    return service.add_question(platform, ctx, bankId, body)


@router.get("/question-banks/{bankId}/questions", response_model_exclude_none=True)
def list_questions(
    bankId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_BANK_READ))],
    platform: Services,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[QuestionView]:
    return service.list_questions(platform, ctx, bankId, limit=limit, continuation=continuation)


@router.put("/question-banks/{bankId}/questions/{questionId}", response_model_exclude_none=True)
def update_question(
    bankId: IdPath,
    questionId: IdPath,
    body: QuestionCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_BANK_EDIT))],
    platform: Services,
) -> QuestionView:
    return service.update_question(platform, ctx, bankId, questionId, body)


@router.put("/courses/{courseId}/lessons/{lessonId}/quiz")
def put_quiz(
    courseId: IdPath,
    lessonId: IdPath,
    body: QuizSettings,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUIZ_EDIT))],
    platform: Services,
) -> QuizView:
    return service.put_quiz(platform, ctx, courseId, lessonId, body)


@router.get("/courses/{courseId}/lessons/{lessonId}/quiz")
def get_quiz(
    courseId: IdPath,
    lessonId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUIZ_READ))],
    platform: Services,
) -> QuizView:
    return service.get_quiz(platform, ctx, courseId, lessonId)


@router.post(
    "/courses/{courseId}/lessons/{lessonId}/attempts",
    status_code=201,
    responses={200: {"description": "the learner's attempt still open at this quiz"}},
    response_model_exclude_none=True,
)
def start_attempt(
    courseId: IdPath,
    lessonId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ATTEMPT_START))],
    platform: Services,
    response: Response,
) -> AttemptView:
    view, started = service.start_attempt(platform, ctx, courseId, lessonId)
    response.status_code = 201 if started else 200
    response.headers["Location"] = f"/api/v1/attempts/{view.id}"
    response.headers["Cache-Control"] = "no-store"
    return view


@router.get("/courses/{courseId}/attempts")
def list_attempts(
    courseId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ATTEMPT_LIST))],
    platform: Services,
    response: Response,
    status: Annotated[AttemptStatus | None, Query(description="only attempts in this state")] = None,
    lessonId: Annotated[str | None, Query(pattern=RESOURCE_ID_PATTERN, description="only this quiz lesson's")] = None,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[AttemptSummary]:
    """The course's attempts, oldest submission first (the grading queue: ``status=awaiting_grading``);
    attempts still open have no submission and come first."""
    response.headers["Cache-Control"] = "no-store"
    return service.list_attempts(
        platform, ctx, courseId, status=status, lesson_id=lessonId, limit=limit, continuation=continuation
    )


@router.get("/attempts/{attemptId}", response_model_exclude_none=True)
def get_attempt(
    attemptId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ATTEMPT_READ))],
    platform: Services,
    response: Response,
) -> AttemptView:
    response.headers["Cache-Control"] = "no-store"
    return service.get_attempt(platform, ctx, attemptId)


@router.put("/attempts/{attemptId}/answers", response_model_exclude_none=True)
def save_answers(
    attemptId: IdPath,
    body: AnswersBody,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ATTEMPT_ANSWER))],
    platform: Services,
) -> AttemptView:
    return service.save_answers(platform, ctx, attemptId, body)


@router.post("/attempts/{attemptId}/submit", response_model_exclude_none=True)
def submit_attempt(
    attemptId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ATTEMPT_ANSWER))],
    platform: Services,
) -> AttemptView:
    return service.submit_attempt(platform, ctx, attemptId)


@router.post("/attempts/{attemptId}/grades", response_model_exclude_none=True)
def grade_attempt(
    attemptId: IdPath,
    body: GradesBody,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ATTEMPT_GRADE))],
    platform: Services,
) -> AttemptView:
    return service.grade_essays(platform, ctx, attemptId, body)
