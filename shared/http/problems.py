"""Every failure becomes RFC 9457 ``application/problem+json`` with a stable ``type``."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError, InvalidInput, RateLimited, Unauthorized
from shared.observability import correlation_id

__all__ = ["install_problem_handlers", "problem_response"]

log = logging.getLogger("lms.http")

_SLUG_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "rate-limited",
}


def problem_response(
    status: int, slug: str, title: str, detail: str, request: Request | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}
    if request is not None:
        body["instance"] = request.url.path
    cid = correlation_id.get()
    if cid:
        body["correlationId"] = cid
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    extra: dict[str, Any] = dict(exc.extra)
    if isinstance(exc, InvalidInput) and exc.errors:
        extra["errors"] = [{"location": e.location, "message": e.message} for e in exc.errors]
    response = problem_response(exc.status, exc.slug, exc.title, exc.detail, request, **extra)
    if isinstance(exc, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after_seconds)))
    if exc.status >= 500:
        log.error("dependency failure", exc_info=exc)
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(400, "malformed-json", "The body is not valid JSON", "malformed JSON", request)
    # The offending input is not echoed back: it may be huge or sensitive.
    fields = [
        {"location": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors[:50]
    ]
    return problem_response(
        422, InvalidInput.slug, InvalidInput.title, "see errors for each field", request, errors=fields
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    slug = _SLUG_BY_STATUS.get(status, "http-error")
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "HTTP error"
    detail = exc.detail if isinstance(exc.detail, str) else title
    response = problem_response(status, slug, title, detail, request)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
