"""An in-memory Service Bus namespace behind the part of the ``azure-servicebus`` surface
that ``ServiceBusMessageBus`` uses, for SDK-boundary tests (no emulator runs here).

It trades in the SDK's own types: senders take ``ServiceBusMessage`` s and
``ServiceBusMessageBatch`` es, receivers hand out ``ServiceBusReceivedMessage`` s built from
the AMQP wire form (so application properties come back as bytes, as from the service),
and failures are the SDK's exception classes. The broker keeps Service Bus semantics on a
manual clock: peek-lock with a lock duration, delivery counts (the AMQP header carries the
*prior* deliveries, as the service sends it), dead-lettering after ``max_delivery_count``,
duplicate detection per queue or topic within a window, and scheduled enqueue times.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from azure.servicebus import (
    ServiceBusMessage,
    ServiceBusMessageBatch,
    ServiceBusReceivedMessage,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus._pyamqp._decode import decode_payload
from azure.servicebus._pyamqp._encode import encode_payload
from azure.servicebus._pyamqp.message import Header, Message
from azure.servicebus._transport._pyamqp_transport import PyamqpTransport
from azure.servicebus.exceptions import (
    MessageAlreadySettled,
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusError,
)

from shared.platform.bus import BusTopology, EntityOptions, subscription_path
from shared.platform.clock import ManualClock

DEAD_LETTER = "/$deadletterqueue"
MAX_DELIVERY_REASON = "MaxDeliveryCountExceeded"
STANDARD_TIER_BATCH_BYTES = 256 * 1024


@dataclass
class Stored:
    """One message in one queue, subscription or dead-letter queue."""

    seq: int
    wire: bytes
    enqueued_at: datetime
    visible_at: datetime
    deliveries: int = 0
    lock_token: uuid.UUID | None = None
    locked_until: datetime | None = None
    dead_letter_reason: str | None = None
    dead_letter_description: str | None = None

    def ready(self, now: datetime) -> bool:
        return self.visible_at <= now and (self.locked_until is None or self.locked_until <= now)


class FakeNamespace:
    """The broker: queues, topics fanned out to subscriptions, and their dead-letter queues."""

    def __init__(
        self, topology: BusTopology, clock: ManualClock, *, max_batch_bytes: int = STANDARD_TIER_BATCH_BYTES
    ) -> None:
        self.clock = clock
        self.max_batch_bytes = max_batch_bytes
        self.batches_sent: dict[str, int] = {}
        self.failure: Exception | None = None  # raised by every operation while set (an outage)
        self._changed = threading.Condition()
        self._seq = itertools.count(1)
        self._options: dict[str, EntityOptions] = dict(topology.queues)
        self._fan_out: dict[str, list[str]] = {q: [q] for q in topology.queues}
        self._windows = {q: o.duplicate_window_seconds for q, o in topology.queues.items()}
        for topic, subs in topology.topics.items():
            self._fan_out[topic] = [subscription_path(topic, s) for s in subs]
            self._options.update({subscription_path(topic, s): o for s, o in subs.items()})
            self._windows[topic] = max((o.duplicate_window_seconds for o in subs.values()), default=600.0)
        self._messages: dict[str, list[Stored]] = {p: [] for e in self._options for p in (e, e + DEAD_LETTER)}
        self._seen_ids: dict[str, dict[str, datetime]] = {e: {} for e in self._fan_out}

    def check(self, path: str, *, sending: bool = False) -> None:
        if self.failure is not None:
            raise self.failure
        if path not in (self._fan_out if sending else self._messages):
            raise MessagingEntityNotFoundError(message=f"The messaging entity '{path}' could not be found.")

    def send(self, entity: str, messages: list[ServiceBusMessage]) -> None:
        with self._changed:
            self.check(entity, sending=True)
            now = self.clock.now()
            seen = self._seen_ids[entity]
            for message_id in [m for m, at in seen.items() if at + timedelta(seconds=self._windows[entity]) <= now]:
                del seen[message_id]
            for message in messages:
                if message.message_id in seen:
                    continue  # the service accepts the send and drops the duplicate
                seen[str(message.message_id)] = now
                wire = _wire(message)
                scheduled = decode_payload(memoryview(wire)).message_annotations or {}
                at = scheduled.get(b"x-opt-scheduled-enqueue-time")
                visible = datetime.fromtimestamp(at / 1000, UTC) if at else now
                for path in self._fan_out[entity]:
                    self._messages[path].append(Stored(next(self._seq), wire, visible, visible))
            self.batches_sent[entity] = self.batches_sent.get(entity, 0) + 1
            self._changed.notify_all()

    def lock(self, path: str, count: int, wait: float, receiver: FakeReceiver) -> list[ServiceBusReceivedMessage]:
        deadline = time.monotonic() + wait
        with self._changed:
            while True:
                self.check(path)
                locked = self._lock_ready(path, count, receiver)
                remaining = deadline - time.monotonic()
                if locked or remaining <= 0:
                    return locked
                self._changed.wait(remaining)

    def _lock_ready(self, path: str, count: int, receiver: FakeReceiver) -> list[ServiceBusReceivedMessage]:
        now = self.clock.now()
        self._dead_letter_exhausted(now)
        ready = [m for m in self._messages[path] if m.ready(now)][:count]
        lock = timedelta(seconds=self._options[path.removesuffix(DEAD_LETTER)].lock_seconds)
        for stored in ready:
            stored.deliveries += 1
            stored.lock_token, stored.locked_until = uuid.uuid4(), now + lock
            if receiver.receive_mode == ServiceBusReceiveMode.RECEIVE_AND_DELETE:
                self._messages[path].remove(stored)
        return [_received(stored, receiver) for stored in ready]

    def _dead_letter_exhausted(self, now: datetime) -> None:
        """The service moves a message out when its last allowed lock expires."""
        for path, options in self._options.items():
            for stored in list(self._messages[path]):
                expired = stored.locked_until is not None and stored.locked_until <= now
                if expired and stored.deliveries >= options.max_delivery_count:
                    self._move_to_dead_letters(path, stored, MAX_DELIVERY_REASON, "Max delivery count exceeded.")

    def _move_to_dead_letters(self, path: str, stored: Stored, reason: str | None, description: str | None) -> None:
        self._messages[path].remove(stored)
        stored.lock_token = stored.locked_until = None
        stored.dead_letter_reason, stored.dead_letter_description = reason, description
        self._messages[path + DEAD_LETTER].append(stored)

    def settle(self, path: str, message: ServiceBusReceivedMessage, action: str, **dead_letter: str | None) -> None:
        with self._changed:
            self.check(path)
            now = self.clock.now()
            stored = next((m for m in self._messages[path] if m.lock_token == message.lock_token), None)
            if stored is None or stored.locked_until is None or stored.locked_until <= now:
                raise MessageLockLostError(message="The lock supplied is invalid or has expired.")
            options = self._options[path.removesuffix(DEAD_LETTER)]
            if action == "complete":
                self._messages[path].remove(stored)
            elif action == "dead-letter":
                if path.endswith(DEAD_LETTER):
                    raise ServiceBusError("A message in a dead-letter queue cannot be dead-lettered.")
                self._move_to_dead_letters(path, stored, dead_letter["reason"], dead_letter["error_description"])
            elif not path.endswith(DEAD_LETTER) and stored.deliveries >= options.max_delivery_count:
                self._move_to_dead_letters(path, stored, MAX_DELIVERY_REASON, "Max delivery count exceeded.")
            else:
                stored.lock_token = stored.locked_until = None
            message._settled = True  # as the SDK marks a settled message
            self._changed.notify_all()

    def renew(self, path: str, message: ServiceBusReceivedMessage) -> datetime:
        with self._changed:
            self.check(path)
            now = self.clock.now()
            stored = next((m for m in self._messages[path] if m.lock_token == message.lock_token), None)
            if stored is None or stored.locked_until is None or stored.locked_until <= now:
                raise MessageLockLostError(message="The lock supplied is invalid or has expired.")
            stored.locked_until = now + timedelta(seconds=self._options[path.removesuffix(DEAD_LETTER)].lock_seconds)
            return stored.locked_until

    def peek(self, path: str, count: int, receiver: FakeReceiver) -> list[ServiceBusReceivedMessage]:
        with self._changed:
            self.check(path)
            return [_received(m, receiver, peeked=True) for m in self._messages[path][:count]]

    def messages(self, path: str) -> list[Stored]:
        """What a path holds now, for assertions."""
        with self._changed:
            return list(self._messages[path])


def _wire(message: ServiceBusMessage) -> bytes:
    """The AMQP encoding the SDK would put on the link."""
    output = bytearray()
    encode_payload(output, PyamqpTransport.to_outgoing_amqp_message(message.raw_amqp_message))
    return bytes(output)


def _millis(at: datetime | None) -> int | None:
    return int(at.timestamp() * 1000) if at else None


def _received(stored: Stored, receiver: FakeReceiver, *, peeked: bool = False) -> ServiceBusReceivedMessage:
    """The message as the service delivers it: broker annotations, dead-letter properties, prior deliveries."""
    amqp: Message = decode_payload(memoryview(stored.wire))
    annotations = {
        **(amqp.message_annotations or {}),
        b"x-opt-enqueued-time": _millis(stored.enqueued_at),
        b"x-opt-sequence-number": stored.seq,
    }
    if stored.locked_until and not peeked:
        annotations[b"x-opt-locked-until"] = _millis(stored.locked_until)
    properties = dict(amqp.application_properties or {})
    if stored.dead_letter_reason is not None:
        properties[b"DeadLetterReason"] = stored.dead_letter_reason.encode()
    if stored.dead_letter_description is not None:
        properties[b"DeadLetterErrorDescription"] = stored.dead_letter_description.encode()
    amqp = amqp._replace(
        header=Header(delivery_count=max(stored.deliveries - 1, 0)),
        message_annotations=annotations,
        application_properties=properties or None,
    )
    if peeked:
        return ServiceBusReceivedMessage(amqp, receiver=receiver, is_peeked_message=True)
    return ServiceBusReceivedMessage(
        amqp, receive_mode=receiver.receive_mode, receiver=receiver, lock_token=stored.lock_token
    )


class FakeSender:
    def __init__(self, namespace: FakeNamespace, entity: str) -> None:
        self._namespace = namespace
        self.entity = entity
        self.closed = False

    def create_message_batch(self, max_size_in_bytes: int | None = None) -> ServiceBusMessageBatch:
        self._namespace.check(self.entity, sending=True)  # creating a batch opens the link
        limit = self._namespace.max_batch_bytes
        if max_size_in_bytes and max_size_in_bytes > limit:
            raise ValueError(f"Max message size: {max_size_in_bytes} is too large")
        return ServiceBusMessageBatch(max_size_in_bytes=max_size_in_bytes or limit)

    def send_messages(self, message: Any, *, timeout: float | None = None) -> None:
        if isinstance(message, ServiceBusMessageBatch):
            if message.size_in_bytes > self._namespace.max_batch_bytes:
                raise MessageSizeExceededError(message="The batch is larger than the link allows.")
            messages: list[ServiceBusMessage] = list(message._messages)
        elif isinstance(message, ServiceBusMessage):
            messages = [message]
        else:
            messages = list(message)
        self._namespace.send(self.entity, messages)

    def close(self) -> None:
        self.closed = True


class FakeReceiver:
    def __init__(self, namespace: FakeNamespace, path: str, receive_mode: ServiceBusReceiveMode) -> None:
        self._namespace = namespace
        self.path = path
        self.receive_mode = receive_mode
        self.session = None  # as a receiver of an entity without sessions reports
        self.closed = False

    def receive_messages(
        self, max_message_count: int | None = 1, max_wait_time: float | None = None
    ) -> list[ServiceBusReceivedMessage]:
        if max_wait_time is not None and max_wait_time <= 0:
            raise ValueError("The max_wait_time must be greater than 0.")
        if max_message_count is None or max_message_count <= 0:
            raise ValueError("The max_message_count must be greater than 0")
        return self._namespace.lock(self.path, max_message_count, max_wait_time or 60.0, self)

    def _settle(self, message: ServiceBusReceivedMessage, action: str, **dead_letter: str | None) -> None:
        if message._is_peeked_message or self.receive_mode == ServiceBusReceiveMode.RECEIVE_AND_DELETE:
            raise ValueError(f"The operation {action} is not supported.")
        if message._settled:
            raise MessageAlreadySettled(action=action)
        self._namespace.settle(self.path, message, action, **dead_letter)

    def complete_message(self, message: ServiceBusReceivedMessage) -> None:
        self._settle(message, "complete")

    def renew_message_lock(self, message: ServiceBusReceivedMessage) -> datetime:
        if message._settled:
            raise MessageAlreadySettled(action="renew")
        message._expiry = self._namespace.renew(self.path, message)  # as the SDK records the new expiry
        return message._expiry

    def abandon_message(self, message: ServiceBusReceivedMessage) -> None:
        self._settle(message, "abandon")

    def dead_letter_message(
        self, message: ServiceBusReceivedMessage, reason: str | None = None, error_description: str | None = None
    ) -> None:
        self._settle(message, "dead-letter", reason=reason, error_description=error_description)

    def peek_messages(self, max_message_count: int = 1, **_: Any) -> list[ServiceBusReceivedMessage]:
        return self._namespace.peek(self.path, max_message_count, self)

    def close(self) -> None:
        self.closed = True


_H = TypeVar("_H", FakeSender, FakeReceiver)


class FakeServiceBusClient:
    """``ServiceBusClient``'s factory methods over a ``FakeNamespace``; it remembers what it handed out."""

    def __init__(self, namespace: FakeNamespace) -> None:
        self.namespace = namespace
        self.handlers: list[FakeSender | FakeReceiver] = []
        self.closed = False

    def _keep(self, handler: _H) -> _H:
        self.handlers.append(handler)
        return handler

    def get_queue_sender(self, queue_name: str, **_: Any) -> FakeSender:
        return self._keep(FakeSender(self.namespace, queue_name))

    def get_topic_sender(self, topic_name: str, **_: Any) -> FakeSender:
        return self._keep(FakeSender(self.namespace, topic_name))

    def get_queue_receiver(self, queue_name: str, **options: Any) -> FakeReceiver:
        return self._receiver(queue_name, **options)

    def get_subscription_receiver(self, topic_name: str, subscription_name: str, **options: Any) -> FakeReceiver:
        return self._receiver(subscription_path(topic_name, subscription_name), **options)

    def _receiver(
        self,
        path: str,
        *,
        sub_queue: ServiceBusSubQueue | str | None = None,
        receive_mode: ServiceBusReceiveMode = ServiceBusReceiveMode.PEEK_LOCK,
        **_: Any,
    ) -> FakeReceiver:
        if sub_queue is not None and ServiceBusSubQueue(sub_queue) == ServiceBusSubQueue.DEAD_LETTER:
            path += DEAD_LETTER
        elif sub_queue is not None:
            raise ValueError(f"unsupported sub-queue {sub_queue!r}")
        return self._keep(FakeReceiver(self.namespace, path, ServiceBusReceiveMode(receive_mode)))

    def close(self) -> None:
        self.closed = True
