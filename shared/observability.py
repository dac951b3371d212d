"""Structured JSON logs with the request's correlation id on every line."""

from __future__ import annotations

import atexit
import contextlib
import copy
import json
import logging
import logging.handlers
import queue
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
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)


class QueuedLines(logging.handlers.QueueHandler):
    """Hands each record to a queue; a listener thread formats it as JSON and writes it, so no
    request waits on stderr (a pipe that is slow to drain, a terminal). What depends on the emitting
    thread is settled here: the correlation and tenant ids (``ContextFilter``, added to this handler),
    the message with its arguments, and the traceback as text. ``extra`` fields stay on the record."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        prepared = copy.copy(record)
        prepared.msg = record.getMessage()
        prepared.args = None
        if record.exc_info:
            prepared.exc_text = record.exc_text or _TRACEBACKS.formatException(record.exc_info)
        prepared.exc_info = None
        return prepared


_TRACEBACKS = logging.Formatter()


def configure_logging(level: str = "INFO") -> None:
    """Send every log line to stderr as one JSON object, written by a listener thread (idempotent;
    the lines still queued are written at exit)."""
    root = logging.getLogger()
    if any(isinstance(h, QueuedLines) for h in root.handlers):
        return
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(JsonFormatter())
    handler = QueuedLines(lines)
    handler.addFilter(ContextFilter())
    listener = logging.handlers.QueueListener(lines, writer)
    listener.start()
    atexit.register(listener.stop)
    root.addHandler(handler)
    root.setLevel(level.upper())
