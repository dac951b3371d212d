"""The one composition root: builds the adapters of the chosen profile.

The FastAPI app, the trigger blueprints, the CLI, the local runtime and the tests all
get their dependencies from here. Nothing is built at import time: ``default_platform``
builds once per process on first use (the Functions host imports ``function_app.py``
only to index functions). Tests call ``bootstrap(settings, **overrides)`` directly.
"""

from __future__ import annotations

import functools
from typing import Any

from shared._adapters import PORTS, Adapters
from shared.platform.clock import Clock, SystemClock
from shared.platform.identity import DevIssuer, JwksKeys, KeyResolver, StaticKeys, TokenValidator
from shared.platform.ids import RandomIds
from shared.platform.runtime import Platform
from shared.settings import Settings

__all__ = ["Platform", "bootstrap", "default_platform"]


def bootstrap(settings: Settings | None = None, **overrides: Any) -> Platform:
    """Build the platform for ``settings``; any port can be replaced by a keyword override."""
    settings = settings or Settings()
    parts: dict[str, Any] = {"clock": SystemClock(), "ids": RandomIds(), **overrides}
    adapters = Adapters(settings, parts["clock"])
    for port in PORTS:
        if port not in parts:
            parts[port] = adapters.build(port)
    if "dev_issuer" not in parts:
        parts["dev_issuer"] = _dev_issuer(settings, parts["clock"])
    if "signer" not in parts:
        parts["signer"] = adapters.signer(parts["secrets"])
    if "generator" not in parts:
        parts["generator"] = adapters.generator()
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


def _dev_issuer(settings: Settings, clock: Clock) -> DevIssuer | None:
    """The local token issuer of the embedded profile; Azure takes tokens from Entra ID only."""
    if settings.profile != "embedded":
        return None
    return DevIssuer(
        settings.data_dir / "keys", issuer=settings.auth_issuer, audience=settings.auth_audience, clock=clock
    )
