"""Rate limits of tenant members' requests: a token bucket per user and one per tenant.

The buckets live in the cache port, so on Azure (Redis) every instance draws from the same ones;
on the embedded profile the one process holds them. A refused request answers 429 with
``Retry-After``, the seconds until the bucket has a token again, and changes nothing.
"""

from __future__ import annotations

from shared.errors import RateLimited
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext

__all__ = ["check_rate_limits"]


def check_rate_limits(platform: Platform, ctx: TenantContext) -> None:
    """Take a token from the caller's bucket and from their tenant's; ``RateLimited`` if either is empty."""
    settings = platform.settings
    buckets = (
        (f"rate:user:{ctx.tenant_id}:{ctx.user_id}", settings.rate_limit_user_per_minute, "you"),
        (f"rate:tenant:{ctx.tenant_id}", settings.rate_limit_tenant_per_minute, "your organisation"),
    )
    for key, per_minute, who in buckets:
        if per_minute <= 0:
            continue
        wait = platform.cache.take(key, float(per_minute), per_minute / 60.0)
        if wait > 0:
            raise RateLimited(
                f"too many requests from {who} (at most {per_minute} a minute); try again shortly",
                retry_after_seconds=wait,
            )
