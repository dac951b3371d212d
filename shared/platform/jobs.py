"""The jobs that do a context's background work: what Azure's triggers do, run by the local worker.

A context declares its jobs in its spec (``shared/platform/contexts.py``): ``BusConsumer`` drains a
queue or subscription into a handler (peek-lock: complete on success, abandon on failure so the bus
counts deliveries and dead-letters poison messages), ``ChangeFeedFollower`` follows a container's
change feed with checkpoints kept in the document store (as the Cosmos trigger keeps leases), and
``Upkeep`` runs a periodic task (``Periodically`` limits how often). The same handler functions are
what the ``functions/`` blueprints call in Azure; ``shared/worker.py`` runs these jobs locally.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from shared.errors import NotFound
from shared.observability import correlated
from shared.platform.bus import ReceivedMessage
from shared.platform.documents import Document
from shared.platform.events import EventHandlers
from shared.platform.poison import handle_changes
from shared.platform.runtime import Platform
from shared.platform.topology import LEASES

__all__ = ["BusConsumer", "ChangeFeedFollower", "Job", "Periodically", "Upkeep"]

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
    # The events the handler dispatches, for a consumer of a topic subscription: the subscription is
    # filtered to their types, so it never receives (and pays for) an event its consumer ignores.
    events: EventHandlers | None = None

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
        is partitioned by /id (the change feed processor's rule; the Cosmos DB adapter addresses its
        documents by id, as the leases' ContainerSpec says): its id is also its partition, so the same
        read and write find it there and in the embedded store, which partitions by tenantId. The dot
        keeps it off every tenant id, so it stays in the shared database."""
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

    def _correlated(self, platform: Platform, doc: Mapping[str, Any]) -> None:
        with correlated(doc.get("correlationId") or f"{self.container}/{doc.get('id')}"):
            self.handler(platform, dict(doc))

    def run_once(self, platform: Platform) -> int:
        lease = self._lease(platform)
        page = platform.documents.read_changes(
            self.container, lease["continuation"] if lease else None, max_items=self.page_size, placement=self.placement
        )
        handle_changes(platform, self.name, self.container, page.items, each=self._correlated)
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


class Periodically:
    """An upkeep task that runs at most once every ``seconds`` of the platform's clock, although
    the local worker calls it on every round; returns what the task handled, 0 when not due."""

    def __init__(self, seconds: float, task: Callable[[Platform], int]) -> None:
        self._every = timedelta(seconds=seconds)
        self._task = task
        self._next: datetime | None = None

    def __call__(self, platform: Platform) -> int:
        now = platform.clock.now()
        if self._next is not None and now < self._next:
            return 0
        self._next = now + self._every
        return self._task(platform)
