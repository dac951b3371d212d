"""Users of a tenant and their role assignments."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from shared.audit import service as audit_log
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from shared.kernel import Paged
from shared.platform.documents import Filter
from shared.platform.identity import Principal
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions
from shared.platform.runtime import Platform
from shared.platform.stored import to_document
from shared.platform.tenancy import PlatformDocuments, TenantContext, TenantDocuments
from shared.roles import Role
from shared.tenancy.model import (
    BY_ID,
    USER_EMAILS,
    USERS,
    EmailClaim,
    FirstAdmin,
    MeView,
    UserCreate,
    UserPatch,
    UserRecord,
    UserView,
    email_digest,
)

__all__ = [
    "PERSONAL_DATA",
    "assigned_roles",
    "cached_assigned_roles",
    "create_first_admin",
    "create_user",
    "describe_caller",
    "ensure_erasable",
    "erase_user",
    "every_user",
    "export_user",
    "get_user",
    "list_users",
    "registered_user",
    "update_user",
    "user_by_email",
]

Users = TenantDocuments[UserRecord]


def _cache_key(tenant_id: str, user_id: str) -> str:
    return f"tenancy:user:{tenant_id}:{user_id}"


def _docs(platform: Platform, ctx: TenantContext) -> Users:
    return TenantDocuments(platform.documents, USERS, ctx, UserRecord)


def _view(doc: UserRecord) -> UserView:
    return UserView.model_validate(to_document(doc))


def _etag(doc: UserRecord) -> str:
    if doc.etag is None:
        raise RuntimeError("a stored user has an ETag")
    return doc.etag


EMAIL_TAKEN = "another user of the tenant has this email"
# A claim whose user never appeared (its instance died between the two writes) is taken over after this.
ORPHAN_CLAIM_AGE = timedelta(seconds=60)


def _ensure_email_free(docs: Users, email: str, *, except_id: str | None = None) -> None:
    """No stored user has the email (users registered before emails were claimed hold no claim)."""
    clash = docs.query([Filter("email", "eq", email)], limit=2).items
    if any(d.id != except_id for d in clash):
        raise Conflict(EMAIL_TAKEN)


def _claims(platform: Platform, ctx: TenantContext) -> TenantDocuments[EmailClaim]:
    return TenantDocuments(platform.documents, USER_EMAILS, ctx, EmailClaim)


def _claim_email(platform: Platform, ctx: TenantContext, email: str, user_id: str) -> bool:
    """Make ``user_id`` the holder of ``email`` in the tenant, by creating its claim: of concurrent
    claims exactly one create succeeds, the others get ``Conflict``. True if this call created (or
    took over) the claim, False if the user held it already. A claim whose holder does not hold the
    email (the instance that claimed died before writing the user, or before releasing an old email)
    is taken over once it is older than ``ORPHAN_CLAIM_AGE``."""
    claims, now = _claims(platform, ctx), platform.clock.now()
    claim = EmailClaim(id=email_digest(ctx.tenant_id, email), userId=user_id, at=now.isoformat())
    for _ in range(3):
        try:
            claims.create(claim)
            return True
        except Conflict:
            held = claims.find(claim.id)
        if held is None:
            continue  # released in between: claim again
        if held.userId == user_id:
            return False
        holder = _docs(platform, ctx).find(held.userId)
        if (holder is not None and holder.email == email) or now - datetime.fromisoformat(held.at) < ORPHAN_CLAIM_AGE:
            raise Conflict(EMAIL_TAKEN)
        try:
            claims.replace(claim, if_match=held.etag)
            return True
        except (PreconditionFailed, NotFound):
            continue
    raise Conflict(EMAIL_TAKEN)


def _release_email(platform: Platform, ctx: TenantContext, email: str, user_id: str) -> None:
    """Give the email up, if ``user_id`` holds it (never another user's claim)."""
    claims = _claims(platform, ctx)
    held = claims.find(email_digest(ctx.tenant_id, email))
    if held is not None and held.userId == user_id:
        with contextlib.suppress(NotFound, PreconditionFailed):
            claims.delete(held.id, if_match=held.etag)


def create_user(platform: Platform, ctx: TenantContext, body: UserCreate) -> tuple[UserView, str]:
    """Register a user in the caller's tenant with their roles; audited."""
    docs = _docs(platform, ctx)
    _ensure_email_free(docs, body.email)
    now = platform.clock.now().isoformat()
    user_id = body.id or platform.ids.new_id()
    claimed = _claim_email(platform, ctx, body.email, user_id)
    doc = UserRecord(
        id=user_id,
        email=body.email,
        displayName=body.displayName,
        roles=list(body.roles),
        status="active",
        createdAt=now,
        updatedAt=now,
    )
    try:
        stored = docs.create(doc)
    except Conflict as exc:
        if claimed:
            _release_email(platform, ctx, body.email, user_id)
        raise Conflict(f"user {doc.id!r} already exists") from exc
    platform.cache.delete(_cache_key(ctx.tenant_id, stored.id))
    audit_log.record(
        platform,
        ctx,
        action="user.roles_changed",
        subject_type="user",
        subject_id=stored.id,
        before={"roles": []},
        after={"roles": stored.roles},
        reason="user created",
    )
    return _view(stored), _etag(stored)


def create_first_admin(platform: Platform, ctx: TenantContext, admin: FirstAdmin) -> UserView:
    """The first TenantAdmin of a new tenant, created by the SuperAdmin who created it."""
    body = UserCreate(id=admin.id, email=admin.email, displayName=admin.displayName, roles=["TenantAdmin"])
    view, _ = create_user(platform, ctx, body)
    return view


def list_users(
    platform: Platform, ctx: TenantContext, *, role: Role | None, limit: int, continuation: str | None
) -> Paged[UserView]:
    """The tenant's users by id, optionally only those holding one role."""
    filters = [Filter("roles", "contains", role.value)] if role else []
    page = _docs(platform, ctx).query(filters, order_by=BY_ID, limit=limit, continuation=continuation)
    return Paged[UserView](items=[_view(d) for d in page.items], continuation=page.continuation)


def get_user(platform: Platform, ctx: TenantContext, user_id: str) -> tuple[UserView, str]:
    """One user of the tenant and its ETag."""
    doc = _docs(platform, ctx).read(user_id)
    return _view(doc), _etag(doc)


def user_by_email(platform: Platform, ctx: TenantContext, email: str) -> UserView | None:
    """The tenant's user with this email (compared in lower case, as stored), if there is one."""
    found = _docs(platform, ctx).query([Filter("email", "eq", email.strip().lower())], limit=1).items
    return _view(found[0]) if found else None


def update_user(
    platform: Platform, ctx: TenantContext, user_id: str, patch: UserPatch, *, if_match: str | None
) -> tuple[UserView, str]:
    """Change a user's profile, roles or status; role and status changes are audited."""
    docs = _docs(platform, ctx)
    current = docs.read(user_id)
    changes: dict[str, Any] = patch.model_dump(exclude_unset=True, exclude={"reason"})
    new_email = changes.get("email") if changes.get("email", current.email) != current.email else None
    if new_email is not None:
        _ensure_email_free(docs, new_email, except_id=user_id)
    updated = UserRecord.model_validate(
        {**to_document(current), **changes, "updatedAt": platform.clock.now().isoformat()}
    )
    _keep_an_admin(docs, current, updated)
    claimed = new_email is not None and _claim_email(platform, ctx, new_email, user_id)
    try:
        stored = docs.replace(updated, if_match=if_match or current.etag)
    except BaseException:
        if claimed and new_email is not None:
            _release_email(platform, ctx, new_email, user_id)
        raise
    if new_email is not None:
        _release_email(platform, ctx, current.email, user_id)
    platform.cache.delete(_cache_key(ctx.tenant_id, user_id))
    for field, action in (("roles", "user.roles_changed"), ("status", "user.status_changed")):
        before, after = getattr(current, field), getattr(stored, field)
        if before != after:
            audit_log.record(
                platform,
                ctx,
                action=action,
                subject_type="user",
                subject_id=user_id,
                before={field: before},
                after={field: after},
                reason=patch.reason,
            )
    return _view(stored), _etag(stored)


def _is_active_admin(doc: UserRecord) -> bool:
    return doc.status == "active" and Role.TENANT_ADMIN.value in doc.roles


def _keep_an_admin(docs: Users, current: UserRecord, updated: UserRecord) -> None:
    """A tenant never loses its last active TenantAdmin (nobody could manage it again)."""
    if not _is_active_admin(current) or _is_active_admin(updated):
        return
    admins = docs.query([Filter("roles", "contains", Role.TENANT_ADMIN.value)], limit=50).items
    if not any(_is_active_admin(a) and a.id != current.id for a in admins):
        raise Conflict("this would leave the tenant without an active TenantAdmin")


def _read_registration(platform: Platform, tenant_id: str, user_id: str) -> UserRecord | None:
    # A platform read (the caller's tenant context is being built from it); validated here.
    try:
        return UserRecord.model_validate(PlatformDocuments(platform.documents, USERS).read_in(tenant_id, user_id))
    except NotFound:
        return None


def registered_user(platform: Platform, tenant_id: str, user_id: str) -> UserRecord | None:
    """The tenant's record of the user, None when it holds none (read uncached, for a sign-in)."""
    return _read_registration(platform, tenant_id, user_id)


def every_user(platform: Platform, *, page_size: int = 200) -> list[UserRecord]:
    """Every user of every tenant (the embedded profile's dev sign-in lists them; a platform read)."""
    across = PlatformDocuments(platform.documents, USERS)
    found: list[UserRecord] = []
    continuation: str | None = None
    while True:
        page = across.query_across_tenants(order_by=BY_ID, limit=page_size, continuation=continuation)
        found += [UserRecord.model_validate(d) for d in page.items]
        continuation = page.continuation
        if not continuation:
            return found


def assigned_roles(platform: Platform, tenant_id: str, user_id: str) -> frozenset[Role] | None:
    """The roles the tenant assigned to the user, or None if the user is not registered.
    A disabled user is refused. Cached briefly; changes here invalidate the cache."""
    key = _cache_key(tenant_id, user_id)
    cached = platform.cache.get(key)
    if cached is None:
        doc = _read_registration(platform, tenant_id, user_id)
        cached = {"roles": doc.roles, "status": doc.status} if doc else {"roles": None}
        platform.cache.set(key, cached, platform.settings.principal_cache_seconds)
    return _roles_of(cached)


def cached_assigned_roles(platform: Platform, tenant_id: str, user_id: str) -> tuple[bool, frozenset[Role] | None]:
    """``assigned_roles`` from the cache alone: (False, None) when the cache does not hold them."""
    cached = platform.cache.get(_cache_key(tenant_id, user_id))
    if cached is None:
        return False, None
    return True, _roles_of(cached)


def _roles_of(cached: dict[str, Any]) -> frozenset[Role] | None:
    if cached["roles"] is None:
        return None
    if cached.get("status") != "active":
        raise Forbidden("the user is disabled")
    return frozenset(Role(r) for r in cached["roles"])


def describe_caller(platform: Platform, principal: Principal, ctx: TenantContext | None) -> MeView:
    """Who the caller is: id, tenant, effective roles, and their profile if registered."""
    if ctx is None:
        return MeView(userId=principal.user_id, tenantId=None, roles=sorted(principal.roles), registered=False)
    doc = _read_registration(platform, ctx.tenant_id, ctx.user_id)
    return MeView(
        userId=ctx.user_id,
        tenantId=ctx.tenant_id,
        roles=sorted(ctx.roles),
        displayName=doc.displayName if doc else None,
        email=doc.email if doc else None,
        registered=doc is not None,
    )


# --- personal data: the profile's part of an export and an erasure (shared/privacy/service.py) ---


def ensure_erasable(platform: Platform, ctx: TenantContext, user_id: str) -> None:
    """``NotFound`` for a user the tenant does not hold; ``Conflict`` for its last active TenantAdmin."""
    docs = _docs(platform, ctx)
    current = docs.read(user_id)
    _keep_an_admin(docs, current, current.model_copy(update={"status": "erased"}))


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's profile and role assignments."""
    try:
        view, _ = get_user(platform, ctx, who.user_id)
    except NotFound:
        return {}
    return {"profile": view.model_dump()}


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's profile and role assignments (idempotent), and give their email up."""
    current = _docs(platform, ctx).find(who.user_id)
    if current is not None:
        # First: if the delete then fails, the user still holds the email by the stored users' check,
        # and a repeated erasure finds the user again; the other way round would leave the claim behind.
        _release_email(platform, ctx, current.email, who.user_id)
    with contextlib.suppress(NotFound):
        _docs(platform, ctx).delete(who.user_id)
    platform.cache.delete(_cache_key(ctx.tenant_id, who.user_id))


# The "profile" contributor: registered last, since while the profile exists a failed erasure can be run again.
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user, section="profile")
