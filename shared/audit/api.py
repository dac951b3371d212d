"""HTTP routes of the audit log (read only: nothing edits or deletes an entry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.audit import service
from shared.audit.model import AuditEntry
from shared.http.deps import Continuation, GuardedRoute, Limit, Services, TenantGuard
from shared.kernel import Paged
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["audit"], route_class=GuardedRoute)


@router.get("/audit")
def list_audit(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.AUDIT_READ))],
    platform: Services,
    action: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z._]+$")] = None,
    subjectId: Annotated[str | None, Query(max_length=255)] = None,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[AuditEntry]:
    return service.list_entries(
        platform, ctx, action=action, subject_id=subjectId, limit=limit, continuation=continuation
    )
