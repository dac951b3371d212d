"""HTTP routes of the caller's notifications: the list (polling), read state, and the event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from shared.http.deps import Continuation, GuardedRoute, Limit, Services, TenantGuard, TicketGuard
from shared.notifications import service, stream
from shared.notifications.model import (
    NOTIFICATION_ID_PATTERN,
    SEQ_PATTERN,
    NotificationPage,
    NotificationView,
    ReadAllResult,
    StreamTicket,
)
from shared.platform.identity import Principal
from shared.platform.tenancy import TenantContext
from shared.platform.tickets import issue_ticket
from shared.roles import Operation

router = APIRouter(prefix="/api/v1/me/notifications", tags=["notifications"], route_class=GuardedRoute)

Reader = Annotated[TenantContext, Depends(TenantGuard(Operation.NOTIFICATIONS_READ))]
Updater = Annotated[TenantContext, Depends(TenantGuard(Operation.NOTIFICATIONS_UPDATE))]
NotificationIdPath = Annotated[str, Path(pattern=NOTIFICATION_ID_PATTERN)]
Timing = Annotated[stream.StreamTiming, Depends(stream.stream_timing)]
LastEventId = Annotated[
    str | None,
    Header(alias="Last-Event-ID", pattern=SEQ_PATTERN, description="the id of the last event received"),
]
After = Annotated[
    str | None,
    Query(pattern=SEQ_PATTERN, description="resume after this notification seq (Last-Event-ID wins)"),
]
STREAM_PURPOSE = "notifications.stream"
STREAM_TICKET_SECONDS = 300
StreamReader = Annotated[TenantContext, Depends(TicketGuard(Operation.NOTIFICATIONS_READ, STREAM_PURPOSE))]
EVENT_STREAM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "server-sent events: one per notification (id: its seq), heartbeat comments; "
        "the response ends after at most 55 seconds and the client reconnects with Last-Event-ID",
    }
}


@router.get("")
def list_notifications(
    ctx: Reader,
    platform: Services,
    unread: Annotated[bool, Query(description="only unread notifications")] = False,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> NotificationPage:
    return service.list_notifications(platform, ctx, unread_only=unread, limit=limit, continuation=continuation)


@router.post("/read-all")
def mark_all_read(ctx: Updater, platform: Services) -> ReadAllResult:
    return service.mark_all_read(platform, ctx)


@router.post("/{notificationId}/read")
def mark_read(notificationId: NotificationIdPath, ctx: Updater, platform: Services) -> NotificationView:
    return service.mark_read(platform, ctx, notificationId)


@router.post("/stream-tickets", status_code=201)
def create_stream_ticket(ctx: Reader, platform: Services) -> StreamTicket:
    """A ticket that opens the caller's event stream for a few minutes (``?ticket=``), since a
    browser's EventSource cannot send the bearer token; reconnecting after it expired needs a new one."""
    principal = Principal(user_id=ctx.user_id, tenant_id=ctx.tenant_id, roles=ctx.roles)
    ticket = issue_ticket(platform, principal, STREAM_PURPOSE, STREAM_TICKET_SECONDS)
    return StreamTicket(ticket=ticket, expiresIn=STREAM_TICKET_SECONDS)


@router.get("/stream", response_class=EventSourceResponse, responses=EVENT_STREAM_RESPONSE)
async def stream_notifications(
    ctx: StreamReader,
    platform: Services,
    request: Request,
    timing: Timing,
    last_event_id: LastEventId = None,
    after: After = None,
) -> AsyncIterator[ServerSentEvent]:
    # EventSource sends Last-Event-ID on a reconnect, with the URL (and its ?after=) unchanged.
    events = stream.notification_events(
        platform,
        ctx,
        last_event_id or after,
        timing,
        live=stream.wants_event_stream(request.headers.get("accept")),
        end_after_delivery=stream.is_buffered(request.scope),
    )
    async for event in events:
        yield event
