"""Tenants and users: their shapes and the pure rules about them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.kernel import (
    Email,
    HttpsUrl,
    InputModel,
    OutputModel,
    PatchModel,
    Reason,
    ShortText,
    TenantId,
    UserId,
)
from shared.platform.documents import ContainerSpec, Order
from shared.platform.stored import StoredDocument
from shared.roles import Role

__all__ = [
    "BY_ID",
    "DEV_TOKEN_SECONDS",
    "FLAG_DEFAULTS",
    "TENANTS_CONTAINER",
    "USERS_CONTAINER",
    "USER_EMAILS",
    "USER_EMAILS_CONTAINER",
    "Branding",
    "BrandingPatch",
    "DevSignIn",
    "DevSignInToken",
    "DevSignInUser",
    "DevSignInUsers",
    "EmailClaim",
    "FeatureFlag",
    "MeView",
    "PublicBranding",
    "Retention",
    "RetentionPatch",
    "StoredBranding",
    "StoredRetention",
    "TenantCreate",
    "TenantPatch",
    "TenantRecord",
    "TenantView",
    "UserCreate",
    "UserPatch",
    "UserRecord",
    "UserView",
    "effective_flags",
    "email_digest",
    "is_enabled",
]

TENANTS = "tenants"
USERS = "users"
# One document per email in use in a tenant, keyed by a digest of both: a create of a second one
# conflicts, so an email is unique by the store's own rule, not by the timing of a check.
USER_EMAILS = "user-emails"
BY_ID = (Order("id"),)
TENANTS_CONTAINER = ContainerSpec(TENANTS, orderings=(BY_ID,))
USERS_CONTAINER = ContainerSpec(USERS, orderings=(BY_ID,), filters=("email",), arrays=("roles",))
USER_EMAILS_CONTAINER = ContainerSpec(USER_EMAILS)

FeatureFlag = Literal[
    "self_enrollment",
    "leaderboards",
    "analytics_export",
    "third_party_trackers",
    "ai_question_drafts",
    "certificates",
]
FLAG_DEFAULTS: Mapping[str, bool] = {
    "self_enrollment": True,
    "leaderboards": True,
    "analytics_export": True,
    "third_party_trackers": True,
    "ai_question_drafts": False,
    "certificates": True,
}
# K-12 tenants never get these, whatever their flags say (COPPA/FERPA).
K12_FORCED_OFF = frozenset({"leaderboards", "analytics_export", "third_party_trackers"})

TenantRole = Literal["TenantAdmin", "Instructor", "Learner", "SupportReadonly"]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
TrackerName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
Flags = dict[FeatureFlag, bool]

# How long a tenant keeps its audit log and its learners' activity detail (shared/privacy/service.py
# enforces both). The floor keeps a month of history for support; the ceiling is ten years.
RETENTION_MIN_DAYS, RETENTION_MAX_DAYS = 30, 3650
AUDIT_RETENTION_DAYS = 2555  # seven years, what auditors usually ask of training records
ACTIVITY_RETENTION_DAYS = 730
RetentionDays = Annotated[int, Field(ge=RETENTION_MIN_DAYS, le=RETENTION_MAX_DAYS, strict=True)]


class Branding(InputModel):
    displayName: ShortText | None = None
    primaryColor: HexColor = "#1f4e79"
    accentColor: HexColor = "#f2a900"
    logoUrl: HttpsUrl | None = None


class BrandingPatch(PatchModel):
    NULLABLE = frozenset({"displayName", "logoUrl"})

    displayName: ShortText | None = None
    primaryColor: HexColor | None = None
    accentColor: HexColor | None = None
    logoUrl: HttpsUrl | None = None


class Retention(InputModel):
    auditDays: RetentionDays = Field(
        default=AUDIT_RETENTION_DAYS, description="audit entries older than this many days are deleted"
    )
    activityDays: RetentionDays = Field(
        default=ACTIVITY_RETENTION_DAYS,
        description="activity detail older than this many days is deleted: notifications, the answers of graded "
        "attempts, the watched intervals and batch ids of completed courses (scores, states and percentages stay)",
    )


class RetentionPatch(PatchModel):
    auditDays: RetentionDays | None = None
    activityDays: RetentionDays | None = None


class FirstAdmin(InputModel):
    id: UserId | None = None
    email: Email
    displayName: ShortText


class TenantCreate(InputModel):
    id: TenantId
    name: ShortText
    branding: Branding = Field(default_factory=Branding)
    flags: Flags = Field(default_factory=dict)
    k12: bool = False
    trackers: list[TrackerName] = Field(default_factory=list, max_length=20)
    retention: Retention = Field(default_factory=Retention)
    admin: FirstAdmin | None = None


class TenantPatch(PatchModel):
    name: ShortText | None = None
    branding: BrandingPatch | None = None
    flags: Flags | None = None
    k12: bool | None = None
    trackers: list[TrackerName] | None = Field(default=None, max_length=20)
    retention: RetentionPatch | None = None
    reason: Reason | None = None


class TenantView(OutputModel):
    id: str
    name: str
    branding: Branding
    flags: dict[str, bool] = Field(description="effective flags: platform defaults, tenant overrides, K-12 rules")
    k12: bool
    trackers: list[str]
    retention: Retention = Field(default_factory=Retention, description="how long audit and activity detail are kept")
    status: str
    createdAt: str
    updatedAt: str


class PublicBranding(OutputModel):
    tenantId: str
    name: str
    displayName: str
    primaryColor: str
    accentColor: str
    logoUrl: str | None
    allowedTrackers: list[str]


def _learner_only() -> list[TenantRole]:
    return ["Learner"]


class UserCreate(InputModel):
    id: UserId | None = None
    email: Email
    displayName: ShortText
    roles: list[TenantRole] = Field(default_factory=_learner_only, min_length=1, max_length=4)

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[str]) -> list[str]:
        return sorted(set(roles))


class UserPatch(PatchModel):
    email: Email | None = None
    displayName: ShortText | None = None
    roles: list[TenantRole] | None = Field(default=None, min_length=1, max_length=4)
    status: Literal["active", "disabled"] | None = None
    reason: Reason | None = None

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[str] | None) -> list[str] | None:
        return None if roles is None else sorted(set(roles))


class UserView(OutputModel):
    id: str
    tenantId: str
    email: str
    displayName: str
    roles: list[str]
    status: str
    createdAt: str
    updatedAt: str


class MeView(OutputModel):
    userId: str
    tenantId: str | None
    roles: list[str]
    displayName: str | None = None
    email: str | None = None
    registered: bool = Field(description="whether the tenant holds a user record (role assignments) for the caller")


# --- the embedded profile's dev sign-in (shared/tenancy/api.py, dev_router) ----------------------

DEV_TOKEN_SECONDS = 12 * 3600  # a working day, as `make run` prints them


class DevSignInUser(OutputModel):
    tenantId: str
    tenantName: str
    userId: str
    displayName: str
    roles: list[str]


class DevSignInUsers(OutputModel):
    users: list[DevSignInUser] = Field(description="every active user of every active tenant, by tenant then user")


class DevSignIn(InputModel):
    tenantId: TenantId
    userId: UserId


class DevSignInToken(OutputModel):
    accessToken: str = Field(description="a bearer token of the embedded profile's dev issuer")
    tokenType: Literal["Bearer"] = "Bearer"
    expiresIn: int = Field(description="seconds until the token expires")
    tenantId: str
    userId: str
    roles: list[str] = Field(description="the user's stored roles, which the token carries")


# --- stored documents ------------------------------------------------------------------------------


class StoredBranding(BaseModel):
    """A tenant's branding as stored (validated as ``Branding`` when the tenant is shown)."""

    model_config = ConfigDict(extra="allow")

    displayName: str | None = None
    primaryColor: str = "#1f4e79"
    accentColor: str = "#f2a900"
    logoUrl: str | None = None


