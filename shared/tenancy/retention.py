"""Retention: each tenant keeps its audit log and its learners' activity detail only as long as its
settings say (``retention`` of PATCH /api/v1/tenant, audited like every setting), enforced by a daily
sweep: the local worker's ``retention-sweep`` upkeep, and the timer trigger of functions/retention.py.

The sweep, not a per-document time to live, deletes audit entries, for three reasons. A document's TTL
counts from its last write, and an audit entry is rewritten when an erasure pseudonymises it, which
would restart its clock. A changed retention would have to rewrite every entry of the tenant to move
its expiry, breaking the rule that nothing but the sweep touches the log. And the sweep can say in the
log itself what it removed. It deletes the entries made before the cutoff and is the log's only deleter.

Activity detail has no single container: each context that holds some provides
``purge_activity_before(platform, ctx, cutoff) -> int`` (contexts never read each other's documents),
listed once in ``PURGERS`` and documented in its module: notifications, the answers of graded
attempts, and the watched intervals and batch ids of completed courses' progress (scores, states and
percentages stay). Every purger is idempotent, so a sweep that fails half way is simply run again.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from shared.audit import service as audit_log
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.tenancy import service as tenancy
from shared.tenancy.model import TenantView

__all__ = ["PURGERS", "RETENTION_ACTION", "SWEEP_EVERY_SECONDS", "apply_retention", "sweep_retention"]

log = logging.getLogger("lms.tenancy.retention")

SWEEPER = "system:retention"
RETENTION_ACTION = "retention.applied"
SWEEP_EVERY_SECONDS = 24 * 3600.0
TENANT_PAGE = 100

PurgeFn = Callable[[Platform, TenantContext, datetime], int]

# Every context that keeps activity detail, with the module whose ``purge_activity_before`` removes it.
PURGERS: tuple[tuple[str, str], ...] = (
    ("notifications", "shared.notifications.service"),
    ("attempts", "shared.assessment.service"),
    ("progress", "shared.learning.retention"),
)


def _purgers() -> list[tuple[str, PurgeFn]]:
    """The purge functions, imported on first use (the contexts import tenancy themselves)."""
    found = []
    for name, module_name in PURGERS:
        purge: PurgeFn = importlib.import_module(module_name).purge_activity_before
        found.append((name, purge))
    return found


def apply_retention(platform: Platform, tenant: TenantView) -> dict[str, int]:
    """Delete what the tenant keeps longer than its retention allows; return how much, per kind.
    When anything went, the tenant's audit log records it (after the audit purge, so it stays)."""
    ctx = TenantContext(tenant_id=tenant.id, user_id=SWEEPER, roles=frozenset())
    now = platform.clock.now()
    audit_cutoff = now - timedelta(days=tenant.retention.auditDays)
    activity_cutoff = now - timedelta(days=tenant.retention.activityDays)
    purged = {"auditEntries": audit_log.purge_before(platform, ctx, audit_cutoff)}
    for name, purge in _purgers():
        purged[name] = purge(platform, ctx, activity_cutoff)
    if any(purged.values()):
        audit_log.record(
            platform,
            ctx,
            action=RETENTION_ACTION,
            subject_type="tenant",
            subject_id=tenant.id,
            after={
                "purged": purged,
                "auditBefore": audit_cutoff.isoformat(),
                "activityBefore": activity_cutoff.isoformat(),
            },
            reason=f"retention: audit {tenant.retention.auditDays} days, activity {tenant.retention.activityDays} days",
        )
    return purged


def sweep_retention(platform: Platform) -> int:
    """Apply every tenant's retention (a platform operation: it lists the tenants); return how many
    documents lost their detail or were deleted."""
    total, continuation = 0, None
    while True:
        page = tenancy.list_tenants(platform, limit=TENANT_PAGE, continuation=continuation)
        for tenant in page.items:
            purged = apply_retention(platform, tenant)
            if any(purged.values()):
                log.info("retention applied", extra={"tenantId": tenant.id, **purged})
            total += sum(purged.values())
        if page.continuation is None:
            return total
        continuation = page.continuation
