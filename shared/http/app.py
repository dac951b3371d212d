"""The FastAPI app factory: every context's router, the edge middleware, problem+json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.audit.api import router as audit_router
from shared.bootstrap import Platform, default_platform
from shared.http.deps import CallerGuard, PlatformGuard, TenantGuard
from shared.http.health import router as health_router
from shared.http.middleware import EdgeMiddleware
from shared.http.problems import install_problem_handlers
from shared.roles import ROLE_MATRIX
from shared.settings import Settings
from shared.tenancy.api import router as tenancy_router

__all__ = ["create_api"]

ROUTERS = (health_router, tenancy_router, audit_router)
_GUARDS = (TenantGuard, PlatformGuard, CallerGuard)


def create_api(platform: Platform | None = None, *, settings: Settings | None = None) -> FastAPI:
    """The HTTP app. Cheap to build: the platform is built on the first request that needs it."""
    settings = platform.settings if platform else (settings or Settings())
    provider: Callable[[], Platform] = (lambda: platform) if platform else default_platform
    app = FastAPI(
        title="Learning platform API",
        version="1.0.0",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.platform_provider = provider
    install_problem_handlers(app)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_request_bytes)
    for router in ROUTERS:
        app.include_router(router)
    _publish_role_matrix(app)
    return app


def _guard_of(dependant: Dependant) -> Any | None:
    for dep in dependant.dependencies:
        if isinstance(dep.call, _GUARDS):
            return dep.call
        found = _guard_of(dep)
        if found is not None:
            return found
    return None


def _publish_role_matrix(app: FastAPI) -> None:
    """Add ``x-operation`` and ``x-roles`` to each guarded operation of the OpenAPI document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for route in app.routes:
            guard = _guard_of(route.dependant) if isinstance(route, APIRoute) else None
            if guard is None:
                continue
            assert isinstance(route, APIRoute)
            for method in route.methods or ():
                operation = schema["paths"][route.path_format][method.lower()]
                operation["x-operation"] = guard.operation.value
                operation["x-roles"] = sorted(ROLE_MATRIX[guard.operation])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
