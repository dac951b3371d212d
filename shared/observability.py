"""Structured JSON logs with the request's correlation id on every line."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

__all__ = ["ContextFilter", "configure_logging", "correlated", "correlation_id", "tenant_id"]

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
tenant_id: ContextVar[str | None] = ContextVar("tenant_id", default=None)

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


@contextlib.contextmanager
def correlated(value: str | None) -> Iterator[None]:
    """Run the block with ``value`` as the correlation id, as a request runs with its own: a trigger's
    handler (a message, a changed document) then logs and traces under the id of what it handles."""
    token = correlation_id.set(value)
    try:
        yield
    finally:
        correlation_id.reset(token)


class ContextFilter(logging.Filter):
    """Puts the request's correlation id and tenant id on every record a handler emits,
    so JSON lines and Application Insights traces both carry them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for attribute, var in (("correlationId", correlation_id), ("tenantId", tenant_id)):
            value = var.get()
            if value and not hasattr(record, attribute):
                setattr(record, attribute, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send every log line to stderr as one JSON object (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level.upper())
