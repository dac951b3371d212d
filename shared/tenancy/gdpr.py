"""GDPR use cases: export everything the platform holds about a user, and erase it.

No context reads another's documents, so each contributes its own part through two service
functions with the same signatures, ``export_user(platform, ctx, user_id) -> dict`` and
``erase_user(platform, ctx, user_id) -> None``, listed once in ``CONTRIBUTORS``. An erasure
deletes the user's own activity (enrollments, progress, attempts, notifications, the profile) and
replaces the user by a keyed pseudonym where a record must stay (a certificate's validity without
the name, an order, an audit entry, who wrote a course or graded an essay).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from shared.audit import service as audit_log
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.tenancy import users
from shared.tenancy.model import UserExport

__all__ = [
    "CONTRIBUTORS",
    "ERASED_ACTION",
    "EXPORTED_ACTION",
    "Contributor",
    "contributors",
    "erase_user",
    "export_user",
]

ExportFn = Callable[[Platform, TenantContext, str], dict[str, Any]]
EraseFn = Callable[[Platform, TenantContext, str], None]
Contributor = tuple[str, ExportFn, EraseFn]

EXPORTED_ACTION = "user.exported"
ERASED_ACTION = audit_log.ERASURE_ACTION


# Every context that holds personal data, in the order an erasure visits them: each module has
# ``export_user`` and ``erase_user``. A new context adds its one line before "audit". "audit" comes
# after every context that may re-key an audited subject; "profile" comes last, since the others read
# the user's email and name from it, and while it exists a failed erasure can be run again to finish.
CONTRIBUTORS: tuple[tuple[str, str], ...] = (
    ("enrollment", "shared.enrollment.service"),
    ("learning", "shared.learning.service"),
    ("assessment", "shared.assessment.service"),
    ("question_drafts", "shared.question_drafts.service"),
    ("credentials", "shared.credentials.service"),
    ("notifications", "shared.notifications.service"),
    ("media", "shared.media.service"),
    ("catalog", "shared.catalog.service"),
    ("reporting", "shared.reporting.service"),
    ("audit", "shared.audit.service"),
    ("profile", "shared.tenancy.users"),
)


def contributors() -> tuple[Contributor, ...]:
    """The contributors' export and erase functions, imported on first use (the contexts import
    tenancy themselves, so tenancy cannot import them at the top)."""
    found = []
    for name, module_name in CONTRIBUTORS:
        module = importlib.import_module(module_name)
        export: ExportFn = module.export_user
        erase: EraseFn = module.erase_user
        found.append((name, export, erase))
    return tuple(found)


def export_user(platform: Platform, ctx: TenantContext, user_id: str) -> UserExport:
    """Everything the tenant's platform holds about one of its users, per context; audited."""
    users.get_user(platform, ctx, user_id)  # NotFound: not a user of this tenant
    data = {name: export(platform, ctx, user_id) for name, export, _ in contributors()}
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
    names = []
    for name, _, erase in contributors():
        erase(platform, ctx, user_id)
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
