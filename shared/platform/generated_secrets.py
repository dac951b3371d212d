"""Secrets the platform generates on first use (signing and HMAC keys), read once per process.

Key Vault is slow and these never change under a running process, so each is read once per process
and secret store; the first instance ever to need one creates it, and only that one
(``ensure_secret`` with the document store as the arbiter), so every instance signs with the same key.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

from shared.platform.runtime import Platform
from shared.platform.secrets import SecretStore, ensure_secret

__all__ = ["generated_secret"]

_cache: dict[tuple[int, str], tuple[SecretStore, str]] = {}
_lock = threading.Lock()


def _random_key() -> str:
    return secrets.token_urlsafe(32)


def generated_secret(platform: Platform, name: str, generate: Callable[[], str] = _random_key) -> str:
    """The value of the secret ``name``, generated (by one instance only) when it has none."""
    store = platform.secrets
    with _lock:
        hit = _cache.get((id(store), name))
        if hit is not None and hit[0] is store:
            return hit[1]
    value = ensure_secret(store, name, generate, claims=platform.documents, clock=platform.clock)
    with _lock:
        _cache[(id(store), name)] = (store, value)
    return value
