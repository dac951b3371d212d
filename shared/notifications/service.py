"""Notification use cases: telling a user something once, their list, read state, and what a stream
sends next.

Other contexts call ``notify`` (directly, or from a handler of their events); the caller's own
notifications are reached only with their user id, so another user's answer ``NotFound``.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any, cast

from shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from shared.notifications.model import (
    KINDS,
    NEWEST_FIRST,
    NOTIFICATION_TTL_SECONDS,
    NOTIFICATIONS,
    OLDEST_FIRST,
    Notification,
    NotificationKind,
    NotificationPage,
    NotificationView,
    ReadAllResult,
    notification_id,
    sequence_of,
    stamp,
)
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    mentions,
)
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = [
    "PERSONAL_DATA",
    "UNREAD_COUNT_LIMIT",
    "erase_user",
    "export_user",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "notifications_after",
    "notify",
    "purge_activity_before",
]

UNREAD_COUNT_LIMIT = 100
READ_ALL_PAGE = 100
WRITE_ATTEMPTS = 5
# Sorts after every sequence that starts with the same time stamp ('.' + hex id).
_AFTER_STAMP = "~"


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[Notification]:
    return TenantDocuments(platform.documents, NOTIFICATIONS, ctx, Notification)


def _view(doc: Notification) -> NotificationView:
    return NotificationView(
        id=doc.id,
        kind=doc.kind,
        title=doc.title,
        body=doc.body,
        link=doc.link,
        createdAt=doc.createdAt,
        read=doc.read,
        readAt=doc.readAt,
        seq=doc.seq,
    )


def notify(
    platform: Platform,
    ctx: TenantContext,
    user_id: str,
    kind: str,
    title: str,
    body: str,
    link: str | None,
    dedupe_key: str,
) -> None:
    """Tell a user of the tenant something, once per fact: a repeat (or a concurrent caller) with
    the same kind and dedupe key for the same user finds the notification already there."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown notification kind {kind!r}")
    if not user_id or not dedupe_key:
        raise InvalidInput("a notification needs a user and a dedupe key")
    now = platform.clock.now()
    doc_id = notification_id(kind, dedupe_key, user_id)
    doc = Notification(
        id=doc_id,
        userId=user_id,
        kind=cast(NotificationKind, kind),
        title=title,
        body=body,
        link=link,
        dedupeKey=dedupe_key,
        createdAt=now.isoformat(),
        seq=sequence_of(now, doc_id),
        read=False,
        readAt=None,
        ttl=NOTIFICATION_TTL_SECONDS,
    )
    try:
        _docs(platform, ctx).create(doc)
    except Conflict:
        return  # told already: the first writer's notification stands


def _mine(ctx: TenantContext) -> list[Filter]:
    # The kind (type "notification") is filtered by the documents' model.
    return [Filter("userId", "eq", ctx.user_id)]


def _unread_count(platform: Platform, ctx: TenantContext) -> int:
    unread = [*_mine(ctx), Filter("read", "eq", False)]
    return len(_docs(platform, ctx).query(unread, limit=UNREAD_COUNT_LIMIT).items)


def list_notifications(
    platform: Platform, ctx: TenantContext, *, unread_only: bool, limit: int, continuation: str | None
) -> NotificationPage:
    """The caller's notifications, newest first (optionally only unread ones), and how many are unread."""
    filters = _mine(ctx)
    if unread_only:
        filters.append(Filter("read", "eq", False))
    page = _docs(platform, ctx).query(filters, order_by=NEWEST_FIRST, limit=limit, continuation=continuation)
    return NotificationPage(
        items=[_view(d) for d in page.items],
        continuation=page.continuation,
        unreadCount=_unread_count(platform, ctx),
    )


def _own(platform: Platform, ctx: TenantContext, doc_id: str) -> Notification:
    doc = _docs(platform, ctx).read(doc_id)  # another kind under the id is NotFound
    if doc.userId != ctx.user_id:
        raise NotFound()  # someone else's looks exactly like none
    return doc


def _marked_read(platform: Platform, ctx: TenantContext, doc: Notification) -> Notification:
    """The notification marked read (kept as it is if it already was), retrying a concurrent write."""
    for _ in range(WRITE_ATTEMPTS):
        if doc.read:
            return doc
        updated = doc.model_copy(update={"read": True, "readAt": platform.clock.now().isoformat()})
        try:
            return _docs(platform, ctx).replace(updated, if_match=doc.etag)
        except PreconditionFailed:
            doc = _own(platform, ctx, doc.id)
    raise Conflict("the notification kept changing; try again")


def mark_read(platform: Platform, ctx: TenantContext, doc_id: str) -> NotificationView:
    """Mark one of the caller's notifications read."""
    return _view(_marked_read(platform, ctx, _own(platform, ctx, doc_id)))


def mark_all_read(platform: Platform, ctx: TenantContext) -> ReadAllResult:
    """Mark every unread notification of the caller read."""
    unread = [*_mine(ctx), Filter("read", "eq", False)]
    marked = 0
    while True:
        # Each round reads from the start: marking read takes the documents out of the filter.
        page = _docs(platform, ctx).query(unread, order_by=OLDEST_FIRST, limit=READ_ALL_PAGE)
        for doc in page.items:
            _marked_read(platform, ctx, doc)
            marked += 1
        if len(page.items) < READ_ALL_PAGE:
            return ReadAllResult(marked=marked)


def notifications_after(
    platform: Platform, ctx: TenantContext, after: str | None, *, settle_seconds: float, limit: int
) -> list[NotificationView]:
    """The caller's notifications after sequence ``after``, oldest first, that are at least
    ``settle_seconds`` old. Waiting that long means a notification stamped earlier but stored later
    than one already sent (a slower concurrent writer) has landed before the stream moves past it."""
    settled = stamp(platform.clock.now() - timedelta(seconds=settle_seconds)) + _AFTER_STAMP
    filters = [*_mine(ctx), Filter("seq", "lt", settled)]
    if after is not None:
        filters.append(Filter("seq", "gt", after))
    return [_view(d) for d in _docs(platform, ctx).query(filters, order_by=OLDEST_FIRST, limit=limit).items]


# --- retention (shared/privacy/retention.py) -----------------------------------------------------


def purge_activity_before(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    """Delete the tenant's notifications created before ``cutoff`` (its activity retention, when that
    is shorter than the 90 days after which the store drops them anyway); return how many."""
    docs, purged = _docs(platform, ctx), 0
    old = [Filter("createdAt", "lt", cutoff.isoformat())]
    while True:
        page = docs.query(old, limit=READ_ALL_PAGE)
        for doc in page.items:
            with suppress(NotFound):  # its time to live ran out meanwhile
                docs.delete(doc.id)
        purged += len(page.items)
        if len(page.items) < READ_ALL_PAGE:
            return purged


# --- GDPR: this context's part of an export and an erasure (shared/privacy/) -------------


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's notifications, newest first, with their read state."""
    found = documents_mentioning(_docs(platform, ctx), who)
    own = sorted((d for d in found if d.userId == who.user_id), key=lambda d: d.seq, reverse=True)
    return {
        "notifications": [_view(d).model_dump() for d in own],
        "mentions": [mentions(d, who) for d in found if d.userId != who.user_id],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's notifications; pseudonymise any other notification that names them."""
    erase_mentions(_docs(platform, ctx), who, own=lambda doc: doc.userId == who.user_id)


PERSONAL_DATA = PersonalDataFunctions(
    export_user=export_user,
    erase_user=erase_user,
    purge_activity_before=purge_activity_before,
    activity="notifications",
)
