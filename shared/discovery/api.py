"""HTTP routes of discovery: search the caller's tenant's published courses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from shared.discovery import service
from shared.discovery.model import CourseQuery, CourseSearchResults
from shared.http.deps import GuardedRoute, Services, TenantGuard
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["discovery"], route_class=GuardedRoute)


@router.get("/search")
def search_courses(
    query: Annotated[CourseQuery, Query()],
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.SEARCH))],
    platform: Services,
    response: Response,
) -> CourseSearchResults:
    """Full-text search over the tenant's published courses, with filters and highlights."""
    # Results differ per tenant and change whenever a course is published: never shared, always revalidated.
    response.headers["Cache-Control"] = "private, no-cache"
    return service.search_courses(platform, ctx, query)
