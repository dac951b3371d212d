"""Recording and reading the audit log. Entries are only ever created, never changed."""

from __future__ import annotations

from typing import Any

from shared.audit.model import AUDIT, NEWEST_FIRST, AuditEntry
from shared.bootstrap import Platform
from shared.kernel import Paged
from shared.observability import correlation_id
from shared.platform.documents import Filter
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = ["list_entries", "record"]


def record(
    platform: Platform,
    ctx: TenantContext,
    *,
    action: str,
    subject_type: str,
    subject_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry to the tenant's audit log."""
    entry = AuditEntry(
        id=platform.ids.new_id(),
        at=platform.clock.now().isoformat(),
        actorId=ctx.user_id,
        actorRoles=sorted(ctx.roles),
        action=action,
        subjectType=subject_type,
        subjectId=subject_id,
        before=before,
        after=after,
        reason=reason,
        correlationId=correlation_id.get(),
    )
    TenantDocuments(platform.documents, AUDIT, ctx).create(entry.model_dump())
    return entry


def list_entries(
    platform: Platform,
    ctx: TenantContext,
    *,
    action: str | None = None,
    subject_id: str | None = None,
    limit: int = 50,
    continuation: str | None = None,
) -> Paged[AuditEntry]:
    """The tenant's audit log, newest first, optionally for one action or subject."""
    filters = []
    if action:
        filters.append(Filter("action", "eq", action))
    if subject_id:
        filters.append(Filter("subjectId", "eq", subject_id))
    page = TenantDocuments(platform.documents, AUDIT, ctx).query(
        filters,
        order_by=NEWEST_FIRST,
        limit=limit,
        continuation=continuation,
    )
    return Paged[AuditEntry](items=[AuditEntry.model_validate(d) for d in page.items], continuation=page.continuation)
