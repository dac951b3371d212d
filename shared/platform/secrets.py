"""The secrets port: named secret strings (Key Vault in Azure)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable

from shared.errors import InvalidInput, NotFound

__all__ = ["SecretStore", "ensure_secret", "validate_secret_name"]

_NAME = re.compile(r"[A-Za-z0-9-]{1,127}")


def validate_secret_name(name: str) -> str:
    """The name in lower case (names follow Key Vault: 1-127 letters, digits and dashes,
    compared without regard to case); ``InvalidInput`` otherwise."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput("secret names are 1-127 letters, digits and dashes")
    return name.lower()


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
