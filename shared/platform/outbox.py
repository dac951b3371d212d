"""The transactional outbox, relayed: events recorded inside the documents they describe are published
from the change feed.

A context that raises events records them in the changed document's ``outbox`` in the same write that
changes its state (no dual writes), and increments the document's ``writeSeq``; each event carries the
``seq`` of the write that recorded it. An ``OutboxRelay`` is fed the changed documents of a container's
change feed (the local worker's follower on the embedded profile, a Cosmos DB trigger in Azure), which
delivers the latest version of a document at least once, perhaps skipping versions in between, and
publishes the events it has not relayed yet to the ``events`` topic (and, per event type, to a queue
too). A document is relayed whole or not at all: a failure raises, so the follower keeps its checkpoint
and the trigger retries the batch.

The relay remembers, per document, the highest ``writeSeq`` it relayed, so a steady stream of writes to
one document does not republish its whole outbox every time. The memory is a bounded LRU in this process
only: after a restart (or when a document fell out of it) the relay publishes the outbox again, which is
harmless, because message ids are event ids and every consumer is idempotent by event id.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from shared.platform.events import event_message
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC

__all__ = ["OutboxRelay", "RelayedWrites", "events_to_relay"]

log = logging.getLogger("lms.outbox")

# About 100 bytes an entry: a few megabytes hold every document written in the last while.
DEFAULT_CAPACITY = 100_000

DocKey = tuple[str, str]


def _write_seq(doc: Mapping[str, Any]) -> int | None:
    seq = doc.get("writeSeq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None


def events_to_relay(doc: Mapping[str, Any], last_seen_seq: int | None) -> list[dict[str, Any]]:
    """The outbox events of ``doc`` not yet relayed, in the order they were recorded, given the highest
    ``writeSeq`` of this document already relayed (None when unknown, as after a restart: all of them)."""
    outbox: list[dict[str, Any]] = list(doc.get("outbox") or [])
    write_seq = _write_seq(doc)
    # A version older than one already relayed is a replay, or the document was deleted and written
    # again from seq 1. The two look alike, and republishing is harmless while skipping is not.
    if last_seen_seq is None or write_seq is None or write_seq < last_seen_seq:
        fresh = outbox
    else:
        fresh = [event for event in outbox if event.get("seq", 0) > last_seen_seq]
    return sorted(fresh, key=lambda event: event.get("seq", 0))


class RelayedWrites:
    """A bounded, thread-safe map from a document to the highest ``writeSeq`` relayed,
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
    """Publishes the not yet relayed outbox events of changed documents of one container to the
    ``events`` topic, and those of the types in ``also_to`` to that queue as well. One lives per process
    and container; a new one (after a restart) starts with an empty memory and republishes what it
    cannot rule out."""

    def __init__(self, name: str, *, also_to: Mapping[str, str] | None = None, capacity: int = DEFAULT_CAPACITY):
        self.name = name
        self.relayed = RelayedWrites(capacity)
        self._also_to = dict(also_to or {})

    def __call__(self, platform: Platform, doc: Mapping[str, Any]) -> None:
        """Publish the events of one changed document that this relay has not published yet."""
        key = (str(doc.get("tenantId")), str(doc.get("id")))
        events = events_to_relay(doc, self.relayed.get(key))
        if events:
            platform.bus.send(EVENTS_TOPIC, [event_message(e) for e in events])
            for event_type, queue in self._also_to.items():
                also = [event_message(e) for e in events if e.get("type") == event_type]
                if also:
                    platform.bus.send(queue, also)
            log.info("relayed outbox events", extra={"relay": self.name, "tenantId": key[0], "count": len(events)})
        write_seq = _write_seq(doc)
        if write_seq is not None:
            self.relayed.remember(key, write_seq)

    def relay_batch(self, platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
        """Relay a batch of changed documents in feed order; return how many were read."""
        count = 0
        for doc in docs:
            self(platform, doc)
            count += 1
        return count
