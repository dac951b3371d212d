"""The cache port: JSON values with a time to live (Redis in Azure, optional)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["Cache"]


class Cache(ABC):
    """Values must be JSON-serialisable so every adapter can hold them. Adapters spread
    each TTL by a random jitter so entries written together do not expire together."""

    @abstractmethod
    def get(self, key: str) -> Any | None:
        """The value, or None if absent or expired."""

    @abstractmethod
    def set(self, key: str, value: Any, ttl_seconds: float) -> None:
        """Store a value for about ``ttl_seconds``."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget a key (absent keys are fine)."""
