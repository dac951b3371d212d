"""Identifier generation as an injectable part."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from typing import Protocol

__all__ = ["IdGenerator", "RandomIds", "SequentialIds"]


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A new unique id, roughly ordered by creation time (32 lowercase hex characters)."""
        ...

    def new_code(self, nbytes: int = 16) -> str:
        """An unguessable URL-safe code with ``nbytes`` of randomness."""
        ...


class RandomIds:
    """Time-prefixed random ids: 48 bits of milliseconds then 80 random bits, like UUIDv7.
    Monotonic within a process: ids made in the same millisecond count up from a random
    start, so sorting by id is sorting by creation (audit logs rely on it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_rand = 0

    def new_id(self) -> str:
        with self._lock:
            ms = max(time.time_ns() // 1_000_000, self._last_ms)
            if ms == self._last_ms:
                self._last_rand += 1
            else:
                self._last_rand = secrets.randbits(79)  # headroom so counting up never overflows 80 bits
            self._last_ms = ms
            return f"{ms:012x}{self._last_rand:020x}"

    def new_code(self, nbytes: int = 16) -> str:
        return secrets.token_urlsafe(nbytes)


class SequentialIds:
    """Predictable ids for tests: ``prefix`` followed by a zero-padded counter."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            return f"{self._prefix}{next(self._counter):08d}"

    def new_code(self, nbytes: int = 16) -> str:
        with self._lock:
            return f"code{next(self._counter):0{nbytes}d}"
