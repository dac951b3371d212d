"""The outbox relay: publishes the events recorded in progress documents, fed by the change feed of ``progress``.

The local worker's follower (embedded profile) and the Cosmos DB trigger of ``functions/learning.py``
(Azure) both call ``relay_progress_change``. Every event goes to the ``events`` topic; a
``CourseCompleted`` also goes to the ``certificates`` queue. A document is relayed whole or not at
all: any failure raises, so the follower keeps its checkpoint and the trigger retries the batch.

The relay remembers, per document, the highest ``writeSeq`` it relayed, so a learner's steady
stream of progress writes does not republish a week of outbox on every write. The memory is a
bounded LRU in this process only. After a restart (or when a document fell out of the LRU) the
relay publishes the whole outbox again; that is harmless, because message ids are event ids (the
bus drops repeats within its duplicate window) and every consumer is idempotent by event id.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from shared.bootstrap import Platform
from shared.learning.events import COURSE_COMPLETED, event_message, events_to_relay
from shared.platform.topology import CERTIFICATES_QUEUE, EVENTS_TOPIC

__all__ = ["PROGRESS_FEED", "OutboxRelay", "RelayedWrites", "relay_progress_change", "relay_progress_changes"]

log = logging.getLogger("lms.learning.relay")

# The name of this reader of the progress feed: the local follower's checkpoint and the trigger's lease prefix.
PROGRESS_FEED = "learning-outbox-relay"
# About 100 bytes an entry: a few megabytes hold every learner active in the last while.
DEFAULT_CAPACITY = 100_000

DocKey = tuple[str, str]


class RelayedWrites:
    """A bounded, thread-safe map from a progress document to the highest ``writeSeq`` relayed,
    forgetting the least recently relayed documents first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._seqs: OrderedDict[DocKey, int] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._seqs)

    def get(self, key: DocKey) -> int | None:
        """The write sequence relayed last for the document, if it is remembered."""
        with self._lock:
            seq = self._seqs.get(key)
            if seq is not None:
                self._seqs.move_to_end(key)
            return seq

    def remember(self, key: DocKey, write_seq: int) -> None:
        """Record that every event up to ``write_seq`` of the document is on the bus."""
        with self._lock:
            # Not max(): a lower seq means the document was written anew, and its new events must count from there.
            self._seqs[key] = write_seq
            self._seqs.move_to_end(key)
            while len(self._seqs) > self._capacity:
                self._seqs.popitem(last=False)


class OutboxRelay:
    """Publishes the not yet relayed outbox events of changed progress documents. One lives per process;
    a new one (after a restart) starts with an empty memory and republishes what it cannot rule out."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.relayed = RelayedWrites(capacity)

    def __call__(self, platform: Platform, doc: Mapping[str, Any]) -> None:
        """Publish the events of one changed progress document that this relay has not published yet."""
        key = (str(doc.get("tenantId")), str(doc.get("id")))
        events = events_to_relay(doc, self.relayed.get(key))
        if events:
            platform.bus.send(EVENTS_TOPIC, [event_message(e) for e in events])
            completions = [event_message(e) for e in events if e.get("type") == COURSE_COMPLETED]
            if completions:
                platform.bus.send(CERTIFICATES_QUEUE, completions)
            log.info("relayed progress events", extra={"tenantId": key[0], "document": key[1], "count": len(events)})
        write_seq = doc.get("writeSeq")
        if isinstance(write_seq, int):
            self.relayed.remember(key, write_seq)

    def relay_batch(self, platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
        """Relay a batch of changed documents in feed order; return how many were read."""
        count = 0
        for doc in docs:
            self(platform, doc)
            count += 1
        return count


# The process's relay: the Functions host and the local worker keep it for the life of the process.
_relay = OutboxRelay()


def relay_progress_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Publish the events recorded in one changed progress document that were not published yet."""
    _relay(platform, doc)


def relay_progress_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Publish the new events of a batch of changed progress documents; return how many documents were read."""
    return _relay.relay_batch(platform, docs)
