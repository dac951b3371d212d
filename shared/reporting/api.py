"""HTTP routes of reporting: a course's report for its instructors, admins and support."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from shared.http.deps import GuardedRoute, Services, TenantGuard
from shared.kernel import RESOURCE_ID_PATTERN
from shared.platform.tenancy import TenantContext
from shared.reporting import service
from shared.reporting.read_models import CourseReport
from shared.roles import Operation

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], route_class=GuardedRoute)

CourseIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]


@router.get("/courses/{courseId}")
def course_report(
    courseId: CourseIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.REPORT_READ))],
    platform: Services,
) -> CourseReport:
    return service.course_report_of(platform, ctx, courseId)
