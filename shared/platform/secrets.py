"""The secrets port: named secret strings (Key Vault in Azure)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from shared.errors import NotFound

__all__ = ["SecretStore", "ensure_secret"]


class SecretStore(ABC):
    @abstractmethod
    def get(self, name: str) -> str:
        """The secret's current value; ``NotFound`` if it is not set."""

    @abstractmethod
    def set(self, name: str, value: str) -> None:
        """Set a new value (a new version, where the backend keeps versions)."""


def ensure_secret(store: SecretStore, name: str, generate: Callable[[], str]) -> str:
    """The secret's value, generating and storing one on first use."""
    try:
        return store.get(name)
    except NotFound:
        store.set(name, generate())
        return store.get(name)
