"""Tenancy use cases: tenants, their branding and flags, and who the caller is."""

from __future__ import annotations

from typing import Any

from shared.audit import service as audit_log
from shared.errors import Conflict, Forbidden, NotFound
from shared.kernel import Paged
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.stored import to_document
from shared.platform.tenancy import PlatformDocuments, TenantContext, TenantDocuments
from shared.roles import TENANT_ROLES, Role
from shared.tenancy import users
from shared.tenancy.model import (
    BY_ID,
    DEV_TOKEN_SECONDS,
    TENANTS,
    Branding,
    DevSignIn,
    DevSignInToken,
    DevSignInUser,
    DevSignInUsers,
    FeatureFlag,
    PublicBranding,
    Retention,
    TenantCreate,
    TenantPatch,
    TenantRecord,
    TenantView,
    allowed_trackers,
    effective_flags,
    is_enabled,
)

__all__ = [
    "cached_tenant_context",
    "create_tenant",
    "dev_sign_in",
    "dev_sign_in_users",
    "feature_enabled",
    "get_tenant",
    "list_tenants",
    "public_branding",
    "resolve_tenant_context",
    "update_tenant",
]


def _tenant_cache_key(tenant_id: str) -> str:
    return f"tenancy:tenant:{tenant_id}"


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[TenantRecord]:
    return TenantDocuments(platform.documents, TENANTS, ctx, TenantRecord)


def _across_tenants(platform: Platform) -> PlatformDocuments:
    # Still dict-based: every document read through it is validated into a TenantRecord here.
    return PlatformDocuments(platform.documents, TENANTS)


def _view(doc: TenantRecord) -> TenantView:
    return TenantView(
        id=doc.id,
        name=doc.name,
        branding=Branding.model_validate(doc.branding.model_dump()),
        flags=effective_flags(doc.flags, k12=doc.k12),
        k12=doc.k12,
        trackers=doc.trackers,
        retention=Retention.model_validate(doc.retention.model_dump()) if doc.retention else Retention(),
        status=doc.status,
        createdAt=doc.createdAt,
        updatedAt=doc.updatedAt,
    )


def create_tenant(platform: Platform, principal: Principal, body: TenantCreate) -> TenantView:
    """Create a tenant, optionally with its first TenantAdmin (a SuperAdmin operation)."""
    now = platform.clock.now().isoformat()
    doc = TenantRecord.model_validate(
        {**body.model_dump(exclude={"admin"}), "type": "tenant", "status": "active", "createdAt": now, "updatedAt": now}
    )
    try:
        stored = TenantRecord.model_validate(_across_tenants(platform).create_in(body.id, to_document(doc)))
    except Conflict as exc:
        raise Conflict(f"tenant {body.id!r} already exists") from exc
    ctx = TenantContext(tenant_id=body.id, user_id=principal.user_id, roles=principal.roles)
    audit_log.record(platform, ctx, action="tenant.created", subject_type="tenant", subject_id=body.id)
    if body.admin is not None:
        users.create_first_admin(platform, ctx, body.admin)
    return _view(stored)


