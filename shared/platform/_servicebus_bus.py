"""The message bus on Azure Service Bus (``azure-servicebus``).

Sends go through one long-lived sender per queue or topic, packed into as few
``ServiceBusMessageBatch`` es as fit; the service drops a ``message_id`` seen within the
entity's duplicate detection window, so the entity must have ``requiresDuplicateDetection``.
Receives use one long-lived PEEK_LOCK receiver per queue, subscription or dead-letter queue.
The SDK's handlers are not thread-safe, so each is used under its own lock. Each received
SDK message is held by its lock token until it is settled (or its lock expires), so that
``complete``/``abandon``/``dead_letter`` settle that exact message through the receiver
that delivered it. Every SDK call runs inside ``_map_servicebus_errors``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusReceivedMessage,
    ServiceBusReceiveMode,
    ServiceBusReceiver,
    ServiceBusSender,
    ServiceBusSubQueue,
)
from azure.servicebus.exceptions import (
    MessageAlreadySettled,
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusServerBusyError,
    SessionLockLostError,
)

from shared.errors import InvalidInput, NotFound, PayloadTooLarge, RateLimited
from shared.platform._azure_errors import map_azure_errors
from shared.platform.bus import (
    DEAD_LETTER_SUFFIX,
    BusTopology,
    MessageBus,
    MessageLockLost,
    OutgoingMessage,
    ReceivedMessage,
    validate_outgoing,
)
from shared.platform.clock import Clock, SystemClock

__all__ = ["ServiceBusMessageBus", "servicebus_client"]

_SUBSCRIPTIONS = "/subscriptions/"
# The service adds these to a dead-lettered message's application properties; the port
# carries them as dead_letter_reason/description, not as the sender's properties.
_DEAD_LETTER_PROPERTIES = ("DeadLetterReason", "DeadLetterErrorDescription")
_SERVER_BUSY_SECONDS = 10.0  # Service Bus asks a busy client to back off for 10 s

_Handler = TypeVar("_Handler", ServiceBusSender, ServiceBusReceiver)


def servicebus_client(
    fully_qualified_namespace: str | None, connection_string: str | None, credential: Any, **options: Any
) -> ServiceBusClient:
    """A client from a connection string (local tools) or else the namespace and the app's TokenCredential."""
    if connection_string:
        return ServiceBusClient.from_connection_string(connection_string, **options)
    if not fully_qualified_namespace or credential is None:
        raise ValueError("Service Bus needs a connection string, or a namespace and a credential")
    return ServiceBusClient(fully_qualified_namespace, credential, **options)


@contextmanager
def _map_servicebus_errors() -> Iterator[None]:
    """Service Bus errors as the port's; the rest (auth, connection, timeouts) become ``Unavailable``."""
    with map_azure_errors("Service Bus"):
        try:
            yield
        except (MessageLockLostError, SessionLockLostError, MessageAlreadySettled) as exc:
            raise MessageLockLost("the message lock was lost or the message was already settled") from exc
        except MessagingEntityNotFoundError as exc:
            raise NotFound("the Service Bus entity does not exist") from exc
        except MessageSizeExceededError as exc:
            raise PayloadTooLarge("the message is larger than Service Bus accepts") from exc
        except ServiceBusServerBusyError as exc:
            raise RateLimited("Service Bus is busy", retry_after_seconds=_SERVER_BUSY_SECONDS) from exc


@dataclass
class _Exclusive(Generic[_Handler]):
    """An SDK handler with the lock that serializes its use."""

    handler: _Handler
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Held:
    """A received SDK message, kept so that it can be settled."""

    entity: str
    message: ServiceBusReceivedMessage


