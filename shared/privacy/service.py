"""GDPR use cases: export everything the platform holds about a user, and erase it.

No context reads another's documents, so each contributes its own part through the ``PersonalData``
protocol (``shared/platform/personal_data.py``), registered by the composition root from the contexts'
specs (``platform.personal_data``, in the order ``CONTEXTS`` lists them). The user is resolved once
into an ``ErasedUser`` (id, pseudonym, and the email and name of their profile while it exists) that
every contributor receives. An erasure deletes the user's own activity (enrollments, progress,
attempts, notifications, the profile) and replaces the user by a keyed pseudonym where a record must
stay (a certificate's validity without the name, an order, an audit entry, who wrote a course or
graded an essay). Contributors run downstream first, then audit, and the profile last: while it
exists, a failed erasure can be run again to finish.
"""

from __future__ import annotations

from typing import Any

from shared.audit import service as audit_log
from shared.errors import NotFound
from shared.platform.personal_data import ErasedUser, pseudonym_of
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.privacy.model import UserExport
from shared.tenancy import users

__all__ = ["ERASED_ACTION", "EXPORTED_ACTION", "erase_user", "erased_user", "export_user"]

EXPORTED_ACTION = "user.exported"
ERASED_ACTION = audit_log.ERASURE_ACTION


def erased_user(platform: Platform, ctx: TenantContext, user_id: str) -> ErasedUser:
    """The identifiers of a user of the caller's tenant (email and name from their profile, while it exists)."""
    pseudonym = pseudonym_of(platform, ctx.tenant_id, user_id)
    try:
        profile, _ = users.get_user(platform, ctx, user_id)
    except NotFound:
        return ErasedUser(user_id=user_id, pseudonym=pseudonym)
    return ErasedUser(user_id=user_id, pseudonym=pseudonym, email=profile.email, display_name=profile.displayName)


def _merge(section: dict[str, Any], part: dict[str, Any]) -> None:
    """Add a contributor's part to its section of the archive (two contexts may share one: their lists join)."""
    for key, value in part.items():
        if isinstance(value, list) and isinstance(section.get(key), list):
            section[key] = [*section[key], *value]
        else:
            section[key] = value


def export_user(platform: Platform, ctx: TenantContext, user_id: str) -> UserExport:
    """Everything the tenant's platform holds about one of its users, per context; audited."""
    users.get_user(platform, ctx, user_id)  # NotFound: not a user of this tenant
    who = erased_user(platform, ctx, user_id)
    data: dict[str, dict[str, Any]] = {}
    for name, part in platform.personal_data:
        _merge(data.setdefault(part.section or name, {}), part.export_user(platform, ctx, who))
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
    who = erased_user(platform, ctx, user_id)
    names = []
    for name, part in platform.personal_data:
        part.erase_user(platform, ctx, who)
        names.append(name)
    # The erasure's own record names the user by pseudonym only: the controller proves the erasure of a
    # user by computing their pseudonym (a keyed digest of the tenant's) and finding this entry.
    audit_log.record(
        platform,
        ctx,
        action=ERASED_ACTION,
        subject_type="user",
        subject_id=who.pseudonym,
        after={"contexts": names},
        reason="personal data erasure (GDPR)",
    )
    # Entries the contributors wrote while erasing (an enrollment cancelled, a role removed) name the
    # user too: the audit log is pseudonymised once more, after them.
    audit_log.erase_user(platform, ctx, who)