def list_tenants(platform: Platform, *, limit: int, continuation: str | None) -> Paged[TenantView]:
    """Every tenant of the platform, by id (a SuperAdmin operation)."""
    page = _across_tenants(platform).query_across_tenants(order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[TenantView](
        items=[_view(TenantRecord.model_validate(d)) for d in page.items], continuation=page.continuation
    )


def _own_tenant(platform: Platform, ctx: TenantContext) -> TenantRecord:
    return _docs(platform, ctx).read(ctx.tenant_id)


def get_tenant(platform: Platform, ctx: TenantContext) -> tuple[TenantView, str]:
    """The caller's tenant and its ETag."""
    doc = _own_tenant(platform, ctx)
    return _view(doc), _etag(doc)


def _etag(doc: TenantRecord) -> str:
    if doc.etag is None:
        raise RuntimeError("a stored tenant has an ETag")
    return doc.etag


def feature_enabled(platform: Platform, ctx: TenantContext, flag: FeatureFlag) -> bool:
    """Whether the caller's tenant has a feature, as ``is_enabled`` decides (defaults, overrides, K-12)."""
    return is_enabled(to_document(_own_tenant(platform, ctx)), flag)


def update_tenant(
    platform: Platform, ctx: TenantContext, patch: TenantPatch, *, if_match: str | None
) -> tuple[TenantView, str]:
    """Change the tenant's name, branding, flags, trackers, retention or K-12 setting; audited."""
    docs = _docs(platform, ctx)
    current = docs.read(ctx.tenant_id)
    changes = patch.model_dump(exclude_unset=True, exclude={"reason", "branding", "flags", "retention"})
    updated: dict[str, Any] = {**to_document(current), **changes}
    if patch.branding is not None:
        updated["branding"] = {**current.branding.model_dump(), **patch.branding.model_dump(exclude_unset=True)}
    if patch.retention is not None:
        kept = Retention.model_validate(current.retention.model_dump() if current.retention else {}).model_dump()
        updated["retention"] = {**kept, **patch.retention.model_dump(exclude_unset=True)}
    if patch.flags is not None:
        updated["flags"] = {**current.flags, **patch.flags}
    updated["updatedAt"] = platform.clock.now().isoformat()
    stored = docs.replace(TenantRecord.model_validate(updated), if_match=if_match or current.etag)
    platform.cache.delete(_tenant_cache_key(ctx.tenant_id))
    audit_log.record(
        platform,
        ctx,
        action="tenant.settings_changed",
        subject_type="tenant",
        subject_id=ctx.tenant_id,
        before=_settings_of(current),
        after=_settings_of(stored),
        reason=patch.reason,
    )
    return _view(stored), _etag(stored)


def _settings_of(doc: TenantRecord) -> dict[str, Any]:
    body = to_document(doc)
    return {k: body.get(k) for k in ("name", "branding", "flags", "k12", "trackers", "retention")}


def public_branding(platform: Platform, tenant_id: str) -> PublicBranding:
    """What a sign-in page may show about a tenant (public)."""
    doc = _cached_tenant(platform, tenant_id)
    if doc is None:
        raise NotFound()
    branding = doc.branding
    return PublicBranding(
        tenantId=doc.id,
        name=doc.name,
        displayName=branding.displayName or doc.name,
        primaryColor=branding.primaryColor,
        accentColor=branding.accentColor,
        logoUrl=branding.logoUrl,
        allowedTrackers=allowed_trackers(to_document(doc)),
    )


def _cached_tenant(platform: Platform, tenant_id: str) -> TenantRecord | None:
    key = _tenant_cache_key(tenant_id)
    cached = platform.cache.get(key)
    if cached is None:
        try:
            found: dict[str, Any] | None = _across_tenants(platform).read_in(tenant_id, tenant_id)
        except NotFound:
            found = None
        cached = {"doc": None if found is None else to_document(TenantRecord.model_validate(found))}
        platform.cache.set(key, cached, platform.settings.principal_cache_seconds)
    doc = cached.get("doc")
    return None if doc is None else TenantRecord.model_validate(doc)


def resolve_tenant_context(platform: Platform, principal: Principal) -> TenantContext:
    """The caller's tenant context: the tenant must be active, and a registered user's
    role assignments replace the roles the token claims (so revoking a role takes effect
    without waiting for tokens to expire)."""
    if principal.tenant_id is None:
        raise Forbidden("this operation needs a tenant member")
    tenant = _cached_tenant(platform, principal.tenant_id)
    if tenant is None or tenant.status != "active":
        raise Forbidden("the tenant is not active")
    assigned = users.assigned_roles(platform, principal.tenant_id, principal.user_id)
    return _member_context(principal, assigned)


def cached_tenant_context(platform: Platform, principal: Principal) -> TenantContext | None:
    """``resolve_tenant_context`` decided from the cache alone, the same way and with the same
    refusals; None when the tenant or the user's roles are not in the cache (the caller then
    resolves the context with ``resolve_tenant_context``, which reads the store)."""
    if principal.tenant_id is None:
        raise Forbidden("this operation needs a tenant member")
    cached = platform.cache.get(_tenant_cache_key(principal.tenant_id))
    if cached is None:
        return None
    doc = cached.get("doc")
    if doc is None or doc.get("status") != "active":
        raise Forbidden("the tenant is not active")
    known, assigned = users.cached_assigned_roles(platform, principal.tenant_id, principal.user_id)
    if not known:
        return None
    return _member_context(principal, assigned)


def _member_context(principal: Principal, assigned: frozenset[Role] | None) -> TenantContext:
    assert principal.tenant_id is not None
    roles = assigned if assigned is not None else principal.roles & TENANT_ROLES
    return TenantContext(tenant_id=principal.tenant_id, user_id=principal.user_id, roles=frozenset(roles))


# --- the embedded profile's dev sign-in ------------------------------------------------------------


def _active_tenants(platform: Platform, *, page_size: int = 200) -> dict[str, TenantRecord]:
    tenants: dict[str, TenantRecord] = {}
    continuation: str | None = None
    while True:
        page = _across_tenants(platform).query_across_tenants(
            order_by=BY_ID, limit=page_size, continuation=continuation
        )
        for doc in page.items:
            tenant = TenantRecord.model_validate(doc)
            if tenant.status == "active":
                tenants[tenant.id] = tenant
        continuation = page.continuation
        if not continuation:
            return tenants


def dev_sign_in_users(platform: Platform) -> DevSignInUsers:
    """Who may sign in on this embedded store: every active user of every active tenant, with their
    stored roles, by tenant then user. The embedded profile is one developer's machine, so listing
    across tenants is the point; on the azure profile the route does not exist."""
    tenants = _active_tenants(platform)
    listed = [
        DevSignInUser(
            tenantId=user.tenantId,
            tenantName=tenants[user.tenantId].name,
            userId=user.id,
            displayName=user.displayName,
            roles=sorted(user.roles),
        )
        for user in users.every_user(platform)
        if user.tenantId in tenants and user.status == "active"
    ]
    return DevSignInUsers(users=sorted(listed, key=lambda u: (u.tenantId, u.userId)))


def dev_sign_in(platform: Platform, body: DevSignIn) -> DevSignInToken:
    """A dev issuer's bearer token for a registered, active user of an active tenant, carrying the
    user's stored roles; ``NotFound`` for anyone else."""
    issuer = platform.dev_issuer
    if issuer is None:
        raise NotFound("there is no dev sign-in on this profile")
    tenant = _cached_tenant(platform, body.tenantId)
    if tenant is None or tenant.status != "active":
        raise NotFound(f"no active tenant {body.tenantId!r}")
    user = users.registered_user(platform, body.tenantId, body.userId)
    if user is None or user.status != "active":
        raise NotFound(f"no active user {body.userId!r} in tenant {body.tenantId!r}")
    roles = sorted(user.roles)
    token = issuer.issue(user_id=user.id, tenant_id=tenant.id, roles=roles, ttl_seconds=DEV_TOKEN_SECONDS)
    return DevSignInToken(
        accessToken=token, expiresIn=DEV_TOKEN_SECONDS, tenantId=tenant.id, userId=user.id, roles=roles
    )