class ServiceBusMessageBus(MessageBus):
    def __init__(
        self,
        client: ServiceBusClient,
        topology: BusTopology,
        *,
        min_wait_seconds: float = 0.5,
        clock: Clock | None = None,
    ) -> None:
        """``min_wait_seconds`` bounds a receive below: the SDK needs a wait above zero."""
        self._client = client
        self._topology = topology
        self._min_wait = min_wait_seconds
        self._clock = clock or SystemClock()
        self._guard = threading.Lock()  # over the maps below; held only while building handlers, never for I/O
        self._senders: dict[str, _Exclusive[ServiceBusSender]] = {}
        self._receivers: dict[str, _Exclusive[ServiceBusReceiver]] = {}
        self._held: dict[str, _Held] = {}

    # --- entities -----------------------------------------------------------------------

    def _check_receivable(self, entity: str) -> None:
        base = entity.removesuffix(DEAD_LETTER_SUFFIX)
        if base in self._topology.queues:
            return
        topic, _, sub = base.partition(_SUBSCRIPTIONS)
        if sub not in self._topology.topics.get(topic, {}):
            raise NotFound(f"no bus entity {entity!r}")

    def _sender(self, entity: str) -> _Exclusive[ServiceBusSender]:
        if entity not in self._topology.queues and entity not in self._topology.topics:
            raise NotFound(f"no queue or topic {entity!r}")
        with self._guard:
            if entity not in self._senders:
                with _map_servicebus_errors():
                    sender = (
                        self._client.get_queue_sender(entity)
                        if entity in self._topology.queues
                        else self._client.get_topic_sender(entity)
                    )
                self._senders[entity] = _Exclusive(sender)
            return self._senders[entity]

    def _receiver(self, entity: str) -> _Exclusive[ServiceBusReceiver]:
        with self._guard:
            if entity not in self._receivers:
                with _map_servicebus_errors():
                    self._receivers[entity] = _Exclusive(self._open_receiver(entity))
            return self._receivers[entity]

    def _open_receiver(self, entity: str) -> ServiceBusReceiver:
        base = entity.removesuffix(DEAD_LETTER_SUFFIX)
        options: dict[str, Any] = {"receive_mode": ServiceBusReceiveMode.PEEK_LOCK, "prefetch_count": 0}
        if base != entity:
            options["sub_queue"] = ServiceBusSubQueue.DEAD_LETTER
        topic, _, subscription = base.partition(_SUBSCRIPTIONS)
        if subscription:
            return self._client.get_subscription_receiver(topic, subscription, **options)
        return self._client.get_queue_receiver(base, **options)

    # --- the port -----------------------------------------------------------------------

    def send(self, entity: str, messages: Sequence[OutgoingMessage]) -> None:
        """Send to a queue or topic, in as many batches as the messages need.

        The batches are not one transaction, but a retry of the whole list is safe: the
        service drops the ``message_id`` s that already arrived."""
        link = self._sender(entity)
        outgoing = [_to_sdk(m) for m in messages]
        if not outgoing:
            return
        with link.lock, _map_servicebus_errors():
            _send_in_batches(link.handler, outgoing)

    def receive(self, entity: str, *, max_messages: int = 10, max_wait_seconds: float = 0.0) -> list[ReceivedMessage]:
        """Peek-lock up to ``max_messages`` from a queue, a subscription or a dead-letter queue."""
        self._check_receivable(entity)
        if max_messages < 1:
            raise InvalidInput("max_messages must be at least 1")
        link = self._receiver(entity)
        with link.lock, _map_servicebus_errors():
            received = link.handler.receive_messages(
                max_message_count=max_messages, max_wait_time=max(max_wait_seconds, self._min_wait)
            )
        now = self._clock.now()
        with self._guard:
            # A message whose lock expired can no longer be settled; keep the map from growing.
            expired = [token for token, held in self._held.items() if _lock_expired(held.message, now)]
            for token in expired:
                del self._held[token]
            self._held.update((str(m.lock_token), _Held(entity, m)) for m in received)
        return [_to_port(entity, m) for m in received]

    def complete(self, message: ReceivedMessage) -> None:
        """Settle a message as done; ``MessageLockLost`` if its lock expired."""
        self._settle(message, lambda receiver, held: receiver.complete_message(held))

    def renew_lock(self, message: ReceivedMessage) -> None:
        """Extend the message's lock on the receiving link (the SDK updates the message's expiry)."""
        self._on_held(message, lambda receiver, held: receiver.renew_message_lock(held), settles=False)

    def abandon(self, message: ReceivedMessage) -> None:
        """Release the lock so the message is delivered again (the service dead-letters it when out of deliveries)."""
        self._settle(message, lambda receiver, held: receiver.abandon_message(held))

    def dead_letter(self, message: ReceivedMessage, reason: str, description: str = "") -> None:
        """Move the message to its entity's dead-letter queue with a reason."""
        if message.entity.endswith(DEAD_LETTER_SUFFIX):
            raise InvalidInput("a message of a dead-letter queue cannot be dead-lettered again")
        self._settle(
            message,
            lambda receiver, held: receiver.dead_letter_message(held, reason=reason, error_description=description),
        )

    def _settle(
        self, message: ReceivedMessage, settle: Callable[[ServiceBusReceiver, ServiceBusReceivedMessage], object]
    ) -> None:
        self._on_held(message, settle, settles=True)

    def _on_held(
        self,
        message: ReceivedMessage,
        action: Callable[[ServiceBusReceiver, ServiceBusReceivedMessage], object],
        *,
        settles: bool,
    ) -> None:
        """``action`` on the held message over the link that received it. A lost lock forgets the
        message; so does a settlement that went through. Other failures (Unavailable, RateLimited)
        keep the message held so the caller may retry."""
        with self._guard:
            held = self._held.get(message.lock_token)
        if held is None or held.entity != message.entity:
            raise MessageLockLost(f"the lock on message {message.message_id!r} was lost")
        link = self._receiver(held.entity)
        try:
            with link.lock, _map_servicebus_errors():
                action(link.handler, held.message)
        except MessageLockLost:
            self._forget(message.lock_token)
            raise
        if settles:
            self._forget(message.lock_token)

    def _forget(self, lock_token: str) -> None:
        with self._guard:
            self._held.pop(lock_token, None)

    def ping(self) -> None:
        """Raise ``Unavailable`` if Service Bus cannot be reached: peek one message of a receivable entity."""
        entities = self._topology.receivable_entities()
        if not entities:
            return  # a send-only topology; its sender opens (and fails) on the first send
        link = self._receiver(entities[0])
        with link.lock, _map_servicebus_errors():
            link.handler.peek_messages(max_message_count=1)

    def close(self) -> None:
        """Close every sender and receiver, then the client; held messages can no longer be settled."""
        with self._guard:
            handlers: list[_Exclusive[Any]] = [*self._senders.values(), *self._receivers.values()]
            self._senders.clear()
            self._receivers.clear()
            self._held.clear()
        with _map_servicebus_errors():
            for link in handlers:
                with link.lock:
                    link.handler.close()
            self._client.close()


