"""Liveness and readiness."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from shared.http.deps import PUBLIC, GuardedRoute, Services

router = APIRouter(prefix="/api", tags=["platform"], route_class=GuardedRoute)
log = logging.getLogger("lms.health")


@router.get("/health", openapi_extra=PUBLIC)
def health() -> dict[str, str]:
    """The process answers (liveness); says nothing about dependencies."""
    return {"status": "ok"}


@router.get("/ready", openapi_extra=PUBLIC, responses={503: {"description": "a dependency is down"}})
def ready(platform: Services) -> JSONResponse:
    """Each dependency's state; 503 if any cannot be reached."""
    checks: dict[str, Any] = {}
    for name, port in platform.readiness_checks().items():
        try:
            port.ping()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - a probe reports any failure instead of failing itself
            log.warning("dependency not ready", extra={"dependency": name, "error": str(exc)})
            checks[name] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)
