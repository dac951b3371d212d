"""HTTP routes of learning: progress batches, a learner's progress, completion policies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from shared.http.deps import GuardedRoute, Services, TenantGuard
from shared.kernel import RESOURCE_ID_PATTERN, USER_ID_PATTERN
from shared.learning import service
from shared.learning.model import Batch, BatchReceipt, CompletionPolicy, ManualCompletion
from shared.learning.read_models import CourseProgressView
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["learning"], route_class=GuardedRoute)

CourseIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
UserIdPath = Annotated[str, Path(pattern=USER_ID_PATTERN)]


@router.post("/progress")
def record_progress(
    body: Batch,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PROGRESS_RECORD))],
    platform: Services,
) -> BatchReceipt:
    return service.ingest_batch(platform, ctx, body)


@router.get("/me/courses/{courseId}/progress")
def my_progress(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PROGRESS_READ_OWN))],
    platform: Services,
) -> CourseProgressView:
    return service.learner_progress(platform, ctx, courseId, ctx.user_id)


@router.get("/courses/{courseId}/progress/{userId}")
def learner_progress(
    courseId: CourseIdPath,
    userId: UserIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PROGRESS_READ))],
    platform: Services,
) -> CourseProgressView:
    return service.learner_progress(platform, ctx, courseId, userId)


@router.post("/courses/{courseId}/progress/{userId}/complete")
def complete_manually(
    courseId: CourseIdPath,
    userId: UserIdPath,
    body: ManualCompletion,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.PROGRESS_COMPLETE))],
    platform: Services,
) -> CourseProgressView:
    return service.manual_completion(platform, ctx, courseId, userId, body)


@router.get("/courses/{courseId}/completion-policy")
def get_policy(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.POLICY_READ))],
    platform: Services,
) -> CompletionPolicy:
    return service.course_policy(platform, ctx, courseId)


@router.put("/courses/{courseId}/completion-policy")
def set_policy(
    courseId: CourseIdPath,
    body: CompletionPolicy,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.POLICY_EDIT))],
    platform: Services,
) -> CompletionPolicy:
    return service.set_policy(platform, ctx, courseId, body)
