"""The one composition root: builds the adapters of the chosen profile.

The FastAPI app, the trigger blueprints, the CLI, the local runtime and the tests all
get their dependencies from here. Nothing is built at import time: ``default_platform``
builds once per process on first use (the Functions host imports ``function_app.py``
only to index functions). Tests call ``bootstrap(settings, **overrides)`` directly.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.platform.blobs import BlobStore
from shared.platform.bus import MessageBus
from shared.platform.cache import Cache
from shared.platform.clock import Clock, SystemClock
from shared.platform.documents import DocumentStore
from shared.platform.identity import DevIssuer, JwksKeys, KeyResolver, StaticKeys, TokenValidator
from shared.platform.ids import IdGenerator, RandomIds
from shared.platform.search import SearchIndex
from shared.platform.secrets import SecretStore, ensure_secret
from shared.platform.signer import UrlSigner
from shared.platform.topology import BUS_TOPOLOGY
from shared.settings import Settings

__all__ = ["Platform", "bootstrap", "default_platform"]

URL_SIGNING_SECRET = "url-signing-key"  # noqa: S105 - the name of a secret, not its value


@dataclass(frozen=True)
class Platform:
    """Every port the application uses, built for one profile."""

    settings: Settings
    clock: Clock
    ids: IdGenerator
    documents: DocumentStore
    blobs: BlobStore
    bus: MessageBus
    search: SearchIndex
    secrets: SecretStore
    cache: Cache
    signer: UrlSigner
    tokens: TokenValidator
    dev_issuer: DevIssuer | None

    def readiness_checks(self) -> dict[str, Any]:
        """The ports whose reachability ``/api/ready`` reports."""
        return {"documents": self.documents, "blobs": self.blobs, "bus": self.bus, "search": self.search}


def bootstrap(settings: Settings | None = None, **overrides: Any) -> Platform:
    """Build the platform for ``settings``; any port can be replaced by a keyword override."""
    settings = settings or Settings()
    if settings.profile != "embedded":
        raise RuntimeError(
            "LMS_PROFILE=azure needs the Azure adapters, which this build does not contain yet; "
            "use LMS_PROFILE=embedded"
        )
    parts: dict[str, Any] = {"clock": SystemClock(), "ids": RandomIds(), **overrides}
    data = settings.data_dir
    builders: dict[str, Callable[[], Any]] = {
        "documents": lambda: _sqlite_documents(data, parts["clock"]),
        "blobs": lambda: _folder_blobs(data, parts["clock"]),
        "bus": lambda: _sqlite_bus(data, parts["clock"]),
        "search": lambda: _fts_search(data),
        "secrets": lambda: _local_secrets(data),
        "cache": lambda: _memory_cache(parts["clock"]),
        "dev_issuer": lambda: DevIssuer(
            data / "keys", issuer=settings.auth_issuer, audience=settings.auth_audience, clock=parts["clock"]
        ),
    }
    for name, build in builders.items():
        if name not in parts:
            parts[name] = build()
    if "signer" not in parts:
        parts["signer"] = _hmac_signer(parts["secrets"], settings, parts["clock"])
    if "tokens" not in parts:
        parts["tokens"] = _token_validator(settings, parts["dev_issuer"], parts["clock"])
    return Platform(settings=settings, **parts)


@functools.cache
def default_platform() -> Platform:
    """The process-wide platform, built on first use from the environment's settings."""
    return bootstrap(Settings())


def _token_validator(settings: Settings, dev_issuer: DevIssuer | None, clock: Clock) -> TokenValidator:
    keys: KeyResolver
    if settings.auth_jwks_url:
        keys = JwksKeys(settings.auth_jwks_url)
    elif dev_issuer is not None:
        keys = StaticKeys(dev_issuer.public_key)
    else:
        raise RuntimeError("no token keys: set LMS_AUTH_JWKS_URL or use the embedded dev issuer")
    return TokenValidator(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        keys=keys,
        tenant_claim=settings.auth_tenant_claim,
        roles_claim=settings.auth_roles_claim,
        leeway_seconds=settings.auth_leeway_seconds,
        clock=clock,
    )


def _sqlite_documents(data: Path, clock: Clock) -> DocumentStore:
    from shared.platform._sqlite_documents import SqliteDocumentStore

    return SqliteDocumentStore(data / "documents.sqlite3", clock=clock)


def _folder_blobs(data: Path, clock: Clock) -> BlobStore:
    from shared.platform._folder_blobs import FolderBlobStore

    return FolderBlobStore(data / "blobs", clock=clock)


def _sqlite_bus(data: Path, clock: Clock) -> MessageBus:
    from shared.platform._sqlite_bus import SqliteMessageBus

    return SqliteMessageBus(data / "bus.sqlite3", BUS_TOPOLOGY, clock=clock)


def _fts_search(data: Path) -> SearchIndex:
    from shared.platform._fts_search import SqliteSearchIndex

    return SqliteSearchIndex(data / "search.sqlite3")


def _local_secrets(data: Path) -> SecretStore:
    from shared.platform._local_secrets import LocalSecretStore

    return LocalSecretStore(data / "keys" / "secrets.json")


def _memory_cache(clock: Clock) -> Cache:
    from shared.platform._memory_cache import MemoryCache

    return MemoryCache(clock=clock)


def _hmac_signer(store: SecretStore, settings: Settings, clock: Clock) -> UrlSigner:
    from shared.platform._hmac_signer import HmacUrlSigner

    key = ensure_secret(store, URL_SIGNING_SECRET, lambda: secrets.token_urlsafe(32))
    return HmacUrlSigner(key.encode(), f"{settings.public_base_url}/api/local-blobs", clock=clock)
