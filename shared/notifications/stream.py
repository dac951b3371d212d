"""The caller's notifications as server-sent events, within what the Functions HTTP path allows.

The response is a bounded stream: a ``retry:`` hint, every stored notification after the client's
last event id (``Last-Event-ID`` or ``?after=``), then a poll of the store every few seconds with
heartbeat comments, until the bound (55 s, below every gateway's idle and request limits). Then it
ends and the client's EventSource reconnects with ``Last-Event-ID``, so nothing is missed or repeated.

Two hosts differ. Uvicorn (the local runtime) streams each event as it is sent. The Functions ASGI
bridge buffers a response until it ends, so there the stream ends as soon as it has delivered
something, and the client hears of a notification within one poll instead of at the bound. A client
that does not ask for ``text/event-stream`` (not an EventSource) gets what is stored and the end at
once: a stray GET never holds a worker for a minute.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.sse import ServerSentEvent

from shared.notifications import service
from shared.notifications.model import NotificationView
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext

__all__ = [
    "DEFAULT_TIMING",
    "EVENT_STREAM",
    "StreamTiming",
    "is_buffered",
    "notification_events",
    "stream_timing",
    "wants_event_stream",
]

EVENT_STREAM = "text/event-stream"


@dataclass(frozen=True)
class StreamTiming:
    """How long a stream lasts and how often it polls and beats; ``sleep`` and ``monotonic`` are
    injectable so tests run a whole stream in fake time."""

    bound_seconds: float = 55.0
    poll_seconds: float = 5.0
    heartbeat_seconds: float = 15.0
    # Notifications are sent once this old (see service.notifications_after).
    settle_seconds: float = 2.0
    retry_milliseconds: int = 3000
    batch: int = 100
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    monotonic: Callable[[], float] = time.monotonic


DEFAULT_TIMING = StreamTiming()


def stream_timing() -> StreamTiming:
    """The stream's timing (a dependency, so tests can make streams short)."""
    return DEFAULT_TIMING


def wants_event_stream(accept: str | None) -> bool:
    """Whether the client asked for an event stream, as an EventSource does."""
    types = (part.split(";", 1)[0].strip().lower() for part in (accept or "").split(","))
    return EVENT_STREAM in types


def is_buffered(scope: Mapping[str, Any]) -> bool:
    """Whether the request came through the Functions ASGI bridge, which buffers whole responses."""
    return "azure_functions.function_name" in scope


async def _due(
    platform: Platform, ctx: TenantContext, cursor: str | None, timing: StreamTiming
) -> list[NotificationView]:
    # The store is synchronous: read it in the thread pool, never on the event loop.
    return await run_in_threadpool(
        service.notifications_after, platform, ctx, cursor, settle_seconds=timing.settle_seconds, limit=timing.batch
    )


async def notification_events(
    platform: Platform,
    ctx: TenantContext,
    after: str | None,
    timing: StreamTiming,
    *,
    live: bool,
    end_after_delivery: bool,
) -> AsyncIterator[ServerSentEvent]:
    """A ``retry:`` hint, then the caller's notifications after ``after`` as server-sent events in
    order (FastAPI writes them out). With ``live`` the store is polled until ``timing.bound_seconds``
    have passed (or, with ``end_after_delivery``, until something was sent), with a heartbeat
    comment every ``timing.heartbeat_seconds``; without it, the stream ends after the first round."""
    yield ServerSentEvent(retry=timing.retry_milliseconds)
    start = timing.monotonic()
    deadline, next_beat = start + timing.bound_seconds, start + timing.heartbeat_seconds
    cursor, delivered = after, False
    while True:
        due = await _due(platform, ctx, cursor, timing)
        for view in due:
            yield ServerSentEvent(data=view, id=view.seq)
        if due:
            cursor, delivered = due[-1].seq, True
            if len(due) == timing.batch:
                continue  # more are waiting: read on at once
        if not live or (delivered and end_after_delivery):
            return
        now = timing.monotonic()
        if now >= deadline:
            return
        if now >= next_beat:
            yield ServerSentEvent(comment="keep-alive")
            next_beat = now + timing.heartbeat_seconds
        await timing.sleep(max(0.0, min(timing.poll_seconds, deadline - now, next_beat - now)))
