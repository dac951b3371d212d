"""Dependencies routes declare with ``Annotated``: the platform, the caller, guards, ETags.

Every non-public route has exactly one guard (``TenantGuard`` or ``PlatformGuard``)
naming its ``Operation``; ``ROLE_MATRIX`` decides, and the app publishes the allowed
roles in the OpenAPI document as ``x-roles``.
"""

from __future__ import annotations

import functools
import inspect
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


async def get_platform(request: Request) -> Platform:
    # Async: a dependency defined with plain ``def`` would cost a thread-pool hop per request.
    platform: Platform = request.app.state.platform_provider()
    return platform


Services = Annotated[Platform, Depends(get_platform)]
_bearer = HTTPBearer(auto_error=False, description="A bearer token of the configured issuer")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _token_of(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    return credentials.credentials


async def authenticate(platform: Services, credentials: Bearer) -> Principal:
    """The caller of a valid bearer token: from the validated-token cache on the event loop, or
    validated in the thread pool (a JWKS key may have to be fetched) on the token's first request."""
    token = _token_of(credentials)
    principal = platform.tokens.cached(token)
    if principal is None:
        principal = await run_in_threadpool(platform.tokens.validate, token)
    return principal


CurrentUser = Annotated[Principal, Depends(authenticate)]


def _is_operator(principal: Principal) -> bool:
    return principal.tenant_id is None and Role.SUPER_ADMIN in principal.roles


def _admission(
    platform: Platform, token: str | None, principal: Principal | None, operators: bool
) -> tuple[Principal, TenantContext | None]:
    """What may block, in one thread-pool hop: the token's validation (unless done), then the
    caller's tenant context once their rate limits let the request in (None for a platform
    operator, when ``operators`` admits them as such)."""
    assert platform.edge is not None
    if principal is None:
        assert token is not None
        principal = platform.tokens.validate(token)
    if operators and _is_operator(principal):
        return principal, None
    ctx = platform.edge.resolve_tenant(platform, principal)
    check_rate_limits(platform, ctx)
    return principal, ctx


async def admit(
    platform: Platform, operation: Operation, *, token: str | None, principal: Principal | None, operators: bool = False
) -> tuple[Principal, TenantContext | None]:
    """The caller and their tenant context, if their effective roles allow ``operation``.

    With the cache in this process and the caller's token, tenant and roles in it (every request of
    a signed-in learner but their first), everything is decided here on the event loop; otherwise
    in one thread-pool hop. Either way by the same rules (``EdgeHooks``): a revoked role or a
    disabled user is refused as soon as the cache says so."""
    edge = platform.edge
    if edge is None:
        raise RuntimeError("the platform was built without its edge hooks (see shared/bootstrap.py)")
    known = principal if principal is not None else platform.tokens.cached(token or "")
    ctx: TenantContext | None = None
    if known is not None and operators and _is_operator(known):
        if not is_allowed(operation, known.roles):
            raise Forbidden()
        return known, None
    if known is not None and platform.cache.in_process:
        ctx = edge.resolve_cached(platform, known)
        if ctx is not None:
            check_rate_limits(platform, ctx)
            principal = known
    if ctx is None:
        validated, ctx = await run_in_threadpool(_admission, platform, token, known, operators)
        if ctx is None:  # a platform operator, admitted as such
            if not is_allowed(operation, validated.roles):
                raise Forbidden()
            return validated, None
        principal = validated
    assert principal is not None
    # Set here, in the request's own context, so logs and spans of the request carry the tenant.
    tenant_id.set(ctx.tenant_id)
    trace.get_current_span().set_attribute("lms.tenant_id", ctx.tenant_id)
    # A tenant member's request is metered in memory; about once a minute one request flushes.
    if platform.usage_meter.count_request(ctx.tenant_id, platform.clock.now()):
        await run_in_threadpool(edge.flush_usage, platform)
    if not is_allowed(operation, ctx.roles):
        raise Forbidden()
    return principal, ctx


class TenantGuard:
    """The caller's ``TenantContext``, if their effective roles allow ``operation``."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    async def __call__(self, platform: Services, credentials: Bearer) -> TenantContext:
        _, ctx = await admit(platform, self.operation, token=_token_of(credentials), principal=None)
        assert ctx is not None
        return ctx


class PlatformGuard:
    """The caller, if they are a platform operator allowed ``operation``."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    async def __call__(self, principal: CurrentUser) -> Principal:
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

    async def __call__(self, platform: Services, credentials: Bearer, ticket: TicketQuery = None) -> TenantContext:
        if credentials is not None:
            return await super().__call__(platform, credentials)
        if ticket is None:
            raise Unauthorized("a bearer token or a ticket is required")
        # The ticket's key comes from the secret store (Key Vault in Azure): off the event loop.
        principal = await run_in_threadpool(redeem_ticket, platform, ticket, self.purpose)
        _, ctx = await admit(platform, self.operation, token=None, principal=principal)
        assert ctx is not None
        return ctx


class CallerGuard:
    """Either a platform operator or a tenant member, as the matrix allows."""

    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    async def __call__(self, platform: Services, credentials: Bearer) -> Caller:
        principal, ctx = await admit(
            platform, self.operation, token=_token_of(credentials), principal=None, operators=True
        )
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


def _on_thread_pool(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain ``def`` route as a coroutine that runs it in the thread pool. FastAPI would run it
    there too, but then also validate its return value in a second hop; the coroutine's return
    value is validated on the event loop. Signature and annotations stay the route's (``wraps``)."""

    @functools.wraps(endpoint)
    async def in_thread_pool(**kwargs: Any) -> Any:
        return await run_in_threadpool(functools.partial(endpoint, **kwargs))

    return in_thread_pool


def _is_plain_function(endpoint: Callable[..., Any]) -> bool:
    """A ``def`` that returns its answer (not a coroutine function, not a generator of either kind)."""
    special = (inspect.iscoroutinefunction, inspect.isgeneratorfunction, inspect.isasyncgenfunction)
    return inspect.isfunction(endpoint) and not any(check(endpoint) for check in special)


class GuardedRoute(APIRoute):
    """Publishes the route's guard in the OpenAPI document: ``x-operation`` and the
    ``x-roles`` the matrix allows. Every router of the app uses this route class. A plain
    ``def`` route costs one thread-pool hop (``_on_thread_pool``), and the guard none when the
    caller is known (``admit``)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if _is_plain_function(endpoint):
            endpoint = _on_thread_pool(endpoint)
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