class StoredRetention(BaseModel):
    model_config = ConfigDict(extra="allow")

    auditDays: int = AUDIT_RETENTION_DAYS
    activityDays: int = ACTIVITY_RETENTION_DAYS


class TenantRecord(StoredDocument):
    """A tenant (container ``tenants``, its id also its partition). Tenants created before retention
    settings existed have no ``retention``: the defaults apply."""

    type: str = "tenant"
    name: str
    branding: StoredBranding = Field(default_factory=StoredBranding)
    flags: dict[str, bool] = Field(default_factory=dict)
    k12: bool = False
    trackers: list[str] = Field(default_factory=list)
    retention: StoredRetention | None = None
    status: str = "active"
    createdAt: str
    updatedAt: str


class UserRecord(StoredDocument):
    """A user of a tenant and their role assignments (container ``users``); ``email`` in lower case."""

    type: str = "user"
    email: str
    displayName: str
    roles: list[str]
    status: str = "active"
    createdAt: str
    updatedAt: str


class EmailClaim(StoredDocument):
    """The email a user of the tenant holds (container ``user-emails``, id: ``email_digest``)."""

    type: str = "email"
    userId: str
    at: str


def email_digest(tenant_id: str, email: str) -> str:
    """The id of an email's claim: a SHA-256 of the tenant and the email in lower case."""
    return hashlib.sha256(f"{tenant_id}\n{email.strip().lower()}".encode()).hexdigest()


def effective_flags(flags: Mapping[str, bool], *, k12: bool) -> dict[str, bool]:
    """Platform defaults overlaid with the tenant's choices, then the K-12 rules."""
    merged = {**FLAG_DEFAULTS, **{k: v for k, v in flags.items() if k in FLAG_DEFAULTS}}
    if k12:
        merged.update(dict.fromkeys(K12_FORCED_OFF, False))
    return merged


def is_enabled(tenant: Mapping[str, object], flag: FeatureFlag) -> bool:
    """The one place code asks whether a tenant has a feature."""
    raw = tenant.get("flags")
    flags = raw if isinstance(raw, dict) else {}
    return effective_flags(flags, k12=bool(tenant.get("k12")))[flag]


def allowed_trackers(tenant: Mapping[str, object]) -> list[str]:
    """Third-party trackers the front end may load for this tenant (none for K-12)."""
    if not is_enabled(tenant, "third_party_trackers"):
        return []
    trackers = tenant.get("trackers")
    return sorted(str(t) for t in trackers) if isinstance(trackers, list) else []


def role_set(names: list[str]) -> frozenset[Role]:
    return frozenset(Role(n) for n in names)
