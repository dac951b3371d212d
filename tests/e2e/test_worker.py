"""The local worker: bus consumers settle or retry, change-feed followers resume where
they stopped and see every change, and expired documents are purged."""

from __future__ import annotations

import threading

from shared.platform.bus import DEAD_LETTER_SUFFIX, OutgoingMessage, ReceivedMessage
from shared.platform.clock import ManualClock
from shared.platform.documents import Document
from shared.platform.runtime import Platform
from shared.platform.topology import QUEUES
from shared.worker import BusConsumer, ChangeFeedFollower, LocalWorker, default_jobs


def test_a_consumer_completes_handled_messages_and_dead_letters_poison_ones(platform: Platform) -> None:
    seen: list[str] = []

    def handle(_: Platform, message: ReceivedMessage) -> None:
        if message.json()["poison"]:
            raise ValueError("cannot handle this")
        seen.append(message.message_id)

    platform.bus.send(
        "certificates",
        [
            OutgoingMessage.of_json({"poison": False}, message_id="good"),
            OutgoingMessage.of_json({"poison": True}, message_id="bad"),
        ],
    )
    worker = LocalWorker(platform, [BusConsumer("certs", "certificates", handle)])
    for _ in range(12):  # more rounds than the queue's max delivery count
        worker.run_until_idle()
    assert seen == ["good"]
    dead = platform.bus.receive("certificates" + DEAD_LETTER_SUFFIX, max_messages=10)
    assert [m.message_id for m in dead] == ["bad"]
    assert dead[0].dead_letter_reason == "MaxDeliveryCountExceeded"


def test_a_change_feed_follower_resumes_after_a_restart_without_losing_changes(platform: Platform) -> None:
    handled: list[str] = []

    def record(_: Platform, doc: Document) -> None:
        handled.append(doc["id"])

    def follower() -> ChangeFeedFollower:
        return ChangeFeedFollower("audit-follower", "audit", record, page_size=2)

    for i in range(3):
        platform.documents.create("audit", "t1", {"id": f"a{i}", "tenantId": "t1"})
    LocalWorker(platform, [follower()]).run_until_idle()
    for i in range(3, 5):
        platform.documents.create("audit", "t1", {"id": f"a{i}", "tenantId": "t1"})
    LocalWorker(platform, [follower()]).run_until_idle()  # a new worker, as after a restart
    assert handled == [f"a{i}" for i in range(5)]


def test_a_failing_change_handler_is_retried_until_it_succeeds(platform: Platform) -> None:
    attempts: list[str] = []

    def flaky(_: Platform, doc: Document) -> None:
        attempts.append(doc["id"])
        if len(attempts) == 1:
            raise RuntimeError("transient")

    platform.documents.create("audit", "t1", {"id": "x", "tenantId": "t1"})
    worker = LocalWorker(platform, [ChangeFeedFollower("flaky", "audit", flaky)])
    worker.run_until_idle()
    worker.run_until_idle()
    assert attempts == ["x", "x"]
    worker.run_until_idle()
    assert attempts == ["x", "x"]


def test_expired_documents_are_purged_by_the_worker(platform: Platform, clock: ManualClock) -> None:
    platform.documents.create("sessions", "t1", {"id": "s1", "tenantId": "t1", "ttl": 60})
    clock.advance(61)
    assert LocalWorker(platform, default_jobs()).run_until_idle() >= 1


def test_the_worker_command_refuses_an_entity_nothing_consumes(capsys) -> None:
    from shared.worker import main

    assert main(["--entity", "no-such-queue"]) == 2
    assert "no handler consumes no-such-queue" in capsys.readouterr().err


def test_a_consumer_that_renews_its_lock_keeps_a_long_message_to_itself_until_done(
    platform: Platform, clock: ManualClock
) -> None:
    lock = QUEUES["transcode"].lock_seconds
    renewed = threading.Event()
    renew_lock = platform.bus.renew_lock

    def counting_renew(message: ReceivedMessage) -> None:
        renew_lock(message)
        renewed.set()

    platform.bus.renew_lock = counting_renew  # type: ignore[method-assign]
    redelivered: list[int] = []

    def long_transcode(_: Platform, message: ReceivedMessage) -> None:
        for _ in range(3):  # three lock durations of work, in steps of just under one
            clock.advance(lock - 1)
            renewed.clear()
            assert renewed.wait(timeout=10), "the lock was not renewed"
            redelivered.extend(m.delivery_count for m in platform.bus.receive("transcode"))

    platform.bus.send("transcode", [OutgoingMessage.of_json({"assetId": "a"}, message_id="long")])
    consumer = BusConsumer("slow", "transcode", long_transcode, batch=1, renew_every=0.01)
    assert consumer.run_once(platform) == 1  # completed: the lock still held after 3 lock durations
    assert redelivered == []  # no other receiver got it meanwhile
    clock.advance(lock * 2)
    assert platform.bus.receive("transcode") == []
