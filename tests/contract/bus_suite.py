"""The contract of the MessageBus port, written only against the port.

Every adapter (embedded SQLite, Service Bus, the Service Bus emulator) runs this suite by
subclassing ``MessageBusContract`` in a ``test_*.py`` file and providing:

- ``bus``: the ``MessageBus`` under test, configured with ``TOPOLOGY`` and with empty
  entities (a fresh database, or drained queues and subscriptions);
- ``advance_clock``: a callable(seconds) that moves the adapter's time forward, or None
  when the adapter cannot control time (its time-dependent tests are then skipped);
- ``current_time`` (optional): the adapter's notion of now; defaults to the system clock.

``wait_seconds`` is how long a receive may wait for messages to arrive; an adapter with
network latency raises it. Message ids are fresh per test, so duplicate detection on a
shared namespace never links two tests.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.errors import NotFound
from shared.platform.bus import (
    DEAD_LETTER_SUFFIX,
    BusTopology,
    EntityOptions,
    MessageBus,
    MessageLockLost,
    OutgoingMessage,
    ReceivedMessage,
    subscription_path,
)

AdvanceClock = Callable[[float], None] | None

QUEUE = "work"
TOPIC = "events"
SUBSCRIPTIONS = ("a", "b")
LOCK_SECONDS = 30.0
MAX_DELIVERY_COUNT = 3
DUPLICATE_WINDOW_SECONDS = 60.0
OPTIONS = EntityOptions(
    lock_seconds=LOCK_SECONDS,
    max_delivery_count=MAX_DELIVERY_COUNT,
    duplicate_window_seconds=DUPLICATE_WINDOW_SECONDS,
)
TOPOLOGY = BusTopology(queues={QUEUE: OPTIONS}, topics={TOPIC: dict.fromkeys(SUBSCRIPTIONS, OPTIONS)})


def new_id() -> str:
    return f"m-{uuid.uuid4().hex}"


def message(body: bytes = b"payload", **kwargs: Any) -> OutgoingMessage:
    return OutgoingMessage(body=body, message_id=new_id(), **kwargs)


def bodies(received: list[ReceivedMessage]) -> list[bytes]:
    return [m.body for m in received]


def require(advance_clock: AdvanceClock) -> Callable[[float], None]:
    if advance_clock is None:
        pytest.skip("this adapter cannot move its clock")
    return advance_clock


class MessageBusContract:
    wait_seconds: float = 0.0

    @pytest.fixture
    def current_time(self) -> Callable[[], datetime]:
        return lambda: datetime.now(UTC)

    def receive(self, bus: MessageBus, entity: str, max_messages: int = 10) -> list[ReceivedMessage]:
        return bus.receive(entity, max_messages=max_messages, max_wait_seconds=self.wait_seconds)

    def receive_one(self, bus: MessageBus, entity: str) -> ReceivedMessage:
        received = self.receive(bus, entity, max_messages=1)
        assert len(received) == 1, f"expected one message on {entity}, got {len(received)}"
        return received[0]

    # --- delivery -------------------------------------------------------------------

    def test_messages_are_received_in_the_order_they_were_sent(self, bus: MessageBus) -> None:
        bus.send(QUEUE, [message(b"1"), message(b"2")])
        bus.send(QUEUE, [message(b"3")])
        received = self.receive(bus, QUEUE)
        assert bodies(received) == [b"1", b"2", b"3"]
        assert all(m.entity == QUEUE and m.delivery_count == 1 for m in received)

    def test_a_receive_returns_at_most_max_messages(self, bus: MessageBus) -> None:
        bus.send(QUEUE, [message(str(i).encode()) for i in range(5)])
        assert bodies(self.receive(bus, QUEUE, max_messages=2)) == [b"0", b"1"]
        assert bodies(self.receive(bus, QUEUE, max_messages=10)) == [b"2", b"3", b"4"]

    def test_an_empty_queue_receives_nothing(self, bus: MessageBus) -> None:
        assert self.receive(bus, QUEUE) == []

    def test_a_locked_message_is_invisible_until_its_lock_expires_then_redelivered(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        sent = message(b"job")
        bus.send(QUEUE, [sent])
        first = self.receive_one(bus, QUEUE)
        advance(LOCK_SECONDS - 1)
        assert self.receive(bus, QUEUE) == []
        advance(2)
        again = self.receive_one(bus, QUEUE)
        assert (again.message_id, again.body) == (sent.message_id, b"job")
        assert again.delivery_count == first.delivery_count + 1
        assert again.lock_token != first.lock_token

    def test_a_completed_message_is_never_delivered_again(self, bus: MessageBus, advance_clock: AdvanceClock) -> None:
        bus.send(QUEUE, [message(b"done"), message(b"next")])
        bus.complete(self.receive_one(bus, QUEUE))
        if advance_clock is not None:
            advance_clock(LOCK_SECONDS * 2)
        assert bodies(self.receive(bus, QUEUE)) == [b"next"]

    def test_an_abandoned_message_is_delivered_again_at_once(self, bus: MessageBus) -> None:
        bus.send(QUEUE, [message(b"retry")])
        first = self.receive_one(bus, QUEUE)
        bus.abandon(first)
        again = self.receive_one(bus, QUEUE)
        assert again.message_id == first.message_id
        assert again.delivery_count == first.delivery_count + 1

    def test_completing_after_the_lock_expired_raises_message_lock_lost(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bus.send(QUEUE, [message()])
        received = self.receive_one(bus, QUEUE)
        advance(LOCK_SECONDS + 1)
        with pytest.raises(MessageLockLost):
            bus.complete(received)

    def test_abandoning_after_the_lock_expired_raises_message_lock_lost(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bus.send(QUEUE, [message()])
        received = self.receive_one(bus, QUEUE)
        advance(LOCK_SECONDS + 1)
        with pytest.raises(MessageLockLost):
            bus.abandon(received)

    def test_dead_lettering_after_the_lock_expired_raises_message_lock_lost(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bus.send(QUEUE, [message()])
        received = self.receive_one(bus, QUEUE)
        advance(LOCK_SECONDS + 1)
        with pytest.raises(MessageLockLost):
            bus.dead_letter(received, "Poison")

    def test_a_superseded_lock_cannot_settle_the_redelivered_message(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bus.send(QUEUE, [message(b"slow")])
        stale = self.receive_one(bus, QUEUE)
        advance(LOCK_SECONDS + 1)
        current = self.receive_one(bus, QUEUE)
        with pytest.raises(MessageLockLost):
            bus.complete(stale)
        bus.complete(current)
        assert self.receive(bus, QUEUE) == []

    def test_a_renewed_lock_keeps_a_slow_message_from_redelivery_until_it_is_completed(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bus.send(QUEUE, [message(b"long transcode")])
        held = self.receive_one(bus, QUEUE)
        for _ in range(3):  # three lock durations of work, renewed before each runs out
            advance(LOCK_SECONDS - 1)
            bus.renew_lock(held)
            assert self.receive(bus, QUEUE) == []
        bus.complete(held)
        advance(LOCK_SECONDS * 2)
        assert self.receive(bus, QUEUE) == []

    def test_renewing_an_expired_or_settled_lock_raises_message_lock_lost(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        bus.send(QUEUE, [message(b"late"), message(b"done")])
        late, done = self.receive(bus, QUEUE, max_messages=2)
        bus.complete(done)
        with pytest.raises(MessageLockLost):
            bus.renew_lock(done)
        advance(LOCK_SECONDS + 1)
        with pytest.raises(MessageLockLost):
            bus.renew_lock(late)

    def test_a_message_cannot_be_completed_twice(self, bus: MessageBus) -> None:
        bus.send(QUEUE, [message()])
        received = self.receive_one(bus, QUEUE)
        bus.complete(received)
        with pytest.raises(MessageLockLost):
            bus.complete(received)

    # --- dead letters ---------------------------------------------------------------

    def test_a_message_delivered_max_delivery_count_times_is_dead_lettered_on_the_next_receive(
        self, bus: MessageBus
    ) -> None:
        sent = message(b"poison")
        bus.send(QUEUE, [sent])
        for attempt in range(1, MAX_DELIVERY_COUNT + 1):
            received = self.receive_one(bus, QUEUE)
            assert received.delivery_count == attempt
            bus.abandon(received)
        assert self.receive(bus, QUEUE) == []
        dead = self.receive_one(bus, QUEUE + DEAD_LETTER_SUFFIX)
        assert (dead.message_id, dead.body) == (sent.message_id, b"poison")
        assert dead.entity == QUEUE + DEAD_LETTER_SUFFIX
        assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"

    def test_a_message_abandoned_for_the_last_allowed_time_is_dead_lettered_at_once(self, bus: MessageBus) -> None:
        sent = message(b"poison")
        bus.send(QUEUE, [sent])
        for _ in range(MAX_DELIVERY_COUNT):
            bus.abandon(self.receive_one(bus, QUEUE))
        dead = self.receive_one(bus, QUEUE + DEAD_LETTER_SUFFIX)
        assert (dead.message_id, dead.dead_letter_reason) == (sent.message_id, "MaxDeliveryCountExceeded")

    def test_a_message_whose_last_lock_expires_is_dead_lettered(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        sent = message(b"slow poison")
        bus.send(QUEUE, [sent])
        for _ in range(MAX_DELIVERY_COUNT):
            self.receive_one(bus, QUEUE)
            advance(LOCK_SECONDS + 1)
        dead = self.receive_one(bus, QUEUE + DEAD_LETTER_SUFFIX)
        assert (dead.message_id, dead.dead_letter_reason) == (sent.message_id, "MaxDeliveryCountExceeded")
        assert self.receive(bus, QUEUE) == []

    def test_a_dead_lettered_message_can_be_abandoned_and_received_again(self, bus: MessageBus) -> None:
        bus.send(QUEUE, [message(b"inspect me")])
        bus.dead_letter(self.receive_one(bus, QUEUE), "Rejected")
        first = self.receive_one(bus, QUEUE + DEAD_LETTER_SUFFIX)
        bus.abandon(first)
        again = self.receive_one(bus, QUEUE + DEAD_LETTER_SUFFIX)
        assert (again.message_id, again.body, again.dead_letter_reason) == (first.message_id, b"inspect me", "Rejected")
        bus.complete(again)
        assert self.receive(bus, QUEUE + DEAD_LETTER_SUFFIX) == []

    def test_dead_letter_keeps_reason_and_description_and_the_dead_letter_can_be_completed(
        self, bus: MessageBus
    ) -> None:
        sent = message(b"bad", subject="lesson.published", properties={"tenant": "t-1"})
        bus.send(QUEUE, [sent])
        bus.dead_letter(self.receive_one(bus, QUEUE), "SchemaInvalid", "field 'x' is missing")
        assert self.receive(bus, QUEUE) == []
        dead = self.receive_one(bus, QUEUE + DEAD_LETTER_SUFFIX)
        assert (dead.message_id, dead.body, dead.subject) == (sent.message_id, b"bad", "lesson.published")
        assert dict(dead.properties) == {"tenant": "t-1"}
        assert (dead.dead_letter_reason, dead.dead_letter_description) == ("SchemaInvalid", "field 'x' is missing")
        bus.complete(dead)
        assert self.receive(bus, QUEUE + DEAD_LETTER_SUFFIX) == []

    def test_a_subscription_has_its_own_dead_letter_queue(self, bus: MessageBus) -> None:
        bus.send(TOPIC, [message(b"evt")])
        a, b = (subscription_path(TOPIC, s) for s in SUBSCRIPTIONS)
        bus.dead_letter(self.receive_one(bus, a), "Rejected")
        assert bodies(self.receive(bus, a + DEAD_LETTER_SUFFIX)) == [b"evt"]
        assert self.receive(bus, b + DEAD_LETTER_SUFFIX) == []
        assert bodies(self.receive(bus, b)) == [b"evt"]

    # --- duplicates and scheduling ----------------------------------------------------

    def test_a_duplicate_message_id_within_the_window_is_dropped(self, bus: MessageBus) -> None:
        first = message(b"first")
        bus.send(QUEUE, [first])
        bus.complete(self.receive_one(bus, QUEUE))
        bus.send(QUEUE, [OutgoingMessage(body=b"again", message_id=first.message_id)])
        assert self.receive(bus, QUEUE) == []

    def test_a_batch_repeating_a_message_id_delivers_it_once(self, bus: MessageBus) -> None:
        message_id = new_id()
        bus.send(QUEUE, [OutgoingMessage(b"1", message_id), OutgoingMessage(b"2", message_id), message(b"3")])
        assert bodies(self.receive(bus, QUEUE)) == [b"1", b"3"]

    def test_a_duplicate_sent_to_a_topic_reaches_each_subscription_once(self, bus: MessageBus) -> None:
        message_id = new_id()
        bus.send(TOPIC, [OutgoingMessage(b"evt", message_id)])
        bus.send(TOPIC, [OutgoingMessage(b"evt again", message_id)])
        for sub in SUBSCRIPTIONS:
            assert bodies(self.receive(bus, subscription_path(TOPIC, sub))) == [b"evt"]

    def test_duplicate_detection_is_per_entity(self, bus: MessageBus) -> None:
        message_id = new_id()
        bus.send(QUEUE, [OutgoingMessage(b"to the queue", message_id)])
        bus.send(TOPIC, [OutgoingMessage(b"to the topic", message_id)])
        assert bodies(self.receive(bus, QUEUE)) == [b"to the queue"]
        assert bodies(self.receive(bus, subscription_path(TOPIC, SUBSCRIPTIONS[0]))) == [b"to the topic"]

    def test_a_message_id_is_accepted_again_after_the_duplicate_window(
        self, bus: MessageBus, advance_clock: AdvanceClock
    ) -> None:
        advance = require(advance_clock)
        message_id = new_id()
        bus.send(QUEUE, [OutgoingMessage(b"first", message_id)])
        bus.complete(self.receive_one(bus, QUEUE))
        advance(DUPLICATE_WINDOW_SECONDS + 1)
        bus.send(QUEUE, [OutgoingMessage(b"later", message_id)])
        assert bodies(self.receive(bus, QUEUE)) == [b"later"]

    def test_a_scheduled_message_is_hidden_until_its_time(
        self, bus: MessageBus, advance_clock: AdvanceClock, current_time: Callable[[], datetime]
    ) -> None:
        advance = require(advance_clock)
        at = current_time() + timedelta(seconds=120)
        bus.send(QUEUE, [message(b"later", scheduled_at=at), message(b"now")])
        [now] = self.receive(bus, QUEUE)
        assert now.body == b"now"
        bus.complete(now)
        advance(119)
        assert self.receive(bus, QUEUE) == []
        advance(2)
        assert bodies(self.receive(bus, QUEUE)) == [b"later"]

    # --- concurrency and waiting ---------------------------------------------------------

    def test_concurrent_receivers_never_get_the_same_message(self, bus: MessageBus) -> None:
        sent = [message(str(i).encode()) for i in range(40)]
        bus.send(QUEUE, sent)
        got: list[ReceivedMessage] = []
        guard = threading.Lock()

        def drain() -> None:
            while batch := bus.receive(QUEUE, max_messages=3, max_wait_seconds=self.wait_seconds):
                with guard:
                    got.extend(batch)

        workers = [threading.Thread(target=drain) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sorted(m.message_id for m in got) == sorted(m.message_id for m in sent)

    def test_a_waiting_receive_returns_a_message_sent_while_it_waits(self, bus: MessageBus) -> None:
        sender = threading.Timer(0.2, lambda: bus.send(QUEUE, [message(b"late")]))
        sender.start()
        try:
            # Generous: the receive returns as soon as the message is there, not after the wait.
            received = bus.receive(QUEUE, max_messages=1, max_wait_seconds=max(30.0, self.wait_seconds))
        finally:
            sender.join()
        assert bodies(received) == [b"late"]

    def test_a_waiting_receive_on_an_empty_queue_returns_nothing(self, bus: MessageBus) -> None:
        assert bus.receive(QUEUE, max_messages=1, max_wait_seconds=0.2) == []

    def test_a_reachable_bus_answers_ping(self, bus: MessageBus) -> None:
        bus.ping()

    # --- topics -----------------------------------------------------------------------

    def test_a_topic_message_reaches_every_subscription_independently(self, bus: MessageBus) -> None:
        sent = message(b"evt")
        bus.send(TOPIC, [sent])
        a, b = (subscription_path(TOPIC, s) for s in SUBSCRIPTIONS)
        from_a = self.receive_one(bus, a)
        bus.complete(from_a)
        assert self.receive(bus, a) == []
        from_b = self.receive_one(bus, b)
        assert (from_a.message_id, from_b.message_id) == (sent.message_id, sent.message_id)
        assert (from_a.entity, from_b.entity) == (a, b)
        bus.abandon(from_b)
        assert self.receive(bus, a) == []
        assert self.receive_one(bus, b).delivery_count == 2

    # --- entities -----------------------------------------------------------------------

    @pytest.mark.parametrize("entity", ["nowhere", "events/subscriptions/a", "work/$deadletterqueue"])
    def test_sending_to_an_entity_that_is_not_a_queue_or_topic_raises_not_found(
        self, bus: MessageBus, entity: str
    ) -> None:
        with pytest.raises(NotFound):
            bus.send(entity, [message()])

    @pytest.mark.parametrize("entity", ["nowhere", "events", "events/subscriptions/zzz", "nowhere/$deadletterqueue"])
    def test_receiving_from_an_unknown_entity_raises_not_found(self, bus: MessageBus, entity: str) -> None:
        with pytest.raises(NotFound):
            bus.receive(entity, max_messages=1)

    # --- content ------------------------------------------------------------------------

    def test_subject_and_properties_round_trip(self, bus: MessageBus) -> None:
        props = {"tenant": "t-42", "kind": "lesson", "unicode": "ünï ✓"}
        bus.send(QUEUE, [message(b"x", subject="lesson.created", properties=props), message(b"y")])
        with_meta, without = self.receive(bus, QUEUE)
        assert (with_meta.subject, dict(with_meta.properties)) == ("lesson.created", props)
        assert (without.subject, dict(without.properties)) == (None, {})

    def test_any_bytes_round_trip_as_the_body(self, bus: MessageBus) -> None:
        body = bytes(range(256)) * 4
        bus.send(QUEUE, [message(body)])
        assert self.receive_one(bus, QUEUE).body == body

    def test_a_json_payload_round_trips(self, bus: MessageBus) -> None:
        payload = {"lessonId": "l-1", "tags": ["a", "b"], "n": 3, "ok": True, "none": None, "text": "ünï"}
        bus.send(QUEUE, [OutgoingMessage.of_json(payload, message_id=new_id(), subject="s")])
        received = self.receive_one(bus, QUEUE)
        assert received.json() == payload
        assert received.subject == "s"
