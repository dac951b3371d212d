"""One place where Azure SDK errors become the platform's own errors (httpx's
``map_httpcore_exceptions`` idea): adapters wrap SDK calls in ``map_azure_errors()``."""

from __future__ import annotations

from collections.abc import Iterator
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

__all__ = ["map_azure_errors"]

_BY_STATUS: dict[int, type[DomainError]] = {
    400: InvalidInput,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
}


def _retry_after(error: HttpResponseError) -> float:
    headers = getattr(error.response, "headers", None) or {}
    for name, scale in (("x-ms-retry-after-ms", 0.001), ("retry-after-ms", 0.001), ("Retry-After", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                continue
    return 1.0


@contextmanager
def map_azure_errors(what: str = "an Azure service") -> Iterator[None]:
    """Translate SDK exceptions raised inside the block into the platform's error tree."""
    try:
        yield
    except ResourceNotFoundError as exc:
        raise NotFound() from exc
    except ResourceExistsError as exc:
        raise Conflict() from exc
    except ResourceModifiedError as exc:
        raise PreconditionFailed() from exc
    except ClientAuthenticationError as exc:
        raise Unavailable(f"{what} refused the app's credentials") from exc
    except HttpResponseError as exc:
        status = exc.status_code or 0
        if status == 429:
            raise RateLimited(f"{what} is throttling", retry_after_seconds=_retry_after(exc)) from exc
        if status in _BY_STATUS:
            raise _BY_STATUS[status](f"{what} refused the request") from exc
        raise Unavailable(f"{what} failed ({status})") from exc
    except AzureError as exc:
        raise Unavailable(f"{what} cannot be reached") from exc
