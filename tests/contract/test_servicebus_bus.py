"""The Service Bus message bus, tested at the SDK boundary (no Service Bus emulator runs here).

``MessageBusContract`` runs unchanged against ``ServiceBusMessageBus`` over an in-memory
namespace that speaks the SDK's types and Service Bus semantics (``fake_servicebus``). The
tests below it cover what the adapter alone does: the SDK messages it builds, how it packs
batches, how it maps SDK errors, and which receiver settles which message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.servicebus import ServiceBusClient, ServiceBusMessage
from azure.servicebus.exceptions import (
    MessageAlreadySettled,
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityDisabledError,
    MessagingEntityNotFoundError,
    OperationTimeoutError,
    ServiceBusAuthenticationError,
    ServiceBusAuthorizationError,
    ServiceBusCommunicationError,
    ServiceBusConnectionError,
    ServiceBusQuotaExceededError,
    ServiceBusServerBusyError,
    SessionLockLostError,
)

from shared.errors import DomainError, InvalidInput, NotFound, PayloadTooLarge, RateLimited, Unavailable
from shared.platform._servicebus_bus import ServiceBusMessageBus, _map_servicebus_errors, servicebus_client
from shared.platform.bus import DEAD_LETTER_SUFFIX, BusTopology, MessageLockLost, OutgoingMessage, subscription_path
from shared.platform.clock import ManualClock
from tests.contract.bus_suite import LOCK_SECONDS, OPTIONS, QUEUE, TOPIC, TOPOLOGY, MessageBusContract, new_id
from tests.contract.fake_servicebus import FakeNamespace, FakeReceiver, FakeSender, FakeServiceBusClient

SUBSCRIPTION = subscription_path(TOPIC, "a")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def advance_clock(clock: ManualClock) -> Callable[[float], None]:
    return clock.advance


@pytest.fixture
def namespace(clock: ManualClock) -> FakeNamespace:
    return FakeNamespace(TOPOLOGY, clock)


@pytest.fixture
def client(namespace: FakeNamespace) -> FakeServiceBusClient:
    return FakeServiceBusClient(namespace)


def make_bus(
    client: FakeServiceBusClient, clock: ManualClock, topology: BusTopology = TOPOLOGY
) -> ServiceBusMessageBus:
    # A short floor keeps receives of empty entities quick; Azure uses the default.
    return ServiceBusMessageBus(client, topology, min_wait_seconds=0.01, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def bus(client: FakeServiceBusClient, clock: ManualClock) -> ServiceBusMessageBus:
    return make_bus(client, clock)


class TestServiceBusMessageBus(MessageBusContract):
    @pytest.fixture
    def current_time(self, clock: ManualClock) -> Callable[[], datetime]:
        return clock.now


# --- what goes over the wire -------------------------------------------------------------------


def peek(client: FakeServiceBusClient, path: str = QUEUE) -> list[ServiceBusMessage]:
    """What the namespace holds, as the SDK shows it to any other client."""
    return list(client.get_queue_receiver(path).peek_messages(max_message_count=100))


def test_a_sent_message_carries_its_id_subject_properties_and_scheduled_time(
    bus: ServiceBusMessageBus, client: FakeServiceBusClient, clock: ManualClock
) -> None:
    at = clock.now() + timedelta(minutes=5)
    sent = OutgoingMessage(b"body", "evt-1", subject="lesson.published", scheduled_at=at, properties={"tenant": "t-1"})
    bus.send(QUEUE, [sent])
    [wire] = peek(client)
    assert (wire.message_id, wire.subject, b"".join(wire.body)) == ("evt-1", "lesson.published", b"body")
    assert wire.application_properties == {b"tenant": b"t-1"}
    assert wire.scheduled_enqueue_time_utc == at


def test_a_scheduled_time_without_a_zone_is_sent_as_utc(
    bus: ServiceBusMessageBus, client: FakeServiceBusClient, clock: ManualClock
) -> None:
    at = (clock.now() + timedelta(minutes=5)).replace(tzinfo=None)
    bus.send(QUEUE, [OutgoingMessage(b"later", new_id(), scheduled_at=at)])
    [wire] = peek(client)
    assert wire.scheduled_enqueue_time_utc == at.replace(tzinfo=UTC)


def test_a_message_without_subject_or_properties_sends_none(
    bus: ServiceBusMessageBus, client: FakeServiceBusClient
) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"plain", new_id())])
    [wire] = peek(client)
    assert (wire.subject, wire.application_properties, wire.scheduled_enqueue_time_utc) == (None, None, None)


def test_a_send_too_big_for_one_batch_goes_out_in_several_batches_in_order(clock: ManualClock) -> None:
    namespace = FakeNamespace(TOPOLOGY, clock, max_batch_bytes=1024)
    bus = make_bus(FakeServiceBusClient(namespace), clock)
    sent = [OutgoingMessage(bytes([i]) * 300, new_id()) for i in range(10)]
    bus.send(QUEUE, sent)
    # A 300-byte body encodes to 370 bytes in a batch: two fit in 1 KiB, so ten need five batches.
    assert namespace.batches_sent[QUEUE] == 5
    received = bus.receive(QUEUE, max_messages=10)
    assert [m.message_id for m in received] == [m.message_id for m in sent]


def test_a_send_that_fits_one_batch_is_one_send(bus: ServiceBusMessageBus, namespace: FakeNamespace) -> None:
    bus.send(TOPIC, [OutgoingMessage(b"x", new_id()) for _ in range(50)])
    assert namespace.batches_sent[TOPIC] == 1


def test_a_message_larger_than_a_batch_is_payload_too_large_and_nothing_is_sent(clock: ManualClock) -> None:
    namespace = FakeNamespace(TOPOLOGY, clock, max_batch_bytes=1024)
    bus = make_bus(FakeServiceBusClient(namespace), clock)
    with pytest.raises(PayloadTooLarge):
        bus.send(QUEUE, [OutgoingMessage(b"x" * 2000, new_id())])
    assert namespace.messages(QUEUE) == []


@pytest.mark.parametrize(
    "bad",
    [
        OutgoingMessage(b"x", ""),
        OutgoingMessage(b"x", "m" * 129),
        OutgoingMessage("text", "m-1"),  # type: ignore[arg-type]
        OutgoingMessage(b"x", "m-2", properties={"n": 1}),  # type: ignore[dict-item]
    ],
)
def test_a_malformed_message_refuses_the_whole_send(
    bus: ServiceBusMessageBus, namespace: FakeNamespace, bad: OutgoingMessage
) -> None:
    with pytest.raises(InvalidInput):
        bus.send(QUEUE, [OutgoingMessage(b"fine", new_id()), bad])
    assert namespace.messages(QUEUE) == []


# --- what comes back ---------------------------------------------------------------------------


def test_properties_another_sender_set_as_numbers_are_received_as_text(
    bus: ServiceBusMessageBus, client: FakeServiceBusClient
) -> None:
    other = ServiceBusMessage(b"x", message_id=new_id(), application_properties={"attempt": 3, "urgent": True})
    client.get_queue_sender(QUEUE).send_messages(other)
    [received] = bus.receive(QUEUE)
    assert dict(received.properties) == {"attempt": "3", "urgent": "True"}


def test_a_dead_letter_receive_reads_only_the_dead_letter_sub_queue(bus: ServiceBusMessageBus) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"bad", new_id(), properties={"k": "v"}), OutgoingMessage(b"good", new_id())])
    bad, good = bus.receive(QUEUE)
    bus.dead_letter(bad, "Rejected", "no such lesson")
    bus.abandon(good)
    [dead] = bus.receive(QUEUE + DEAD_LETTER_SUFFIX)
    assert (dead.body, dead.entity, dead.dead_letter_reason) == (b"bad", QUEUE + DEAD_LETTER_SUFFIX, "Rejected")
    assert dead.dead_letter_description == "no such lesson"
    assert dict(dead.properties) == {"k": "v"}  # the service's DeadLetterReason properties are not the sender's
    assert [m.body for m in bus.receive(QUEUE)] == [b"good"]


def test_a_received_message_reports_when_it_was_enqueued(bus: ServiceBusMessageBus, clock: ManualClock) -> None:
    sent_at = clock.now()
    bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
    clock.advance(5)
    [received] = bus.receive(QUEUE)
    assert received.enqueued_at == sent_at


# --- settlement --------------------------------------------------------------------------------


def test_each_message_is_settled_by_the_receiver_of_the_entity_that_delivered_it(
    bus: ServiceBusMessageBus, clock: ManualClock
) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"q", new_id())])
    bus.send(TOPIC, [OutgoingMessage(b"t", new_id())])
    [from_queue] = bus.receive(QUEUE)
    [from_subscription] = bus.receive(SUBSCRIPTION)
    bus.complete(from_subscription)
    bus.complete(from_queue)
    clock.advance(LOCK_SECONDS + 1)
    assert bus.receive(QUEUE) == []
    assert bus.receive(SUBSCRIPTION) == []


def test_a_message_presented_as_from_another_entity_is_not_settled(bus: ServiceBusMessageBus) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"q", new_id())])
    [received] = bus.receive(QUEUE)
    with pytest.raises(MessageLockLost):
        bus.complete(dataclasses.replace(received, entity=SUBSCRIPTION))
    bus.complete(received)
    assert bus.receive(QUEUE) == []


def test_a_settlement_that_fails_in_an_outage_can_be_retried(
    bus: ServiceBusMessageBus, namespace: FakeNamespace
) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
    [received] = bus.receive(QUEUE)
    namespace.failure = ServiceBusConnectionError()
    with pytest.raises(Unavailable):
        bus.complete(received)
    namespace.failure = None
    bus.complete(received)
    assert bus.receive(QUEUE) == []


def test_a_session_lock_lost_on_settlement_is_message_lock_lost(
    bus: ServiceBusMessageBus, namespace: FakeNamespace
) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
    [received] = bus.receive(QUEUE)
    namespace.failure = SessionLockLostError()
    with pytest.raises(MessageLockLost):
        bus.abandon(received)
    namespace.failure = None
    with pytest.raises(MessageLockLost):  # lost for good: the message is no longer held
        bus.abandon(received)


def test_repeated_receives_reuse_one_receiver_per_entity(
    bus: ServiceBusMessageBus, client: FakeServiceBusClient
) -> None:
    for entity in (QUEUE, QUEUE, SUBSCRIPTION, QUEUE + DEAD_LETTER_SUFFIX, SUBSCRIPTION):
        bus.receive(entity)
    paths = sorted(h.path for h in client.handlers if isinstance(h, FakeReceiver))
    assert paths == sorted([QUEUE, SUBSCRIPTION, QUEUE + DEAD_LETTER_SUFFIX])


# --- errors --------------------------------------------------------------------------------------

SDK_ERRORS: list[tuple[Exception, type[DomainError]]] = [
    (MessageLockLostError(), MessageLockLost),
    (SessionLockLostError(), MessageLockLost),
    (MessageAlreadySettled(action="complete"), MessageLockLost),
    (MessagingEntityNotFoundError(), NotFound),
    (MessageSizeExceededError(), PayloadTooLarge),
    (ServiceBusServerBusyError(), RateLimited),
    (ServiceBusAuthenticationError(), Unavailable),
    (ServiceBusAuthorizationError(), Unavailable),
    (ServiceBusConnectionError(), Unavailable),
    (ServiceBusCommunicationError(), Unavailable),
    (OperationTimeoutError(), Unavailable),
    (MessagingEntityDisabledError(), Unavailable),
    (ServiceBusQuotaExceededError(), Unavailable),
    (ClientAuthenticationError("the managed identity has no token"), Unavailable),
]


@pytest.mark.parametrize(("sdk_error", "port_error"), SDK_ERRORS, ids=lambda e: type(e).__name__)
def test_each_sdk_error_becomes_the_ports_error(sdk_error: Exception, port_error: type[DomainError]) -> None:
    with pytest.raises(port_error) as raised, _map_servicebus_errors():
        raise sdk_error
    assert raised.value.__cause__ is sdk_error


@pytest.mark.parametrize(
    "failure", [ServiceBusAuthenticationError(), ServiceBusCommunicationError(), ClientAuthenticationError("no token")]
)
def test_an_unreachable_namespace_makes_every_operation_unavailable(
    bus: ServiceBusMessageBus, namespace: FakeNamespace, failure: Exception
) -> None:
    namespace.failure = failure
    with pytest.raises(Unavailable):
        bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
    with pytest.raises(Unavailable):
        bus.receive(QUEUE)
    with pytest.raises(Unavailable):
        bus.ping()


def test_a_busy_namespace_asks_the_caller_to_retry_later(bus: ServiceBusMessageBus, namespace: FakeNamespace) -> None:
    namespace.failure = ServiceBusServerBusyError()
    with pytest.raises(RateLimited) as raised:
        bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
    assert raised.value.retry_after_seconds > 0


def test_an_entity_the_topology_names_but_the_namespace_lacks_is_not_found(
    client: FakeServiceBusClient, clock: ManualClock
) -> None:
    bus = make_bus(client, clock, BusTopology(queues={**TOPOLOGY.queues, "ghost": OPTIONS}, topics=TOPOLOGY.topics))
    with pytest.raises(NotFound):
        bus.send("ghost", [OutgoingMessage(b"x", new_id())])
    with pytest.raises(NotFound):
        bus.receive("ghost")


def test_an_unknown_entity_is_refused_without_reaching_the_namespace(
    bus: ServiceBusMessageBus, namespace: FakeNamespace
) -> None:
    namespace.failure = ServiceBusConnectionError()  # any call that reached it would be Unavailable
    with pytest.raises(NotFound):
        bus.send("nowhere", [OutgoingMessage(b"x", new_id())])
    with pytest.raises(NotFound):
        bus.receive("events/subscriptions/zzz")


# --- lifecycle and the factory -------------------------------------------------------------------


def test_close_closes_every_sender_receiver_and_the_client(
    bus: ServiceBusMessageBus, client: FakeServiceBusClient
) -> None:
    bus.send(QUEUE, [OutgoingMessage(b"x", new_id())])
    bus.receive(QUEUE)
    bus.receive(SUBSCRIPTION + DEAD_LETTER_SUFFIX)
    bus.close()
    assert client.closed
    assert len(client.handlers) == 3
    assert all(h.closed for h in client.handlers if isinstance(h, FakeSender | FakeReceiver))


def test_the_factory_prefers_the_connection_string() -> None:
    connection = "Endpoint=sb://local.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0"
    client = servicebus_client("prod.servicebus.windows.net", connection, credential=object())
    assert isinstance(client, ServiceBusClient)
    assert client.fully_qualified_namespace == "local.servicebus.windows.net"


def test_the_factory_uses_the_namespace_with_the_credential() -> None:
    client = servicebus_client("prod.servicebus.windows.net", None, credential=object())
    assert client.fully_qualified_namespace == "prod.servicebus.windows.net"


def test_the_factory_refuses_a_namespace_without_a_credential() -> None:
    with pytest.raises(ValueError, match="credential"):
        servicebus_client("prod.servicebus.windows.net", None, credential=None)
