"""HTTP routes of tenancy: tenants, branding, the caller, users (their export and erasure: shared/privacy/api.py),
and, on the embedded profile only, the dev sign-in (``dev_router``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from shared.http.deps import (
    PUBLIC,
    Caller,
    CallerGuard,
    Continuation,
    GuardedRoute,
    IfMatch,
    IfNoneMatch,
    Limit,
    PlatformGuard,
    Services,
    TenantGuard,
    conditional,
)
from shared.kernel import TENANT_ID_PATTERN, USER_ID_PATTERN, Paged
from shared.platform.identity import Principal
from shared.platform.tenancy import TenantContext
from shared.roles import Operation, Role
from shared.tenancy import service, users
from shared.tenancy.model import (
    DevSignIn,
    DevSignInToken,
    DevSignInUsers,
    MeView,
    PublicBranding,
    TenantCreate,
    TenantPatch,
    TenantView,
    UserCreate,
    UserPatch,
    UserView,
)

router = APIRouter(prefix="/api/v1", tags=["tenancy"], route_class=GuardedRoute)
# Mounted only when LMS_PROFILE=embedded (ContextSpec.embedded_router): elsewhere these paths do not exist.
dev_router = APIRouter(prefix="/api/v1/dev", tags=["dev"], route_class=GuardedRoute)

TenantIdPath = Annotated[str, Path(pattern=TENANT_ID_PATTERN)]
UserIdPath = Annotated[str, Path(pattern=USER_ID_PATTERN)]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not modified (If-None-Match)"}}


def _with_etag(response: Response, etag: str) -> None:
    response.headers["ETag"] = etag


@router.post("/tenants", status_code=201)
def create_tenant(
    body: TenantCreate,
    caller: Annotated[Principal, Depends(PlatformGuard(Operation.TENANT_CREATE))],
    platform: Services,
    response: Response,
) -> TenantView:
    view = service.create_tenant(platform, caller, body)
    response.headers["Location"] = f"/api/v1/tenants/{view.id}/branding"
    return view


@router.get("/tenants")
def list_tenants(
    _: Annotated[Principal, Depends(PlatformGuard(Operation.TENANT_LIST))],
    platform: Services,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[TenantView]:
    return service.list_tenants(platform, limit=limit, continuation=continuation)


@router.get("/tenant", response_model=TenantView, responses=NOT_MODIFIED)
def get_tenant(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.TENANT_READ))],
    platform: Services,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> TenantView | Response:
    view, etag = service.get_tenant(platform, ctx)
    return conditional(view, etag, if_none_match, response)


@router.patch("/tenant")
def update_tenant(
    body: TenantPatch,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.TENANT_UPDATE))],
    platform: Services,
    response: Response,
    if_match: IfMatch = None,
) -> TenantView:
    view, etag = service.update_tenant(platform, ctx, body, if_match=if_match)
    _with_etag(response, etag)
    return view


@router.get("/tenants/{tenantId}/branding", openapi_extra=PUBLIC)
def public_branding(tenantId: TenantIdPath, platform: Services, response: Response) -> PublicBranding:
    response.headers["Cache-Control"] = "public, max-age=300"
    return service.public_branding(platform, tenantId)


@router.get("/me")
def me(caller: Annotated[Caller, Depends(CallerGuard(Operation.ME_READ))], platform: Services) -> MeView:
    return users.describe_caller(platform, caller.principal, caller.tenant)


@router.post("/users", status_code=201)
def create_user(
    body: UserCreate,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.USER_CREATE))],
    platform: Services,
    response: Response,
) -> UserView:
    view, etag = users.create_user(platform, ctx, body)
    _with_etag(response, etag)
    response.headers["Location"] = f"/api/v1/users/{view.id}"
    return view


@router.get("/users")
def list_users(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.USER_LIST))],
    platform: Services,
    role: Role | None = None,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[UserView]:
    return users.list_users(platform, ctx, role=role, limit=limit, continuation=continuation)


@router.get("/users/{userId}", response_model=UserView, responses=NOT_MODIFIED)
def get_user(
    userId: UserIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.USER_READ))],
    platform: Services,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> UserView | Response:
    view, etag = users.get_user(platform, ctx, userId)
    return conditional(view, etag, if_none_match, response)


@router.patch("/users/{userId}")
def update_user(
    userId: UserIdPath,
    body: UserPatch,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.USER_UPDATE))],
    platform: Services,
    response: Response,
    if_match: IfMatch = None,
) -> UserView:
    view, etag = users.update_user(platform, ctx, userId, body, if_match=if_match)
    _with_etag(response, etag)
    return view


@dev_router.get("/sign-in", openapi_extra=PUBLIC)
def dev_sign_in_users(platform: Services) -> DevSignInUsers:
    """The users one may sign in as on this embedded store (public: the embedded profile only)."""
    return service.dev_sign_in_users(platform)


@dev_router.post("/sign-in", openapi_extra=PUBLIC, responses={404: {"description": "no such active tenant or user"}})
def dev_sign_in(body: DevSignIn, platform: Services) -> DevSignInToken:
    """A dev issuer's bearer token for one of those users, with their stored roles."""
    return service.dev_sign_in(platform, body)
