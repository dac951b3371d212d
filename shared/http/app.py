"""The FastAPI app factory: every context's router, the edge middleware, problem+json."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from shared.assessment.api import router as assessment_router
from shared.assessment.drafts_api import router as question_drafts_router
from shared.audit.api import router as audit_router
from shared.billing.api import router as billing_router
from shared.bootstrap import default_platform
from shared.catalog.api import router as catalog_router
from shared.credentials.api import router as credentials_router
from shared.discovery.api import router as discovery_router
from shared.enrollment.api import router as enrollment_router
from shared.http.health import router as health_router
from shared.http.local_blobs import router as local_blobs_router
from shared.http.middleware import EdgeMiddleware
from shared.http.problems import install_problem_handlers
from shared.learning.api import router as learning_router
from shared.media.api import router as media_router
from shared.notifications.api import router as notifications_router
from shared.platform.runtime import Platform
from shared.privacy.api import router as privacy_router
from shared.reporting.api import router as reporting_router
from shared.settings import Settings
from shared.tenancy.api import router as tenancy_router

__all__ = ["create_api"]

ROUTERS = (
    health_router,
    local_blobs_router,
    tenancy_router,
    privacy_router,
    audit_router,
    catalog_router,
    discovery_router,
    enrollment_router,
    learning_router,
    media_router,
    assessment_router,
    question_drafts_router,
    credentials_router,
    notifications_router,
    billing_router,
    reporting_router,
)


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
    )
    app.state.platform_provider = provider
    install_problem_handlers(app)
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_request_bytes)
    for router in ROUTERS:
        app.include_router(router)
    return app
