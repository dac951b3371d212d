"""Cross-origin access for the web app when it is served from another origin (Static Web Apps in
Azure, a Vite dev server locally): exactly the origins of ``LMS_WEB_ORIGINS``, never ``*``.

The edge middleware asks this policy about every request. A listed origin gets
``Access-Control-Allow-Origin: <that origin>`` and the response headers a client reads exposed; a
preflight from it, for a method and request headers the API accepts, is answered 204 here without
reaching a route. Any other preflight (an origin not listed, a method or header the API does not
take) is answered 403 problem+json without CORS headers, so the browser refuses the request; a simple
request from an origin not listed is served as usual, without CORS headers, so the browser withholds
the response from the page. No credentials mode: the web app sends bearer tokens, not cookies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "EXPOSED_HEADERS", "CorsPolicy"]

ALLOWED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Every request header a route or the edge reads: what the client accepts (an event stream), the bearer token,
# JSON bodies, ETag preconditions, the event stream's resume point, the caller's correlation id, and
# the blob type a signed upload PUT carries (the embedded profile's local blob route takes it).
ALLOWED_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Last-Event-ID",
    "X-Correlation-ID",
    "x-ms-blob-type",
)
# Response headers a client needs beyond the safelisted ones (Cache-Control, Content-Type, ...).
EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Retry-After",
    "X-Correlation-ID",
    "Content-Disposition",
    "WWW-Authenticate",
)
PREFLIGHT_MAX_AGE_SECONDS = 600


@dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str]

    @classmethod
    def of(cls, origins: Iterable[str]) -> CorsPolicy:
        return cls(frozenset(origins))

    @property
    def enabled(self) -> bool:
        return bool(self.origins)

    def allows(self, origin: str | None) -> bool:
        return origin is not None and origin in self.origins

    def response_headers(self, origin: str | None) -> list[tuple[bytes, bytes]]:
        """The CORS headers of an actual (not preflight) response to a request from ``origin``."""
        if not self.allows(origin):
            return []
        assert origin is not None
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode()),
        ]

    def preflight(self, origin: str | None, method: str, request_headers: str | None) -> list[tuple[bytes, bytes]]:
        """The headers of a 204 answering the preflight, or ``[]`` when it is refused."""
        if not self.allows(origin) or method.upper() not in ALLOWED_METHODS:
            return []
        allowed = {h.lower() for h in ALLOWED_HEADERS}
        asked = [h.strip().lower() for h in (request_headers or "").split(",") if h.strip()]
        if any(h not in allowed for h in asked):
            return []
        assert origin is not None
        return [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", ", ".join(ALLOWED_METHODS).encode()),
            (b"access-control-allow-headers", ", ".join(ALLOWED_HEADERS).encode()),
            (b"access-control-max-age", str(PREFLIGHT_MAX_AGE_SECONDS).encode()),
        ]
