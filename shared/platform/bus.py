"""The message bus port: queues and topics with peek-lock delivery.

Entities follow Service Bus: a queue is named by itself; a topic is sent to by its
name and received from through a subscription, ``"{topic}/subscriptions/{name}"``.
Received messages are locked for the entity's lock duration; ``complete`` removes
them, ``abandon`` releases them for another delivery, ``dead_letter`` moves them
to the entity's dead-letter queue with a reason. A message delivered more than the
entity's ``max_delivery_count`` times is dead-lettered with the reason
``MaxDeliveryCountExceeded``. A ``message_id`` sent again within the duplicate
detection window is dropped, so a relay that retries never publishes twice.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.errors import Conflict, InvalidInput

__all__ = [
    "DEAD_LETTER_SUFFIX",
    "BusTopology",
    "EntityOptions",
    "MessageBus",
    "MessageLockLost",
    "OutgoingMessage",
    "ReceivedMessage",
    "subscription_path",
    "validate_outgoing",
]

DEAD_LETTER_SUFFIX = "/$deadletterqueue"
MAX_DELIVERY_REASON = "MaxDeliveryCountExceeded"


MAX_MESSAGE_ID = 128  # Service Bus's limit, so ids that work on the embedded bus work in Azure


def validate_outgoing(message: OutgoingMessage) -> None:
    """Refuse a malformed message before a send starts, so a batch never fails half-way on input."""
    if not isinstance(message.body, bytes):
        raise InvalidInput("a message body is bytes")
    if not isinstance(message.message_id, str) or not 0 < len(message.message_id) <= MAX_MESSAGE_ID:
        raise InvalidInput(f"a message id is 1-{MAX_MESSAGE_ID} characters")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in message.properties.items()):
        raise InvalidInput("message properties map strings to strings")


def subscription_path(topic: str, subscription: str) -> str:
    return f"{topic}/subscriptions/{subscription}"


class MessageLockLost(Conflict):
    """The lock of a received message expired (or it was settled) before settlement."""

    slug = "message-lock-lost"
    title = "The message lock was lost"


@dataclass(frozen=True)
class EntityOptions:
    lock_seconds: float = 60.0
    max_delivery_count: int = 10
    duplicate_window_seconds: float = 600.0
    # A topic subscription's filter: only messages whose ``type`` property is one of these (the event
    # types its consumer handles) reach it; None, every message. Service Bus applies it as the
    # subscription's SQL rule (infra/bus-subscriptions.json), the embedded bus when it fans out.
    event_types: frozenset[str] | None = None

    def admits(self, message: OutgoingMessage) -> bool:
        return self.event_types is None or message.properties.get("type") in self.event_types


@dataclass(frozen=True)
class BusTopology:
    """The queues and topics (with their subscriptions) that exist, with their options."""

    queues: Mapping[str, EntityOptions] = field(default_factory=dict)
    topics: Mapping[str, Mapping[str, EntityOptions]] = field(default_factory=dict)

    def receivable_entities(self) -> list[str]:
        return [*self.queues, *(subscription_path(t, s) for t, subs in self.topics.items() for s in subs)]


@dataclass(frozen=True)
class OutgoingMessage:
    body: bytes
    message_id: str
    subject: str | None = None
    scheduled_at: datetime | None = None
    properties: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, payload: Any, *, message_id: str, **kwargs: Any) -> OutgoingMessage:
        return cls(body=json.dumps(payload, separators=(",", ":")).encode(), message_id=message_id, **kwargs)


@dataclass(frozen=True)
class ReceivedMessage:
    entity: str
    message_id: str
    body: bytes
    subject: str | None
    properties: Mapping[str, str]
    delivery_count: int
    enqueued_at: datetime
    lock_token: str
    dead_letter_reason: str | None = None
    dead_letter_description: str | None = None

    def json(self) -> Any:
        return json.loads(self.body)


class MessageBus(ABC):
    @abstractmethod
    def send(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        """Send to a queue or topic. ``scheduled_at`` delays visibility; a duplicate
        ``message_id`` within the window is silently dropped."""

    @abstractmethod
    def receive(self, entity: str, *, max_messages: int = 10, max_wait_seconds: float = 0.0) -> list[ReceivedMessage]:
        """Peek-lock up to ``max_messages`` from a queue, a subscription, or a
        dead-letter queue (``entity + DEAD_LETTER_SUFFIX``)."""

    @abstractmethod
    def complete(self, message: ReceivedMessage) -> None:
        """Settle a message as done; ``MessageLockLost`` if its lock expired."""

    @abstractmethod
    def renew_lock(self, message: ReceivedMessage) -> None:
        """Extend the lock of a message still being handled by the entity's lock duration from now;
        ``MessageLockLost`` if the lock already expired or the message was settled."""

    @abstractmethod
    def abandon(self, message: ReceivedMessage) -> None:
        """Release the lock so the message is delivered again."""

    @abstractmethod
    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        """Move the message to the entity's dead-letter queue with a reason."""

    def ping(self) -> None:  # noqa: B027 - optional readiness hook
        """Raise ``Unavailable`` if the bus cannot be reached."""
