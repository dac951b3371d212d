"""Dependencies routes declare with ``Annotated``: the platform, the caller, guards, ETags.

Every non-public route has exactly one guard (``TenantGuard`` or ``PlatformGuard``)
naming its ``Operation``; ``ROLE_MATRIX`` decides, and the app publishes the allowed
roles in the OpenAPI document as ``x-roles``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry import trace

from shared.errors import Forbidden, Unauthorized
from shared.http.rate_limits import check_rate_limits
from shared.observability import tenant_id
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.platform.tickets import MAX_TICKET_CHARS, redeem_ticket
from shared.roles import ROLE_MATRIX, Operation, Role, is_allowed

__all__ = [
    "PUBLIC",
    "CallerGuard",
    "Continuation",
    "CurrentUser",
    "GuardedRoute",
    "IfMatch",
    "IfNoneMatch",
    "Limit",
    "PlatformGuard",
    "Services",
    "TenantGuard",
    "TicketGuard",
    "conditional",
    "etag_matches",
]

T = TypeVar("T")

# openapi_extra of routes that need no token; the authorization walker skips only these.
PUBLIC = {"x-public": True, "security": []}


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform_provider()
    return platform


Services = Annotated[Platform, Depends(get_platform)]
_bearer = HTTPBearer(auto_error=False, description="A bearer token of the configured issuer")


def authenticate(
    platform: Services, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    return platform.tokens.validate(credentials.credentials)


CurrentUser = Annotated[Principal, Depends(authenticate)]


class TenantGuard:
    """The caller's ``TenantContext``, if their effective roles allow ``operation``."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    async def __call__(self, principal: CurrentUser, platform: Services) -> TenantContext:
        # Async so the tenant id set here stays in the request's context (logs, spans);
        # the lookup itself may touch the store, so it runs in the thread pool.
        edge = platform.edge
        if edge is None:
            raise RuntimeError("the platform was built without its edge hooks (see shared/bootstrap.py)")
        ctx = await run_in_threadpool(_admitted_member, platform, principal)
        tenant_id.set(ctx.tenant_id)
        trace.get_current_span().set_attribute("lms.tenant_id", ctx.tenant_id)
        # A tenant member's request is metered in memory; about once a minute one request flushes.
        if platform.usage_meter.count_request(ctx.tenant_id, platform.clock.now()):
            await run_in_threadpool(edge.flush_usage, platform)
        if not is_allowed(self.operation, ctx.roles):
            raise Forbidden()
        return ctx


def _admitted_member(platform: Platform, principal: Principal) -> TenantContext:
    """The caller's tenant context, once their rate limits let the request in (one thread-pool hop)."""
    assert platform.edge is not None
    ctx = platform.edge.resolve_tenant(platform, principal)
    check_rate_limits(platform, ctx)
    return ctx


class PlatformGuard:
    """The caller, if they are a platform operator allowed ``operation``."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def __call__(self, principal: CurrentUser) -> Principal:
        if not is_allowed(self.operation, principal.roles):
            raise Forbidden()
        return principal


@dataclass(frozen=True)
class Caller:
    principal: Principal
    tenant: TenantContext | None


TicketQuery = Annotated[
    str | None,
    Query(max_length=MAX_TICKET_CHARS, description="a ticket, for a client that cannot send a header (EventSource)"),
]


class TicketGuard(TenantGuard):
    """A ``TenantGuard`` for the route a browser cannot send a header to: the caller is the bearer
    token's, or else the holder of an unexpired ticket for ``purpose`` (``?ticket=``,
    ``shared.platform.tickets``). The roles are checked against the matrix as for any route."""

    def __init__(self, operation: Operation, purpose: str) -> None:
        super().__init__(operation)
        self.purpose = purpose

    async def __call__(  # type: ignore[override]
        self,
        platform: Services,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        ticket: TicketQuery = None,
    ) -> TenantContext:
        if credentials is not None:
            principal = platform.tokens.validate(credentials.credentials)
        elif ticket is not None:
            principal = redeem_ticket(platform, ticket, self.purpose)
        else:
            raise Unauthorized("a bearer token or a ticket is required")
        return await super().__call__(principal, platform)


class CallerGuard:
    """Either a platform operator or a tenant member, as the matrix allows."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    async def __call__(self, principal: CurrentUser, platform: Services) -> Caller:
        if principal.tenant_id is None and Role.SUPER_ADMIN in principal.roles:
            if not is_allowed(self.operation, principal.roles):
                raise Forbidden()
            return Caller(principal, None)
        ctx = await TenantGuard(self.operation)(principal, platform)
        return Caller(principal, ctx)


Limit = Annotated[int, Query(ge=1, le=200, description="page size")]
Continuation = Annotated[str | None, Query(max_length=4096, description="opaque token of the next page")]


def _guard_of(dependant: Dependant) -> TenantGuard | PlatformGuard | CallerGuard | None:
    for dep in dependant.dependencies:
        if isinstance(dep.call, (TenantGuard, PlatformGuard, CallerGuard)):
            return dep.call
        found = _guard_of(dep)
        if found is not None:
            return found
    return None


class GuardedRoute(APIRoute):
    """Publishes the route's guard in the OpenAPI document: ``x-operation`` and the
    ``x-roles`` the matrix allows. Every router of the app uses this route class."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        guard = _guard_of(self.dependant)
        if guard is not None:
            self.openapi_extra = {
                **(self.openapi_extra or {}),
                "x-operation": guard.operation.value,
                "x-roles": sorted(ROLE_MATRIX[guard.operation]),
            }


IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=256)]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=1024)]


def conditional(body: T, etag: str, if_none_match: str | None, response: Response) -> T | Response:
    """The body with its ETag, or an empty 304 when the client already holds that version."""
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return body


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (or is ``*``)."""
    if not header:
        return False
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    return "*" in candidates or etag in candidates
