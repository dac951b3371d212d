"""The cache port: JSON values with a time to live (Redis in Azure, optional)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["Cache"]


class Cache(ABC):
    """Values must be JSON-serialisable so every adapter can hold them. Adapters spread
    each TTL by a random jitter so entries written together do not expire together."""

    # True when the values live in this process: a get, set or take does no I/O and never blocks
    # for long, so the HTTP edge may call it on the event loop.
    in_process: bool = False

    @abstractmethod
    def get(self, key: str) -> Any | None:
        """The value, or None if absent or expired."""

    @abstractmethod
    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Store a value for about ``ttl_seconds``."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget a key (absent keys are fine)."""

    @abstractmethod
    def take(self, key: str, capacity: float, per_second: float) -> float:
        """Take one token from the bucket ``key`` (holding at most ``capacity`` tokens, refilled at
        ``per_second``; a new bucket is full). Returns 0 when a token was taken, else the seconds
        until one will be there (nothing taken). Atomic across every process sharing the cache."""
