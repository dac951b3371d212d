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
    """Time-prefixed random ids: 48 bits of milliseconds then 80 random bits, like UUIDv7."""

    def new_id(self) -> str:
        return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(10)}"

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
