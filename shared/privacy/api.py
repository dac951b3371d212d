"""HTTP routes of privacy: a user's personal data export and erasure (GDPR)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from shared.http.deps import GuardedRoute, Services, TenantGuard
from shared.kernel import USER_ID_PATTERN
from shared.platform.tenancy import TenantContext
from shared.privacy import service
from shared.privacy.model import UserExport
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["privacy"], route_class=GuardedRoute)

UserIdPath = Annotated[str, Path(pattern=USER_ID_PATTERN)]


@router.get("/users/{userId}/export")
def export_user(
    userId: UserIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.USER_EXPORT))],
    platform: Services,
    response: Response,
) -> UserExport:
    """Everything the platform holds about the user, as one JSON archive (GDPR); audited."""
    archive = service.export_user(platform, ctx, userId)
    response.headers["Content-Disposition"] = f'attachment; filename="personal-data-{userId}.json"'
    response.headers["Cache-Control"] = "no-store"
    return archive


@router.delete(
    "/users/{userId}",
    status_code=204,
    responses={404: {"description": "Not a user of the tenant, or already erased"}},
)
def erase_user(
    userId: UserIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.USER_ERASE))],
    platform: Services,
) -> Response:
    """Erase the user's personal data from every context (GDPR); audited. Certificates stay verifiable
    without the holder's name. Cannot be undone: a second erasure answers 404, like an unknown user."""
    service.erase_user(platform, ctx, userId)
    return Response(status_code=204)
