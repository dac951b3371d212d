"""Notifications: what a user is told (a certificate, a ready video, an assignment, a graded quiz), and
the pure rules about their ids and their order.

A notification is one document per user and fact: its id is derived from the kind, the fact's
dedupe key and the user, so a repeated or concurrent ``notify`` finds the same document instead of
making a second one. Its ``seq`` (creation time at microsecond precision, then the id) orders a
user's notifications and is the server-sent event id a client resumes after (``Last-Event-ID``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import ClassVar, Literal, get_args

from pydantic import Field

from shared.kernel import OutputModel
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec, Order
from shared.platform.stored import StoredDocument

__all__ = [
    "KINDS",
    "NEWEST_FIRST",
    "NOTIFICATIONS",
    "NOTIFICATIONS_CONTAINER",
    "NOTIFICATION_ID_PATTERN",
    "NOTIFICATION_TTL_SECONDS",
    "OLDEST_FIRST",
    "SEQ_PATTERN",
    "Notification",
    "NotificationKind",
    "NotificationPage",
    "NotificationView",
    "ReadAllResult",
    "StreamTicket",
    "notification_id",
    "sequence_of",
    "stamp",
]

NOTIFICATIONS = "notifications"
NEWEST_FIRST = (Order("seq", descending=True),)
OLDEST_FIRST = (Order("seq"),)
# Every learner's notifications: keyed by tenant then id.
NOTIFICATIONS_CONTAINER = ContainerSpec(
    NOTIFICATIONS,
    orderings=(NEWEST_FIRST, OLDEST_FIRST),
    filters=("type", "userId", "read", "createdAt"),
    partition_key=TENANT_THEN_ID_KEY,
)
# A notification is news for a while, not a record: the store drops it after 90 days.
NOTIFICATION_TTL_SECONDS = 90 * 24 * 3600

NotificationKind = Literal["certificate_ready", "video_ready", "enrollment_assigned", "quiz_graded"]
KINDS: frozenset[str] = frozenset(get_args(NotificationKind))

NOTIFICATION_ID_PATTERN = r"^[0-9a-f]{32}$"
SEQ_PATTERN = r"^[0-9]{8}T[0-9]{12}Z\.[0-9a-f]{32}$"


def notification_id(kind: str, dedupe_key: str, user_id: str) -> str:
    """The one id of the notification of a fact (kind and dedupe key) for a user."""
    digest = hashlib.sha256("\n".join((kind, dedupe_key, user_id)).encode()).hexdigest()
    return digest[:32]


def stamp(moment: datetime) -> str:
    """A fixed-width UTC time to the microsecond (``20260101T120000123456Z``) that sorts as it reads."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def sequence_of(created: datetime, doc_id: str) -> str:
    """A notification's place in its user's sequence: creation time, then id (unique, sortable)."""
    return f"{stamp(created)}.{doc_id}"


class Notification(StoredDocument):
    """A notification as stored: one per user and fact, in the ``notifications`` container."""

    KIND: ClassVar[str] = "notification"
    type: Literal["notification"] = "notification"
    userId: str
    kind: NotificationKind
    title: str
    body: str
    link: str | None = None
    dedupeKey: str
    createdAt: str
    seq: str
    read: bool = False
    readAt: str | None = None


class NotificationView(OutputModel):
    id: str
    kind: NotificationKind
    title: str
    body: str
    link: str | None = Field(default=None, description="the API path of what the notification is about")
    createdAt: str
    read: bool
    readAt: str | None = None
    seq: str = Field(description="the server-sent event id; send it back as Last-Event-ID or ?after= to resume")


class NotificationPage(OutputModel):
    """One page of the caller's notifications, newest first, with how many are unread."""

    items: list[NotificationView]
    continuation: str | None = None
    unreadCount: int = Field(description="the caller's unread notifications, counted up to 100")


class ReadAllResult(OutputModel):
    marked: int = Field(description="how many notifications this call marked read")


class StreamTicket(OutputModel):
    ticket: str = Field(description="pass as ?ticket= to GET /stream; valid for expiresIn seconds")
    expiresIn: int
