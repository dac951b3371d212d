"""Privacy use cases: export everything the platform holds about a user, erase it, and apply each
tenant's retention.

No context reads another's documents, so each contributes its own part through a ``PersonalData``
(``shared/platform/personal_data.py``): ``export_user``, ``erase_user`` and ``purge_activity_before``.
The composition root registers the contributions on the platform (``platform.personal_data``), in the
order an erasure visits them: "audit" comes after every context that may re-key an audited subject;
"profile" (tenancy's users) comes last, since while it exists a failed erasure can be run again to
finish. The user is resolved once into an ``ErasedUser`` (their pseudonym, and the email and name of
their profile) and handed to every contributor. An erasure deletes the user's own activity
(enrollments, progress, attempts, notifications, the profile) and replaces the user by a keyed
pseudonym where a record must stay (a certificate's validity without the name, an order, an audit
entry, who wrote a course or graded an essay).

Retention: each tenant keeps its audit log and its learners' activity detail only as long as its
settings say (``retention`` of PATCH /api/v1/tenant, audited like every setting), enforced by a daily
sweep: the local worker's ``retention-sweep`` upkeep, and the timer trigger of functions/retention.py.

The sweep, not a per-document time to live, deletes audit entries, for three reasons. A document's TTL
counts from its last write, and an audit entry is rewritten when an erasure pseudonymises it, which
would restart its clock. A changed retention would have to rewrite every entry of the tenant to move
its expiry, breaking the rule that nothing but the sweep touches the log. And the sweep can say in the
log itself what it removed. It deletes the entries made before the cutoff and is the log's only deleter.

Activity detail has no single container: each contributor's ``purge_activity_before`` removes its own
(notifications, the answers of graded attempts, and the watched intervals and batch ids of completed
courses' progress; scores, states and percentages stay); a contributor without any purges nothing.
Every purge is idempotent, so a sweep that fails half way is simply run again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from shared.audit import service as audit_log
from shared.errors import NotFound
from shared.platform.personal_data import ErasedUser, pseudonym_of
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, system_context
from shared.privacy.model import UserExport
from shared.tenancy import service as tenancy
from shared.tenancy import users
from shared.tenancy.model import TenantView

__all__ = [
    "ACTIVITY_DETAIL",
    "ERASED_ACTION",
    "EXPORTED_ACTION",
    "RETENTION_ACTION",
    "SWEEP_EVERY_SECONDS",
    "apply_retention",
    "erase_user",
    "erased_user",
    "export_user",
    "sweep_retention",
]

log = logging.getLogger("lms.privacy")

EXPORTED_ACTION = "user.exported"
ERASED_ACTION = audit_log.ERASURE_ACTION
RETENTION_ACTION = "retention.applied"

SWEEPER = "system:retention"
SWEEP_EVERY_SECONDS = 24 * 3600.0
TENANT_PAGE = 100

# What the retention entry calls the activity detail of the contributors that keep some (the names
# the tenants' audit logs have always used); it reports these even when they purged nothing, and any
# other contributor under its own name when it purged something.
ACTIVITY_DETAIL: dict[str, str] = {"notifications": "notifications", "assessment": "attempts", "learning": "progress"}


def erased_user(platform: Platform, ctx: TenantContext, user_id: str) -> ErasedUser:
    """The identifiers of a user of the caller's tenant (email and name from their profile, while it exists)."""
    pseudonym = pseudonym_of(platform, ctx.tenant_id, user_id)
    try:
        profile, _ = users.get_user(platform, ctx, user_id)
    except NotFound:
        return ErasedUser(user_id=user_id, pseudonym=pseudonym)
    return ErasedUser(user_id=user_id, pseudonym=pseudonym, email=profile.email, display_name=profile.displayName)


# --- GDPR -----------------------------------------------------------------------------------------


def export_user(platform: Platform, ctx: TenantContext, user_id: str) -> UserExport:
    """Everything the tenant's platform holds about one of its users, per context; audited."""
    users.get_user(platform, ctx, user_id)  # NotFound: not a user of this tenant
    who = erased_user(platform, ctx, user_id)
    data = {name: contributor.export_user(platform, ctx, who) for name, contributor in platform.personal_data}
    archive = UserExport(tenantId=ctx.tenant_id, userId=user_id, exportedAt=platform.clock.now().isoformat(), data=data)
    audit_log.record(
        platform,
        ctx,
        action=EXPORTED_ACTION,
        subject_type="user",
        subject_id=user_id,
        after={"contexts": sorted(data)},
        reason="personal data export (GDPR)",
    )
    return archive


def erase_user(platform: Platform, ctx: TenantContext, user_id: str) -> None:
    """Erase a user of the tenant from every context, keeping only what the law requires; audited.
    Afterwards the user is unknown: a second erasure is ``NotFound``, like a user never registered."""
    users.ensure_erasable(platform, ctx, user_id)
    # Resolved before any contributor runs: the profile, which holds the email and name, goes last.
    who = erased_user(platform, ctx, user_id)
    names = []
    for name, contributor in platform.personal_data:
        contributor.erase_user(platform, ctx, who)
        names.append(name)
    # The one record that still names the user: the law asks the controller to prove the erasure.
    audit_log.record(
        platform,
        ctx,
        action=ERASED_ACTION,
        subject_type="user",
        subject_id=user_id,
        after={"contexts": names},
        reason="personal data erasure (GDPR)",
    )


# --- retention ------------------------------------------------------------------------------------


def apply_retention(platform: Platform, tenant: TenantView) -> dict[str, int]:
    """Delete what the tenant keeps longer than its retention allows; return how much, per kind.
    When anything went, the tenant's audit log records it (after the audit purge, so it stays)."""
    ctx = system_context(tenant.id, SWEEPER)
    now = platform.clock.now()
    audit_cutoff = now - timedelta(days=tenant.retention.auditDays)
    activity_cutoff = now - timedelta(days=tenant.retention.activityDays)
    purged = {"auditEntries": audit_log.purge_before(platform, ctx, audit_cutoff)}
    for name, contributor in platform.personal_data:
        count = contributor.purge_activity_before(platform, ctx, activity_cutoff)
        if count or name in ACTIVITY_DETAIL:
            kind = ACTIVITY_DETAIL.get(name, name)
            purged[kind] = purged.get(kind, 0) + count
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
