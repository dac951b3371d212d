"""HTTP routes of enrollment: enrolling, rosters, the caller's enrollments, staff changes,
the CSV import and the payment provider's webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool

from shared.enrollment import imports, payments, service
from shared.enrollment.model import (
    EnrollmentPatch,
    EnrollmentStatus,
    EnrollmentView,
    EnrollRequest,
    ImportReport,
    PaidOrder,
    WebhookReceipt,
)
from shared.errors import InvalidInput
from shared.http.deps import PUBLIC, Continuation, GuardedRoute, IfMatch, Limit, Services, TenantGuard
from shared.kernel import RESOURCE_ID_PATTERN, USER_ID_PATTERN, Paged
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["enrollment"], route_class=GuardedRoute)

CourseIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
UserIdPath = Annotated[str, Path(pattern=USER_ID_PATTERN)]
ALREADY_ENROLLED: dict[int | str, dict[str, Any]] = {
    200: {"description": "Already enrolled: the existing enrollment, unchanged", "model": EnrollmentView}
}
CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": f"a CSV file with the header {','.join(imports.COLUMNS)} (due date: YYYY-MM-DD, optional)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
# The webhook reads its raw body (the signature covers the exact bytes), so its schema is
# published here rather than parsed by FastAPI.
WEBHOOK_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": PaidOrder.model_json_schema()}}}
}


@router.post("/courses/{courseId}/enrollments", status_code=201, responses=ALREADY_ENROLLED)
def enroll(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ENROLL))],
    platform: Services,
    response: Response,
    body: Annotated[EnrollRequest | None, Body()] = None,
) -> EnrollmentView:
    view, enrolled = service.enroll(platform, ctx, courseId, body or EnrollRequest())
    if not enrolled:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/courses/{view.courseId}/enrollments/{view.userId}"
    return view


@router.get("/courses/{courseId}/enrollments")
def list_roster(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ROSTER_READ))],
    platform: Services,
    status: EnrollmentStatus | None = None,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[EnrollmentView]:
    return service.list_roster(platform, ctx, courseId, status=status, limit=limit, continuation=continuation)


@router.patch("/courses/{courseId}/enrollments/{userId}")
def change_enrollment(
    courseId: CourseIdPath,
    userId: UserIdPath,
    body: EnrollmentPatch,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ENROLLMENT_MANAGE))],
    platform: Services,
    response: Response,
    if_match: IfMatch = None,
) -> EnrollmentView:
    view, etag = service.change_enrollment(platform, ctx, courseId, userId, body, if_match=if_match)
    response.headers["ETag"] = etag
    return view


@router.get("/me/enrollments")
def list_my_enrollments(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.MY_ENROLLMENTS))],
    platform: Services,
    status: EnrollmentStatus | None = None,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[EnrollmentView]:
    return service.list_my_enrollments(platform, ctx, status=status, limit=limit, continuation=continuation)


@router.post("/enrollments/import", openapi_extra=CSV_BODY)
async def import_enrollments(
    request: Request,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.ENROLLMENT_IMPORT))],
    platform: Services,
) -> ImportReport:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "text/csv":
        raise InvalidInput("send the file as text/csv")
    raw = await request.body()  # bounded by the edge's request size limit (413 beyond it)
    return await run_in_threadpool(imports.import_enrollments, platform, ctx, raw)


@router.post("/webhooks/payments", openapi_extra={**PUBLIC, **WEBHOOK_BODY})
async def payments_webhook(
    request: Request,
    platform: Services,
    signature: Annotated[str | None, Header(alias=payments.SIGNATURE_HEADER, max_length=1024)] = None,
) -> WebhookReceipt:
    raw = await request.body()
    return await run_in_threadpool(payments.handle_order, platform, raw, signature)
