"""The FastAPI app factory: every context's router, the edge middleware, problem+json, and the web app."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from shared.bootstrap import CONTEXTS, default_platform
from shared.http.cors import CorsPolicy
from shared.http.health import router as health_router
from shared.http.local_blobs import router as local_blobs_router
from shared.http.middleware import EdgeMiddleware
from shared.http.problems import install_problem_handlers
from shared.http.web_app import WebAppFiles
from shared.platform.runtime import Platform
from shared.settings import Settings

__all__ = ["create_api", "routers_for"]

# The platform's own routes (health, the embedded profile's signed blob URLs), then every context's.
ROUTERS = (health_router, local_blobs_router, *(spec.router for spec in CONTEXTS if spec.router is not None))
# Routes of the embedded profile alone (the dev sign-in): on any other profile they do not exist.
EMBEDDED_ROUTERS = tuple(spec.embedded_router for spec in CONTEXTS if spec.embedded_router is not None)


def routers_for(settings: Settings) -> tuple[APIRouter, ...]:
    """The routers the app mounts on ``settings``' profile."""
    return (*ROUTERS, *EMBEDDED_ROUTERS) if settings.profile == "embedded" else ROUTERS


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
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        # operationId = the route function's name (unique across the app, and a test keeps it so):
        # stable for generated clients, not rebuilt from the path and method.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.platform_provider = provider
    install_problem_handlers(app)
    # Inside the edge (added first): web app files get the edge's correlation id, log line and headers.
    app.add_middleware(WebAppFiles, dist=settings.web_dist)
    app.add_middleware(
        EdgeMiddleware, max_body_bytes=settings.max_request_bytes, cors=CorsPolicy.of(settings.web_origins)
    )
    for router in routers_for(settings):
        app.include_router(router)
    return app
