"""One place where Azure SDK errors become the platform's own errors (httpx's
``map_httpcore_exceptions`` idea): adapters wrap SDK calls in ``map_azure_errors()``, and read a
throttled service's wait from ``retry_after_seconds``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)

from shared.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RateLimited,
    Unavailable,
)

__all__ = ["map_azure_errors", "retry_after_seconds"]

_BY_STATUS: dict[int, type[DomainError]] = {
    400: InvalidInput,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
}


# Azure services say how long to wait in milliseconds (Cosmos DB, OpenAI) or in seconds (the HTTP header).
_RETRY_AFTER = (("x-ms-retry-after-ms", 0.001), ("retry-after-ms", 0.001), ("retry-after", 1.0))


def retry_after_seconds(headers: Mapping[str, str] | None, default: float = 1.0) -> float:
    """How long a throttled service asks the caller to wait, from its response headers."""
    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    for name, scale in _RETRY_AFTER:
        value = lowered.get(name)
        if value:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return default


def _headers(error: HttpResponseError) -> Mapping[str, str]:
    own = getattr(error, "headers", None)
    return own or getattr(error.response, "headers", None) or {}


def _domain_error(what: str, exc: AzureError) -> DomainError:
    if isinstance(exc, ResourceNotFoundError):
        return NotFound()
    if isinstance(exc, ResourceExistsError):
        return Conflict()
    if isinstance(exc, ResourceModifiedError):
        return PreconditionFailed()
    if isinstance(exc, ClientAuthenticationError):
        return Unavailable(f"{what} refused the app's credentials")
    if isinstance(exc, HttpResponseError):
        status = exc.status_code or 0
        if status == 429:
            return RateLimited(f"{what} is throttling", retry_after_seconds=retry_after_seconds(_headers(exc)))
        if status in _BY_STATUS:
            return _BY_STATUS[status](f"{what} refused the request")
        return Unavailable(f"{what} failed ({status})")
    return Unavailable(f"{what} cannot be reached")


@contextmanager
def map_azure_errors(
    what: str = "an Azure service", *, refine: Callable[[HttpResponseError], DomainError | None] | None = None
) -> Iterator[None]:
    """Translate SDK exceptions raised inside the block into the platform's error tree; ``refine``
    lets one service name its own cases first (None: the general rule applies)."""
    try:
        yield
    except AzureError as exc:
        refined = refine(exc) if refine is not None and isinstance(exc, HttpResponseError) else None
        raise (refined or _domain_error(what, exc)) from exc
