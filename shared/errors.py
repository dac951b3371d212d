"""The one error tree of the platform.

Services and adapters raise these; one exception handler in the HTTP layer maps them
to RFC 9457 problem+json. Nothing below the HTTP edge raises ``HTTPException``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "RateLimited",
    "Unauthorized",
    "Unavailable",
]


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field: where it is and what is wrong with it."""

    location: str
    message: str


class DomainError(Exception):
    """Base of every expected failure. ``slug`` becomes the stable problem ``type``."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str = "", *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra: dict[str, Any] = extra or {}


class InvalidInput(DomainError):
    status = 422
    slug = "invalid-input"
    title = "The request is not valid"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: Sequence[FieldError] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, extra=extra)
        self.errors = list(errors)


class Unauthorized(DomainError):
    status = 401
    slug = "unauthorized"
    title = "Authentication is required"


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "This operation is not allowed for the caller"


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "The resource does not exist"


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "The request conflicts with the current state"


class PreconditionFailed(DomainError):
    status = 412
    slug = "precondition-failed"
    title = "The resource has changed since it was read"


class PayloadTooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title = "The request body is too large"


class RateLimited(DomainError):
    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after_seconds: float = 1.0) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(DomainError):
    status = 503
    slug = "unavailable"
    title = "A dependency is not available"