def _send_in_batches(sender: ServiceBusSender, messages: list[ServiceBusMessage]) -> None:
    """Fill a batch until it is full, send it, and go on with a new one."""
    batch = sender.create_message_batch()
    for message in messages:
        try:
            batch.add_message(message)
        except MessageSizeExceededError:
            if len(batch) == 0:
                raise  # alone it is too big: PayloadTooLarge
            sender.send_messages(batch)
            batch = sender.create_message_batch()
            batch.add_message(message)
    if len(batch):
        sender.send_messages(batch)


def _to_sdk(message: OutgoingMessage) -> ServiceBusMessage:
    """The SDK message for ``message``; a malformed one refuses the whole send before anything goes out."""
    validate_outgoing(message)
    at = message.scheduled_at
    properties: dict[str | bytes, Any] = {key: value for key, value in message.properties.items()}
    return ServiceBusMessage(
        message.body,
        message_id=message.message_id,
        subject=message.subject,
        application_properties=properties or None,
        # A naive time is UTC, as the embedded bus takes it.
        scheduled_enqueue_time_utc=at.replace(tzinfo=UTC) if at and at.tzinfo is None else at,
    )


def _to_port(entity: str, message: ServiceBusReceivedMessage) -> ReceivedMessage:
    return ReceivedMessage(
        entity=entity,
        # Another producer may send without an id; the sequence number still names the message.
        message_id=str(message.message_id if message.message_id is not None else message.sequence_number),
        body=_body(message),
        subject=message.subject,
        properties=_properties(message.application_properties or {}),
        # Service Bus puts the prior deliveries in the AMQP header; the Python SDK passes them through.
        delivery_count=(message.delivery_count or 0) + 1,
        enqueued_at=message.enqueued_time_utc or datetime.now(UTC),
        lock_token=str(message.lock_token),
        dead_letter_reason=message.dead_letter_reason,
        dead_letter_description=message.dead_letter_error_description,
    )


def _body(message: ServiceBusReceivedMessage) -> bytes:
    """The data sections joined (the SDK yields them one by one); a value body as UTF-8 text."""
    body = message.body
    if body is None:
        return b""
    if isinstance(body, bytes | str):
        return body.encode() if isinstance(body, str) else body
    return b"".join(bytes(section) for section in body)


def _properties(raw: Mapping[str | bytes, Any]) -> dict[str, str]:
    """Application properties as text: received keys and string values arrive as bytes."""
    texts = {_text(key): _text(value) for key, value in raw.items()}
    return {key: value for key, value in texts.items() if key not in _DEAD_LETTER_PROPERTIES}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _lock_expired(message: ServiceBusReceivedMessage, now: datetime) -> bool:
    locked_until = message.locked_until_utc
    return locked_until is not None and locked_until <= now
