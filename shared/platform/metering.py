"""Usage counted in this process's memory and handed to the store in idempotent batches.

The HTTP edge counts each request of a tenant member here (a lock and a dict update, never a
store write), and says when a flush is due. A flush turns each tenant's cumulative readings (the
request count, and the document store's request units) into a ``MeterBatch`` of what is new since
the last acknowledged batch. A batch keeps its sequence number and amounts until it is
acknowledged, so a flush retried after a failed write sends the very same batch again, and the
store side drops it if it had landed after all (it keeps the last sequence applied per meter).
Readings are only taken as flushed once the write succeeded: a failed flush loses nothing.
What a process has counted but not flushed is lost with the process (at most one interval).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["API_REQUESTS", "DEFAULT_FLUSH_SECONDS", "MeterBatch", "UsageMeter"]

API_REQUESTS = "apiRequests"
DEFAULT_FLUSH_SECONDS = 60.0


@dataclass(frozen=True)
class MeterBatch:
    """What one flush adds to a tenant's usage: ``deltas`` since the last acknowledged batch,
    labelled (the month it is billed to), numbered ``seq`` within the meter ``instance``."""

    tenant: str
    instance: str
    seq: int
    label: str
    deltas: Mapping[str, float]
    readings: Mapping[str, float]  # the cumulative readings this batch brings the tenant to


class UsageMeter:
    """Per-tenant request counts of this process, and the batches that flush them."""

    def __init__(self, *, flush_seconds: float = DEFAULT_FLUSH_SECONDS, instance: str | None = None) -> None:
        self.instance = instance or secrets.token_hex(8)
        self._interval = timedelta(seconds=flush_seconds)
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._requests: dict[str, int] = {}
        self._acknowledged: dict[str, dict[str, float]] = {}
        self._pending: dict[str, MeterBatch] = {}
        self._seq = 0
        self._next_flush: datetime | None = None

    def count_request(self, tenant: str, now: datetime) -> bool:
        """Count one request of ``tenant``; True for the one caller that should flush now."""
        with self._lock:
            self._requests[tenant] = self._requests.get(tenant, 0) + 1
            if self._next_flush is None:
                self._next_flush = now + self._interval
                return False
            if now < self._next_flush:
                return False
            self._next_flush = now + self._interval
            return True

    def requests(self) -> dict[str, int]:
        """The requests counted per tenant since the meter was made (cumulative)."""
        with self._lock:
            return dict(self._requests)

    @contextmanager
    def flushing(self) -> Iterator[bool]:
        """Whether this caller may flush: one flush at a time, a second concurrent one does nothing."""
        acquired = self._flush_lock.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                self._flush_lock.release()

    def batch(self, tenant: str, readings: Mapping[str, float], label: str) -> MeterBatch | None:
        """The tenant's batch to write: the pending one unchanged if a flush of it failed, else a new
        one of what grew since the last acknowledged batch (None when nothing did)."""
        with self._lock:
            pending = self._pending.get(tenant)
            if pending is not None:
                return pending
            before = self._acknowledged.get(tenant, {})
            deltas = {name: value - before.get(name, 0.0) for name, value in readings.items()}
            grown = {name: delta for name, delta in deltas.items() if delta > 0}
            if not grown:
                return None
            self._seq += 1
            batch = MeterBatch(tenant, self.instance, self._seq, label, grown, dict(readings))
            self._pending[tenant] = batch
            return batch

    def acknowledge(self, batch: MeterBatch) -> None:
        """The batch is stored: its readings count as flushed."""
        with self._lock:
            if self._pending.get(batch.tenant) != batch:
                return  # acknowledged already (by a concurrent flush of the same batch)
            del self._pending[batch.tenant]
            self._acknowledged[batch.tenant] = {**self._acknowledged.get(batch.tenant, {}), **batch.readings}
