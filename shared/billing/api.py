"""HTTP route of usage billing: the tenant's metered usage of a month, for its admins and support."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.billing import service
from shared.billing.model import MONTH_PATTERN, UsageReport
from shared.http.deps import GuardedRoute, Services, TenantGuard
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1/usage", tags=["billing"], route_class=GuardedRoute)

Reader = Annotated[TenantContext, Depends(TenantGuard(Operation.USAGE_READ))]
Month = Annotated[
    str | None, Query(pattern=MONTH_PATTERN, description="the calendar month (UTC), YYYY-MM; the current one if absent")
]


@router.get("")
def read_usage(ctx: Reader, platform: Services, month: Month = None) -> UsageReport:
    return service.usage_report(platform, ctx, month)
