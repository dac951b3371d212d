"""Recording and reading the audit log. Entries are only ever created, never changed (but for an
erasure, which replaces the erased user by their pseudonym)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.audit.model import AUDIT, NEWEST_FIRST, AuditEntry, AuditRecord
from shared.kernel import Paged
from shared.observability import correlation_id
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
)
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = [
    "ERASURE_ACTION",
    "PERSONAL_DATA",
    "erase_user",
    "export_user",
    "list_entries",
    "purge_before",
    "record",
    "rename_subject",
]

PURGE_PAGE = 100

# The action of an erasure's own entry, which names the erased user by their pseudonym (the tenant can
# prove an erasure of a given user by computing that user's pseudonym with the tenant's key).
ERASURE_ACTION = "user.erased"

Entries = TenantDocuments[AuditRecord]


def _docs(platform: Platform, ctx: TenantContext) -> Entries:
    return TenantDocuments(platform.documents, AUDIT, ctx, AuditRecord)


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
    entry = AuditRecord(
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
    _docs(platform, ctx).create(entry)
    return entry.entry()


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
    page = _docs(platform, ctx).query(
        filters,
        order_by=NEWEST_FIRST,
        limit=limit,
        continuation=continuation,
    )
    return Paged[AuditEntry](items=[d.entry() for d in page.items], continuation=page.continuation)


def purge_before(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    """Delete the tenant's entries made before ``cutoff`` (its audit retention); return how many.
    The retention sweep (shared/privacy/service.py) is the only caller: nothing else deletes an entry."""
    docs, purged = _docs(platform, ctx), 0
    expired = [Filter("at", "lt", cutoff.isoformat())]
    while True:
        # Each round reads from the start: deleting takes the entries out of the filter.
        page = docs.query(expired, limit=PURGE_PAGE)
        for doc in page.items:
            docs.delete(doc.id)
        purged += len(page.items)
        if len(page.items) < PURGE_PAGE:
            return purged


# --- personal data: the audit log's part of an export and an erasure (shared/privacy/service.py) ---


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """Every audit entry about the user or made by them, newest first."""
    entries = [doc.entry() for doc in documents_mentioning(_docs(platform, ctx), who)]
    entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    return {"entries": [e.model_dump() for e in entries]}


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep every entry (the log stays complete) with the user replaced by their pseudonym; no entry
    names the user after an erasure, the erasure's own included (user ids can be email addresses)."""
    erase_mentions(_docs(platform, ctx), who)


def rename_subject(platform: Platform, ctx: TenantContext, subject_type: str, old_id: str, new_id: str) -> None:
    """Point the entries about a subject at its new id (an erasure re-keys ids derived from a user's id)."""
    docs = _docs(platform, ctx)
    filters = [Filter("subjectType", "eq", subject_type), Filter("subjectId", "eq", old_id)]
    while True:
        page = docs.query(filters, limit=100)
        for doc in page.items:
            docs.replace(doc.model_copy(update={"subjectId": new_id}), if_match=doc.etag)
        if len(page.items) < 100:
            return


# No purge of activity: the retention sweep deletes old entries itself (``purge_before``, by audit days).
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
