"""HTTP routes of the question drafts review queue: generate, list, read, approve, reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from shared.http.deps import Continuation, GuardedRoute, Limit, Services, TenantGuard
from shared.kernel import RESOURCE_ID_PATTERN, Paged
from shared.platform.tenancy import TenantContext
from shared.question_drafts import service as drafts
from shared.question_drafts.model import (
    DraftApproval,
    DraftBatch,
    DraftRejection,
    DraftRequest,
    DraftStatus,
    DraftView,
)
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["assessment"], route_class=GuardedRoute)

IdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
Reviewer = Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_DRAFT_REVIEW))]
Reader = Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_DRAFT_READ))]


@router.post("/courses/{courseId}/lessons/{lessonId}/question-drafts", status_code=201)
def generate_drafts(
    courseId: IdPath,
    lessonId: IdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.QUESTION_DRAFT_GENERATE))],
    platform: Services,
    body: DraftRequest | None = None,
) -> DraftBatch:
    """Draft candidate questions from the lesson's transcript into the review queue
    (the tenant's ``ai_question_drafts`` flag must be on; 422 when the lesson has no transcript)."""
    items = drafts.generate_drafts(platform, ctx, courseId, lessonId, body or DraftRequest())
    return DraftBatch(items=items)


@router.get("/question-drafts")
def list_drafts(
    ctx: Reader,
    platform: Services,
    status: Annotated[DraftStatus | None, Query(description="only drafts in this state")] = None,
    courseId: Annotated[
        str | None, Query(pattern=RESOURCE_ID_PATTERN, description="only drafts of this course")
    ] = None,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[DraftView]:
    """The review queue, newest first."""
    return drafts.list_drafts(platform, ctx, status=status, course_id=courseId, limit=limit, continuation=continuation)


@router.get("/question-drafts/{draftId}")
def get_draft(draftId: IdPath, ctx: Reader, platform: Services) -> DraftView:
    """One draft, with its proposed question and review state."""
    return drafts.get_draft(platform, ctx, draftId)


@router.post("/question-drafts/{draftId}/approve")
def approve_draft(draftId: IdPath, body: DraftApproval, ctx: Reviewer, platform: Services) -> DraftView:
    """Add the question (as drafted, or as edited in ``question``) to a bank; 409 once decided."""
    return drafts.approve_draft(platform, ctx, draftId, body)


@router.post("/question-drafts/{draftId}/reject")
def reject_draft(draftId: IdPath, body: DraftRejection, ctx: Reviewer, platform: Services) -> DraftView:
    """Turn the draft down with a reason; 409 once decided."""
    return drafts.reject_draft(platform, ctx, draftId, body)
