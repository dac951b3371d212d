"""The privacy context on its own, with fake contributors: who is asked in which order, the one
``ErasedUser`` every contributor gets, what an erasure refuses, and the audit entries of an export,
an erasure and a retention sweep."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.audit import service as audit_log
from shared.audit.model import AuditEntry
from shared.errors import Conflict, NotFound
from shared.platform.clock import ManualClock
from shared.platform.identity import Principal
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions, pseudonym_of
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.privacy import retention
from shared.privacy import service as privacy
from shared.roles import Role
from shared.tenancy import service as tenancy
from shared.tenancy import users
from shared.tenancy.model import FirstAdmin, Retention, TenantCreate, UserCreate

TENANT = "privacy-unit"
ADMIN = TenantContext(tenant_id=TENANT, user_id="boss", roles=frozenset({Role.TENANT_ADMIN}))
ROOT = Principal(user_id="root", tenant_id=None, roles=frozenset({Role.SUPER_ADMIN}))
FAKES = ("enrollment", "learning", "assessment", "notifications", "media")
# What each fake purges, as the retention entry names it (enrollment keeps no activity detail).
ACTIVITY = {"learning": "progress", "assessment": "attempts", "notifications": "notifications", "media": "media"}


class Calls:
    """Every call the fake contributors receive, in order."""

    def __init__(self) -> None:
        self.made: list[tuple[str, str, Any]] = []

    def contributor(self, name: str, purges: int = 0) -> PersonalDataFunctions:
        def export(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
            self.made.append((name, "export", who))
            return {"from": name}

        def erase(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
            self.made.append((name, "erase", who))

        def purge(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
            self.made.append((name, "purge", cutoff))
            return purges

        return PersonalDataFunctions(
            export_user=export, erase_user=erase, purge_activity_before=purge, activity=ACTIVITY.get(name)
        )


@pytest.fixture
def calls() -> Calls:
    return Calls()


def with_contributors(platform: Platform, calls: Calls, purges: dict[str, int] | None = None) -> Platform:
    """The platform with the fakes registered, then the real audit and profile contributors (last)."""
    fakes = [(name, calls.contributor(name, (purges or {}).get(name, 0))) for name in FAKES]
    registered = (*fakes, ("audit", audit_log.PERSONAL_DATA), ("profile", users.PERSONAL_DATA))
    return dataclasses.replace(platform, personal_data=registered)


@pytest.fixture
def tenant(platform: Platform) -> Platform:
    admin = FirstAdmin(id="boss", email="boss@example.com", displayName="Big Boss")
    tenancy.create_tenant(platform, ROOT, TenantCreate(id=TENANT, name="Privacy", admin=admin))
    users.create_user(platform, ADMIN, UserCreate(id="ann", email="ann.lee@example.com", displayName="Ann Lee"))
    return platform


def entries(platform: Platform, action: str) -> list[AuditEntry]:
    return audit_log.list_entries(platform, ADMIN, action=action).items


def test_the_user_is_resolved_once_from_the_profile_and_the_platform_key(tenant: Platform) -> None:
    who = privacy.erased_user(tenant, ADMIN, "ann")
    assert who == ErasedUser(
        user_id="ann",
        pseudonym=pseudonym_of(tenant, TENANT, "ann"),
        email="ann.lee@example.com",
        display_name="Ann Lee",
    )
    # A user without a profile is still looked for by id, under the same kind of pseudonym.
    assert privacy.erased_user(tenant, ADMIN, "ghost") == ErasedUser(
        user_id="ghost", pseudonym=pseudonym_of(tenant, TENANT, "ghost")
    )


def test_an_export_asks_every_contributor_in_order_with_the_same_user_and_is_audited(
    tenant: Platform, calls: Calls
) -> None:
    platform = with_contributors(tenant, calls)
    archive = privacy.export_user(platform, ADMIN, "ann")
    who = privacy.erased_user(platform, ADMIN, "ann")
    assert calls.made == [(name, "export", who) for name in FAKES]
    assert list(archive.data) == [*FAKES, "audit", "profile"]
    assert archive.data["learning"] == {"from": "learning"}
    assert archive.data["profile"]["profile"]["email"] == "ann.lee@example.com"
    assert (archive.tenantId, archive.userId, archive.format) == (TENANT, "ann", "lms-personal-data/1")
    [entry] = entries(platform, privacy.EXPORTED_ACTION)
    assert (entry.action, entry.subjectType, entry.subjectId, entry.actorId) == ("user.exported", "user", "ann", "boss")
    assert entry.after == {"contexts": sorted([*FAKES, "audit", "profile"])}
    assert entry.reason == "personal data export (GDPR)"


def test_an_export_of_someone_the_tenant_does_not_hold_is_not_found_and_asks_nobody(
    tenant: Platform, calls: Calls
) -> None:
    with pytest.raises(NotFound):
        privacy.export_user(with_contributors(tenant, calls), ADMIN, "ghost")
    assert calls.made == []


def test_an_erasure_visits_every_contributor_in_order_with_the_user_resolved_before_the_profile_goes(
    tenant: Platform, calls: Calls
) -> None:
    platform = with_contributors(tenant, calls)
    who = privacy.erased_user(platform, ADMIN, "ann")
    privacy.erase_user(platform, ADMIN, "ann")
    assert calls.made == [(name, "erase", who) for name in FAKES]
    assert all(seen.email == "ann.lee@example.com" for _, _, seen in calls.made)
    with pytest.raises(NotFound):
        users.get_user(platform, ADMIN, "ann")  # the profile contributor ran last
    [entry] = entries(platform, privacy.ERASED_ACTION)
    assert (entry.action, entry.subjectType, entry.subjectId) == ("user.erased", "user", who.pseudonym)
    assert entry.after == {"contexts": [*FAKES, "audit", "profile"]}
    assert entry.reason == "personal data erasure (GDPR)"
    # No entry names the user any more, the erasure's own included: it names the pseudonym.
    assert audit_log.list_entries(platform, ADMIN, subject_id="ann").items == []
    with pytest.raises(NotFound):
        privacy.erase_user(platform, ADMIN, "ann")  # a second erasure: unknown, like a stranger


def test_the_last_active_tenant_admin_cannot_be_erased_and_nobody_is_asked(tenant: Platform, calls: Calls) -> None:
    with pytest.raises(Conflict):
        privacy.erase_user(with_contributors(tenant, calls), ADMIN, "boss")
    assert calls.made == []


def test_retention_asks_every_contributor_to_purge_before_the_activity_cutoff_and_audits_what_went(
    tenant: Platform, calls: Calls, clock: ManualClock
) -> None:
    platform = with_contributors(tenant, calls, {"learning": 3, "media": 2})
    [view] = tenancy.list_tenants(platform, limit=10, continuation=None).items
    purged = retention.apply_retention(platform, view)
    cutoff = clock.now() - timedelta(days=Retention().activityDays)
    assert calls.made == [(name, "purge", cutoff) for name in FAKES if name in ACTIVITY]
    # The log names each contributor's activity detail as the contributor calls it.
    assert purged == {"auditEntries": 0, "progress": 3, "attempts": 0, "notifications": 0, "media": 2}
    [entry] = entries(platform, retention.RETENTION_ACTION)
    assert (entry.action, entry.subjectType, entry.subjectId) == ("retention.applied", "tenant", TENANT)
    assert entry.actorId == "system:retention"
    assert entry.after == {
        "purged": purged,
        "auditBefore": (clock.now() - timedelta(days=Retention().auditDays)).isoformat(),
        "activityBefore": cutoff.isoformat(),
    }
    assert entry.reason == f"retention: audit {Retention().auditDays} days, activity {Retention().activityDays} days"


def test_a_retention_that_removes_nothing_leaves_no_entry_and_the_sweep_counts_every_tenant(
    tenant: Platform, calls: Calls
) -> None:
    assert retention.sweep_retention(with_contributors(tenant, calls)) == 0
    assert entries(tenant, retention.RETENTION_ACTION) == []
    assert retention.sweep_retention(with_contributors(tenant, Calls(), {"notifications": 4, "assessment": 1})) == 5
    assert len(entries(tenant, retention.RETENTION_ACTION)) == 1
