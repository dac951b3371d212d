"""The local worker of the embedded profile: what Azure's triggers do, in one thread.

It drains bus entities into handlers (peek-lock: complete on success, abandon on
failure so the bus counts deliveries and dead-letters poison messages), follows
container change feeds with checkpoints kept in the document store (as the Cosmos
trigger keeps leases), and runs periodic upkeep such as purging expired documents.
The same handler functions are what the ``functions/`` blueprints call in Azure.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.assessment.grading import sweep_expired_attempts
from shared.assessment.handlers import ATTEMPTS_FEED, relay_attempt_change
from shared.assessment.model import ATTEMPTS
from shared.billing import handlers as billing_events
from shared.billing.handlers import Periodically
from shared.billing.service import flush_usage_meter, measure_storage
from shared.bootstrap import default_platform
from shared.catalog.model import COURSES
from shared.credentials.handlers import on_certificate_message
from shared.discovery.handlers import COURSE_FEED, index_course_change
from shared.enrollment.handlers import ENROLLMENT_EVENTS, on_event_message
from shared.enrollment.model import ENROLLMENTS
from shared.enrollment.relay import ENROLLMENTS_FEED, relay_enrollment_change
from shared.errors import NotFound
from shared.learning import handlers as learning_events
from shared.learning.events import PROGRESS
from shared.learning.handlers import LEARNING_EVENTS
from shared.learning.relay import PROGRESS_FEED, relay_progress_change
from shared.media.handlers import UploadWatcher, on_transcode_message
from shared.media.model import TRANSCODE_QUEUE
from shared.notifications import handlers as notification_events
from shared.observability import configure_logging, correlated
from shared.platform.bus import ReceivedMessage
from shared.platform.documents import Document
from shared.platform.runtime import Platform
from shared.platform.topology import CERTIFICATES_QUEUE, LEASES, QUEUES
from shared.privacy.service import SWEEP_EVERY_SECONDS, sweep_retention
from shared.reporting import handlers as reporting_events
from shared.telemetry import configure_telemetry

__all__ = ["BusConsumer", "ChangeFeedFollower", "Job", "LocalWorker", "Upkeep"]

log = logging.getLogger("lms.worker")

LEASE_PARTITION = "platform"


class Job(Protocol):
    name: str

    def run_once(self, platform: Platform) -> int:
        """Do one round of work; return how many items it handled."""
        ...


@contextlib.contextmanager
def _lock_kept(platform: Platform, message: ReceivedMessage, every: float | None) -> Iterator[None]:
    """Renew the message's lock every ``every`` seconds while the block runs, so a handler that works
    longer than the lock (a transcode of a long video) is not delivered to a second worker meanwhile."""
    if every is None:
        yield
        return
    done = threading.Event()

    def renew() -> None:
        while not done.wait(every):
            try:
                platform.bus.renew_lock(message)
            except Exception:  # the handler goes on; settling will tell whether the lock survived
                log.warning("could not renew a message lock", extra={"messageId": message.message_id}, exc_info=True)
                return

    keeper = threading.Thread(target=renew, name=f"lock-keeper-{message.message_id}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        done.set()
        keeper.join()


@dataclass
class BusConsumer:
    """Delivers messages of one entity to a handler, one at a time; with ``renew_every``, the lock
    of the message in hand is renewed that often until its handler returns."""

    name: str
    entity: str
    handler: Callable[[Platform, ReceivedMessage], None]
    batch: int = 16
    renew_every: float | None = None

    def run_once(self, platform: Platform) -> int:
        handled = 0
        for message in platform.bus.receive(self.entity, max_messages=self.batch):
            try:
                # Its logs and spans carry the message's correlation id, or its id (as a request's do).
                cid = message.properties.get("correlationId") or message.message_id
                with correlated(cid), _lock_kept(platform, message, self.renew_every):
                    self.handler(platform, message)
            except Exception:
                log.exception("handler failed", extra={"entity": self.entity, "messageId": message.message_id})
                platform.bus.abandon(message)
                continue
            platform.bus.complete(message)
            handled += 1
        return handled


@dataclass
class ChangeFeedFollower:
    """Feeds each changed document of a container to a handler, at least once, in order.
    The checkpoint moves only after the handler succeeded for the whole page. With ``placement``
    it follows the feed of that one database (see shared/placement.py) under a checkpoint of its own."""

    name: str
    container: str
    handler: Callable[[Platform, Document], None]
    page_size: int = 100
    placement: str | None = None

    def _checkpoint_key(self) -> tuple[str, str]:
        """The checkpoint's partition and id. A placed follower runs in Azure, whose leases container
        is partitioned by /id (the change feed processor's rule): its id is also its partition, so the
        same read and write find it there and where leases are partitioned by /tenantId (embedded,
        emulator). The dot keeps it off every tenant id, so it stays in the shared database."""
        if self.placement is None:
            return LEASE_PARTITION, self.name
        key = f"{self.name}.{self.placement}"
        return key, key

    def _lease(self, platform: Platform) -> Document | None:
        partition, lease_id = self._checkpoint_key()
        try:
            return platform.documents.read(LEASES, partition, lease_id)
        except NotFound:
            return None

    def run_once(self, platform: Platform) -> int:
        lease = self._lease(platform)
        page = platform.documents.read_changes(
            self.container, lease["continuation"] if lease else None, max_items=self.page_size, placement=self.placement
        )
        for doc in page.items:
            with correlated(doc.get("correlationId") or f"{self.container}/{doc.get('id')}"):
                self.handler(platform, doc)
        if page.items:
            partition, lease_id = self._checkpoint_key()
            checkpoint = {"id": lease_id, "tenantId": partition, "continuation": page.continuation}
            # The ETag guard makes a second worker on the same lease fail instead of racing.
            platform.documents.upsert(LEASES, partition, checkpoint, if_match=lease["_etag"] if lease else None)
        return len(page.items)


@dataclass
class Upkeep:
    """A maintenance task of an adapter, such as purging expired documents."""

    name: str
    task: Callable[[Platform], int]

    def run_once(self, platform: Platform) -> int:
        return self.task(platform)


def _purge_expired(platform: Platform) -> int:
    purge: Callable[[], int] | None = getattr(platform.documents, "purge_expired", None)
    return purge() if purge else 0


def bus_consumers() -> list[BusConsumer]:
    """Every context's bus consumers; a context adds its handlers here when it gains them."""
    return [
        BusConsumer("enrollment-events", ENROLLMENT_EVENTS, on_event_message),
        BusConsumer("learning-events", LEARNING_EVENTS, learning_events.on_event_message),
        BusConsumer(
            "notification-events", notification_events.NOTIFICATIONS_EVENTS, notification_events.on_event_message
        ),
        BusConsumer("reporting-events", reporting_events.REPORTING_EVENTS, reporting_events.on_event_message),
        BusConsumer("billing-events", billing_events.BILLING_EVENTS, billing_events.on_event_message),
        BusConsumer("credentials-certificates", CERTIFICATES_QUEUE, on_certificate_message),
        # One transcode at a time: each holds a CPU-heavy ffmpeg run for about as long as the video.
        BusConsumer(
            "media-transcode",
            TRANSCODE_QUEUE,
            on_transcode_message,
            batch=1,
            renew_every=QUEUES[TRANSCODE_QUEUE].lock_seconds / 3,
        ),
    ]


def change_feed_followers() -> list[ChangeFeedFollower]:
    """Every context's change-feed followers (the Cosmos DB triggers of Azure); each name is its checkpoint."""
    return [
        ChangeFeedFollower(COURSE_FEED, COURSES, index_course_change),
        ChangeFeedFollower(PROGRESS_FEED, PROGRESS, relay_progress_change),
        ChangeFeedFollower(ATTEMPTS_FEED, ATTEMPTS, relay_attempt_change),
        ChangeFeedFollower(ENROLLMENTS_FEED, ENROLLMENTS, relay_enrollment_change),
    ]


def default_jobs() -> list[Job]:
    """Every job the embedded profile runs: the consumers, followers and upkeep."""
    return [
        *bus_consumers(),
        *change_feed_followers(),
        Upkeep("purge-expired-documents", _purge_expired),
        Upkeep("media-upload-watcher", UploadWatcher()),
        Upkeep("grade-expired-attempts", sweep_expired_attempts),
        Upkeep("billing-meter-flush", Periodically(billing_events.FLUSH_EVERY_SECONDS, flush_usage_meter)),
        Upkeep("billing-storage", Periodically(billing_events.MEASURE_EVERY_SECONDS, measure_storage)),
        Upkeep("retention-sweep", Periodically(SWEEP_EVERY_SECONDS, sweep_retention)),
    ]


class LocalWorker:
    def __init__(self, platform: Platform, jobs: list[Job], *, idle_seconds: float = 0.5) -> None:
        self._platform = platform
        self._jobs = jobs
        self._idle = idle_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_until_idle(self, max_rounds: int = 1000) -> int:
        """Run every job until a round handles nothing (used by tests); return items handled."""
        total = 0
        for _ in range(max_rounds):
            handled = sum(self._run_job(job) for job in self._jobs)
            total += handled
            if handled == 0:
                break
        return total

    def _run_job(self, job: Job) -> int:
        try:
            return job.run_once(self._platform)
        except Exception:
            log.exception("job failed, will retry", extra={"job": job.name})
            return 0

    def _loop(self) -> None:
        while not self._stop.is_set():
            handled = sum(self._run_job(job) for job in self._jobs)
            if handled == 0:
                self._stop.wait(self._idle)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="lms-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_forever(self) -> None:
        """Run in the calling thread until interrupted (the transcoder container's loop)."""
        try:
            self._loop()
        except KeyboardInterrupt:
            self._stop.set()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m shared.worker --entity transcode [--until-idle]``: consume bus entities in this
    process, forever or (``--until-idle``, an execution of the transcoder job) until nothing is left."""
    parser = argparse.ArgumentParser(prog="python -m shared.worker")
    parser.add_argument("--entity", action="append", required=True, help="queue or subscription path (repeatable)")
    parser.add_argument("--until-idle", action="store_true", help="exit 0 once a round receives nothing")
    args = parser.parse_args(argv)
    consumers = [c for c in bus_consumers() if c.entity in args.entity]
    missing = set(args.entity) - {c.entity for c in consumers}
    if missing:
        print(f"no handler consumes {', '.join(sorted(missing))}", file=sys.stderr)
        return 2
    configure_logging()
    configure_telemetry()  # as function_app.py does: only where APPLICATIONINSIGHTS_CONNECTION_STRING is set
    worker = LocalWorker(default_platform(), list(consumers))
    if args.until_idle:
        handled = worker.run_until_idle()
        log.info("nothing left to receive", extra={"entities": args.entity, "handled": handled})
        return 0
    worker.run_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
