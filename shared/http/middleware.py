"""The ASGI edge every request passes: correlation id, access log, body size limit,
security headers, CORS (``shared/http/cors.py``). Pure ASGI (not BaseHTTPMiddleware) so streamed
responses stay streamed."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.cors import CorsPolicy
from shared.http.problems import problem_response
from shared.observability import correlation_id, tenant_id

__all__ = ["EdgeMiddleware", "new_correlation_id"]

log = logging.getLogger("lms.access")

_CID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A request without a usable X-Correlation-Id gets this process's random prefix and the next number:
# unique across processes and requests, and a counter instead of a uuid4 (an os.urandom call) each time.
_CID_PREFIX = secrets.token_hex(6)
_CID_NUMBERS = itertools.count(1)


def new_correlation_id() -> str:
    """A fresh correlation id (hex digits: 12 of the prefix, then at least 8)."""
    return f"{_CID_PREFIX}{next(_CID_NUMBERS):08x}"


_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# The docs page loads Swagger UI's script and style from its CDN; nothing else may.
_DOCS_CSP = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    b"connect-src 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# Signed uploads to the embedded blob route carry video files; that route enforces its own limit.
SIGNED_UPLOAD_PREFIX = "/api/local-blobs/"


def _is_signed_upload(scope: Scope) -> bool:
    return bool(scope.get("method") == "PUT" and str(scope.get("path", "")).startswith(SIGNED_UPLOAD_PREFIX))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_preflight(scope: Scope) -> bool:
    return bool(
        scope.get("method") == "OPTIONS"
        and _header(scope, b"origin") is not None
        and _header(scope, b"access-control-request-method") is not None
    )


def _vary_on_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with ``Origin`` added to ``Vary``: with CORS on, an answer depends on the caller's origin."""
    vary = [v for k, v in headers if k.lower() == b"vary"]
    values = [part.strip() for v in vary for part in v.split(b",") if part.strip()]
    if any(part.lower() in (b"origin", b"*") for part in values):
        return headers
    rest = [(k, v) for k, v in headers if k.lower() != b"vary"]
    return [*rest, (b"vary", b", ".join([*values, b"Origin"]))]


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, cors: CorsPolicy | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.cors = cors or CorsPolicy.of(())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-correlation-id")
        cid = incoming if incoming and _CID.match(incoming) else new_correlation_id()
        token = correlation_id.set(cid)
        tenant_token = tenant_id.set(None)
        state: dict[str, Any] = {"status": 500, "start": time.perf_counter()}
        try:
            wrapped_send = self._sending(scope, send, cid, state)
            if _is_preflight(scope):
                await self._preflight(scope, receive, wrapped_send)
            elif _is_signed_upload(scope):
                await self._guarded(scope, receive, wrapped_send, state)
            elif self._declared_too_large(scope):
                await self._too_large(scope, receive, wrapped_send)
            else:
                await self._guarded(scope, self._limited(receive), wrapped_send, state)
        finally:
            self._log(scope, cid, state)
            tenant_id.reset(tenant_token)
            correlation_id.reset(token)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any]) -> None:
        """Run the app; an unexpected error becomes a 500 problem that still carries the
        edge headers (Starlette's own error page would be sent outside this middleware)."""
        try:
            await self.app(scope, receive, send)
        except Exception:
            log.exception("unexpected error", extra={"path": scope.get("path")})
            if state.get("started"):
                raise
            response = problem_response(500, "internal", "Internal error", "an unexpected error occurred")
            await response(scope, receive, send)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a CORS preflight here: 204 with the policy's headers, or 403 without any."""
        allowed = self.cors.preflight(
            _header(scope, b"origin"),
            _header(scope, b"access-control-request-method") or "",
            _header(scope, b"access-control-request-headers"),
        )
        if not allowed:
            response = problem_response(
                403, "cors-refused", "Cross-origin request refused", "this origin, method or header is not allowed"
            )
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 204, "headers": allowed})
        await send({"type": "http.response.body", "body": b""})

    def _declared_too_large(self, scope: Scope) -> bool:
        declared = _header(scope, b"content-length")
        if declared is None:
            return False
        return not declared.isdigit() or int(declared) > self.max_body_bytes

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, "payload-too-large", "The request body is too large", f"at most {self.max_body_bytes} bytes"
        )
        await response(scope, receive, send)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    # An HTTPException passes FastAPI's body parsing untouched (others become 400).
                    raise HTTPException(413, f"at most {self.max_body_bytes} bytes")
            return message

        return limited_receive

    def _sending(self, scope: Scope, send: Send, cid: str, state: dict[str, Any]) -> Send:
        is_docs = scope.get("path", "").startswith("/api/docs")
        cors = [] if _is_preflight(scope) else self.cors.response_headers(_header(scope, b"origin"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                # A list, not a dict: repeated headers (Set-Cookie) must survive.
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-correlation-id"]
                present = {k.lower() for k, _ in headers}
                defaults = [
                    *_SECURITY_HEADERS,
                    (b"content-security-policy", _DOCS_CSP if is_docs else _API_CSP),
                    (b"cache-control", b"no-store"),
                ]
                headers += [(k, v) for k, v in defaults if k not in present]
                headers += [(k, v) for k, v in cors if k not in present]
                if self.cors.enabled:
                    headers = _vary_on_origin(headers)
                headers.append((b"x-correlation-id", cid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers

    @staticmethod
    def _log(scope: Scope, cid: str, state: dict[str, Any]) -> None:
        log.info(
            "request",
            extra={
                "correlationId": cid,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "status": state["status"],
                "durationMs": round((time.perf_counter() - state["start"]) * 1000, 2),
            },
        )
