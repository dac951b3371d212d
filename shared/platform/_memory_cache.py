"""The in-process cache: a thread-safe LRU whose entries expire after a jittered TTL.

Jitter spreads the expiry of entries written together (a catalog warmed at once), so
they are not all refreshed from the database in the same instant. Values are kept as
JSON text, as Redis keeps them: a cached value never shares objects with its caller,
and whatever works here also works with Redis.
"""

from __future__ import annotations

import json
import random
import threading
from collections import OrderedDict
from typing import Any

from shared.platform.cache import Cache
from shared.platform.clock import Clock, SystemClock

__all__ = ["MemoryCache"]


class MemoryCache(Cache):
    in_process = True

    def __init__(
        self,
        max_entries: int = 10_000,
        jitter: float = 0.1,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 <= jitter < 1:
            raise ValueError("jitter is a fraction between 0 and 1")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._max = max_entries
        self._jitter = jitter
        self._clock = clock or SystemClock()
        self._rng = rng or random.Random()  # noqa: S311 - spreading expiries, not security
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def get(self, key: str) -> Any | None:
        """The value, or None if absent or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, text = entry
            if expires <= self._now():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return json.loads(text)  # a fresh object per read, so a caller's change stays its own

    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Store a copy of ``value`` for ``ttl_seconds``, give or take the jitter."""
        # Strict JSON (no NaN): a copy now, so later changes to the caller's object do not leak in.
        text = json.dumps(value, allow_nan=False)
        ttl = ttl_seconds * (1 + self._rng.uniform(-self._jitter, self._jitter))
        with self._lock:
            self._entries[key] = (self._now() + ttl, text)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> None:
        """Forget a key; absent keys are fine."""
        with self._lock:
            self._entries.pop(key, None)

    def take(self, key: str, capacity: float, per_second: float) -> float:
        """A token bucket in this process (the embedded profile runs one process)."""
        now = self._now()
        with self._lock:
            tokens, at = self._buckets.pop(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - at) * per_second)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / per_second
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)  # the least recently used bucket: it is full again by now
        return wait
