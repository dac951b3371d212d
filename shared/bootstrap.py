"""The one composition root: the contexts of the platform, and the adapters of the chosen profile.

``CONTEXTS`` lists every bounded context's spec once (its ``__init__.py`` exports it); the HTTP app,
the document containers, the local worker, the Azure blueprints and the personal-data contributors
are all derived from it. Its order is the order a GDPR erasure visits the contexts: downstream ones
first, then audit (after every context that may re-key an audited subject), and the tenancy profile
last (while it exists, a failed erasure can be run again to finish).

The FastAPI app, the trigger blueprints, the CLI, the local runtime and the tests all
get their dependencies from here. Nothing is built at import time: ``default_platform``
builds once per process on first use (the Functions host imports ``function_app.py``
only to index functions). Tests call ``bootstrap(settings, **overrides)`` directly.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from shared import (
    assessment,
    audit,
    billing,
    catalog,
    credentials,
    discovery,
    enrollment,
    learning,
    media,
    notifications,
    privacy,
    question_drafts,
    reporting,
    tenancy,
)
from shared._adapters import PORTS, Adapters
from shared.billing.flusher import UsageFlusher
from shared.billing.service import flush_usage_after_request
from shared.platform.bus import BusTopology, subscription_path
from shared.platform.clock import Clock, SystemClock
from shared.platform.contexts import ContextSpec
from shared.platform.documents import ID_KEY, ContainerSpec
from shared.platform.identity import DevIssuer, JwksKeys, KeyResolver, StaticKeys, TokenValidator
from shared.platform.ids import RandomIds
from shared.platform.personal_data import PersonalData
from shared.platform.poison import poison_container
from shared.platform.runtime import EdgeHooks, Platform
from shared.platform.topology import BUS_TOPOLOGY, LEASES
from shared.settings import Settings
from shared.tenancy.service import cached_tenant_context, resolve_tenant_context

__all__ = ["CONTEXTS", "Platform", "bootstrap", "default_platform", "document_containers"]

CONTEXTS: tuple[ContextSpec, ...] = (
    enrollment.SPEC,
    learning.SPEC,
    assessment.SPEC,
    question_drafts.SPEC,
    credentials.SPEC,
    notifications.SPEC,
    media.SPEC,
    catalog.SPEC,
    discovery.SPEC,
    reporting.SPEC,
    billing.SPEC,
    privacy.SPEC,
    audit.SPEC,
    tenancy.SPEC,
)


def document_containers() -> tuple[ContainerSpec, ...]:
    """Every document container of the platform: each context's, and the change-feed checkpoints."""
    return (
        *(container for spec in CONTEXTS for container in spec.containers),
        # The Functions Cosmos DB triggers keep their leases here and require it keyed by /id; the
        # platform's checkpoints and secret claims in it are point operations by id.
        ContainerSpec(LEASES, partition_key=ID_KEY),
        poison_container(),
    )


def _personal_data() -> tuple[tuple[str, PersonalData], ...]:
    return tuple((spec.name, spec.personal_data) for spec in CONTEXTS if spec.personal_data is not None)


def bootstrap(settings: Settings | None = None, **overrides: Any) -> Platform:
    """Build the platform for ``settings``; any port can be replaced by a keyword override."""
    settings = settings or Settings()
    parts: dict[str, Any] = {"clock": SystemClock(), "ids": RandomIds(), **overrides}
    adapters = Adapters(settings, parts["clock"], document_containers(), bus_topology())
    for port in PORTS:
        if port not in parts:
            parts[port] = adapters.build(port)
    if "dev_issuer" not in parts:
        parts["dev_issuer"] = _dev_issuer(settings, parts["clock"])
    if "signer" not in parts:
        parts["signer"] = adapters.signer(parts["secrets"], parts["documents"])
    if "content_keys" not in parts:
        parts["content_keys"] = adapters.content_keys(parts["secrets"])
    if "generator" not in parts:
        parts["generator"] = adapters.generator()
    if "tokens" not in parts:
        parts["tokens"] = _token_validator(settings, parts["dev_issuer"], parts["clock"])
    parts.setdefault("personal_data", _personal_data())
    edge = EdgeHooks(
        resolve_tenant=resolve_tenant_context,
        flush_usage=flush_usage_after_request,
        resolve_cached=cached_tenant_context,
    )
    parts.setdefault("edge", edge)
    if settings.profile == "azure" and not settings.cosmos_emulator:  # on the emulators, a local run may stay local
        _require_public_url(settings.public_base_url)
        if settings.web_base_url is not None:
            _require_public_url(settings.web_base_url, "LMS_WEB_BASE_URL")
    return Platform(settings=settings, **parts)


def subscription_filters() -> dict[str, frozenset[str]]:
    """Each topic subscription's path -> the event types its consumer handles (from the specs)."""
    filters: dict[str, frozenset[str]] = {}
    for spec in CONTEXTS:
        for consumer in spec.consumers:
            if consumer.events is not None:
                if consumer.entity in filters:
                    raise RuntimeError(f"two consumers of {consumer.entity}")
                filters[consumer.entity] = frozenset(m.TYPE for m in consumer.events.models)
    return filters


def bus_topology() -> BusTopology:
    """The platform's bus entities, each topic subscription filtered to its consumer's event types."""
    filters = subscription_filters()
    topics = {
        topic: {
            name: replace(options, event_types=filters.get(subscription_path(topic, name)))
            for name, options in subscriptions.items()
        }
        for topic, subscriptions in BUS_TOPOLOGY.topics.items()
    }
    return BusTopology(queues=BUS_TOPOLOGY.queues, topics=topics)


def _require_public_url(url: str, setting: str = "LMS_PUBLIC_BASE_URL") -> None:
    """In Azure the public base URL is printed into every certificate (its QR code, its verification
    URL, the signed credential's issuer): a local default would be signed in for good. Refuse it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local_names = {"localhost", "::1", "0.0.0.0"}  # noqa: S104 - names refused here, nothing is bound
    loopback = host in local_names or host.startswith("127.") or host.endswith(".localhost")
    if parts.scheme != "https" or not host or loopback:
        raise RuntimeError(f"{setting} must be the platform's public https address on the azure profile, not {url!r}")


@functools.cache
def default_platform() -> Platform:
    """The process-wide platform, built on first use from the environment's settings. The process
    flushes the usage it counts itself, in the background and when it stops (shared/billing/flusher.py)."""
    platform = bootstrap(Settings())
    UsageFlusher(platform).start()
    return platform


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
        extra_issuers=settings.auth_extra_issuers,
        extra_audiences=settings.auth_extra_audiences,
        user_claim=settings.auth_user_claim,
        tenant_directories=settings.auth_tenant_directories,
    )


def _dev_issuer(settings: Settings, clock: Clock) -> DevIssuer | None:
    """The local token issuer of the embedded profile; Azure takes tokens from Entra ID only."""
    if settings.profile != "embedded":
        return None
    return DevIssuer(
        settings.data_dir / "keys", issuer=settings.auth_issuer, audience=settings.auth_audience, clock=clock
    )
