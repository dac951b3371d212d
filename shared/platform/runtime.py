"""The running platform: every port the application uses, built for one profile.

``shared.bootstrap`` (the composition root) builds it; contexts receive it and never build
adapters themselves. It lives in the platform package so that contexts can name the type
without importing the composition root, which imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.platform.blobs import BlobStore
from shared.platform.bus import MessageBus
from shared.platform.cache import Cache
from shared.platform.clock import Clock
from shared.platform.documents import DocumentStore
from shared.platform.identity import DevIssuer, Principal, TokenValidator
from shared.platform.ids import IdGenerator
from shared.platform.metering import UsageMeter
from shared.platform.search import SearchIndex
from shared.platform.secrets import SecretStore
from shared.platform.signer import UrlSigner
from shared.platform.tenancy import TenantContext
from shared.settings import Settings

if TYPE_CHECKING:
    # Only for the annotation: the question drafts context owns its generator port.
    from shared.platform.personal_data import PersonalData
    from shared.question_drafts.generator import QuestionGenerator

__all__ = ["EdgeHooks", "Platform"]


def _no_flush(platform: Platform) -> None:
    return None


def _nothing_cached(platform: Platform, principal: Principal) -> TenantContext | None:
    return None


@dataclass(frozen=True)
class EdgeHooks:
    """What the HTTP edge asks of contexts on every request, registered by the composition root (the
    edge is platform code and imports no context): who the caller is in their tenant (tenancy), and
    the flush of the request meter when one is due (billing). ``resolve_cached`` is ``resolve_tenant``
    decided from the cache alone (None when it would have to read the store), which the edge calls
    on the event loop when the cache is in-process, sparing the request a thread-pool hop."""

    resolve_tenant: Callable[[Platform, Principal], TenantContext]
    flush_usage: Callable[[Platform], None] = _no_flush
    resolve_cached: Callable[[Platform, Principal], TenantContext | None] = _nothing_cached


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
    generator: QuestionGenerator
    # The per-asset keys that encrypt HLS segments: a vault of their own in Azure, which the
    # transcoder may write and the API only read; the platform's secret store on the embedded profile.
    content_keys: SecretStore
    # This process's in-memory usage counts (API requests), flushed to billing now and then.
    usage_meter: UsageMeter = field(default_factory=UsageMeter)
    # Each context's contribution to GDPR export, erasure and retention, in the order an erasure
    # visits them (registered by the composition root from the contexts' specs).
    personal_data: tuple[tuple[str, PersonalData], ...] = ()
    edge: EdgeHooks | None = None

    def readiness_checks(self) -> dict[str, Any]:
        """The ports whose reachability ``/api/ready`` reports."""
        return {"documents": self.documents, "blobs": self.blobs, "bus": self.bus, "search": self.search}
