"""Usage billing use cases: counting facts once, flushing the request meter, measuring storage, and
the month's usage a TenantAdmin reads.

Every write here is idempotent: a fact lands in its shard once (``with_fact``), a meter batch once
per meter and sequence (``with_meter_batch``), and a storage measurement simply replaces the latest
value. Nothing is written per API request: requests are counted in the process's ``UsageMeter``
and flushed about once a minute (from the request path when due, and by the worker or a timer).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from shared.billing.model import (
    NEWEST_MONTH_FIRST,
    RECENT_MONTHS,
    REQUEST_CHARGES,
    USAGE,
    FactMetric,
    FactShard,
    UsageMonth,
    UsageReport,
    fact_digest,
    fact_shard_id,
    month_doc_id,
    month_of,
    new_fact_shard,
    new_month_doc,
    parse_month,
    usage_of,
    with_fact,
    with_meter_batch,
    with_storage,
)
from shared.credentials.model import CERTIFICATE_BLOBS
from shared.errors import Conflict, PreconditionFailed, Unavailable
from shared.media.model import MEDIA_BLOBS, UPLOADS
from shared.platform.documents import Filter
from shared.platform.generated_secrets import generated_secret
from shared.platform.metering import API_REQUESTS, MeterBatch
from shared.platform.runtime import Platform
from shared.platform.stored import StoredDocument
from shared.platform.tenancy import TenantContext, TenantDocuments
from shared.platform.tenancy import system_context as platform_system_context
from shared.tenancy import service as tenancy

__all__ = [
    "BILLING_ACTOR",
    "TENANT_BLOB_CONTAINERS",
    "flush_usage_after_request",
    "flush_usage_meter",
    "measure_storage",
    "measure_tenant_storage",
    "record_fact",
    "system_context",
    "usage_report",
]

log = logging.getLogger("lms.billing")

BILLING_ACTOR = "system:billing"
DIGEST_SECRET = "usage-digest-key"  # noqa: S105 - the name of a secret, not its value
# Every blob of these containers is named {tenant}/...: the tenant's stored bytes.
TENANT_BLOB_CONTAINERS = (UPLOADS, MEDIA_BLOBS, CERTIFICATE_BLOBS)
WRITE_ATTEMPTS = 8
PAGE = 1000
TENANT_PAGE = 100


M = TypeVar("M", bound=StoredDocument)


def system_context(tenant_id: str) -> TenantContext:
    """Billing's own context in a tenant, for work no caller asked for (events, meters, measurements)."""
    return platform_system_context(tenant_id, BILLING_ACTOR)


def _months(platform: Platform, ctx: TenantContext) -> TenantDocuments[UsageMonth]:
    return TenantDocuments(platform.documents, USAGE, ctx, UsageMonth)


def _shards(platform: Platform, ctx: TenantContext) -> TenantDocuments[FactShard]:
    return TenantDocuments(platform.documents, USAGE, ctx, FactShard)


def _digest_key(platform: Platform) -> bytes:
    """The key of fact digests (read once per process)."""
    return generated_secret(platform, DIGEST_SECRET).encode()


def _changed(docs: TenantDocuments[M], doc_id: str, fresh: Callable[[], M], change: Callable[[M], M | None]) -> bool:
    """Read-modify-write one document (made from ``fresh`` when absent) with an ETag guard, again
    after a concurrent write; ``change`` returns None when there is nothing to write."""
    for _ in range(WRITE_ATTEMPTS):
        found = docs.find(doc_id)
        updated = change(fresh() if found is None else found)
        if updated is None:
            return False
        try:
            if found is None:
                docs.create(updated)
            else:
                docs.replace(updated, if_match=found.etag)
            return True
        except (Conflict, PreconditionFailed):
            continue  # another writer came first: decide again on its version
    raise Unavailable("the tenant's usage is being changed concurrently; try again")


def _ensure_month(docs: TenantDocuments[UsageMonth], month: str) -> None:
    with contextlib.suppress(Conflict):  # the month is recorded already
        docs.create(new_month_doc(month))


def record_fact(
    platform: Platform, ctx: TenantContext, metric: FactMetric, at: datetime, value: str, amount: float
) -> bool:
    """Count a fact of the tenant (``value`` names it: a user, an event) in the month of ``at``,
    once: False when it was counted already."""
    month = month_of(at)
    digest = fact_digest(_digest_key(platform), metric, month, ctx.tenant_id, value)

    def first_of_shard() -> FactShard:
        # The month is listed before any fact of it is stored, so a month with usage is always listed.
        _ensure_month(_months(platform, ctx), month)
        return new_fact_shard(month, metric, digest)

    return _changed(
        _shards(platform, ctx),
        fact_shard_id(month, metric, digest),
        first_of_shard,
        lambda shard: with_fact(shard, digest, amount),
    )


# --- the request meter ------------------------------------------------------------------------


def _meter_readings(platform: Platform) -> dict[str, dict[str, float]]:
    """Each tenant's cumulative API requests and request units in this process."""
    readings = {tenant: {API_REQUESTS: float(count)} for tenant, count in platform.usage_meter.requests().items()}
    for tenant, units in platform.documents.request_charges().items():
        readings.setdefault(tenant, {})[REQUEST_CHARGES] = units
    return readings


def _apply_batch(platform: Platform, batch: MeterBatch) -> None:
    docs = _months(platform, system_context(batch.tenant))
    month = batch.label
    _changed(docs, month_doc_id(month), lambda: new_month_doc(month), lambda doc: with_meter_batch(doc, batch))


def flush_usage_meter(platform: Platform) -> int:
    """Add what this process metered (API requests, request units) to each tenant's month, and
    return for how many tenants. A batch that fails stays pending and is retried as it is."""
    meter = platform.usage_meter
    with meter.flushing() as allowed:
        if not allowed:
            return 0  # another thread of this process is flushing right now
        month = month_of(platform.clock.now())
        flushed = 0
        for tenant, readings in _meter_readings(platform).items():
            batch = meter.batch(tenant, readings, month)
            if batch is None:
                continue
            _apply_batch(platform, batch)
            meter.acknowledge(batch)
            flushed += 1
        return flushed


def flush_usage_after_request(platform: Platform) -> None:
    """The request path's flush when one is due: a failure must not fail the caller's request, and
    loses nothing (the batch stays pending for the next flush)."""
    try:
        flush_usage_meter(platform)
    except Exception:
        log.warning("usage flush failed; it is retried with the next one", exc_info=True)


# --- storage ----------------------------------------------------------------------------------


def measure_tenant_storage(platform: Platform, ctx: TenantContext) -> int:
    """Measure the bytes the tenant stores (uploads, media, certificates) and record them as the
    month's latest value and, if higher, its peak; return the bytes."""
    prefix = f"{ctx.tenant_id}/"
    measured = sum(info.size for c in TENANT_BLOB_CONTAINERS for info in platform.blobs.list(c, prefix))
    now = platform.clock.now()
    month = month_of(now)
    _changed(
        _months(platform, ctx),
        month_doc_id(month),
        lambda: new_month_doc(month),
        lambda d: with_storage(d, measured, now),
    )
    return measured


def measure_storage(platform: Platform) -> int:
    """Measure the storage of every tenant of the platform; return how many were measured."""
    measured, continuation = 0, None
    while True:
        page = tenancy.list_tenants(platform, limit=TENANT_PAGE, continuation=continuation)
        for tenant in page.items:
            measure_tenant_storage(platform, system_context(tenant.id))
            measured += 1
        if page.continuation is None:
            return measured
        continuation = page.continuation


# --- reading ----------------------------------------------------------------------------------


def _fact_shards(docs: TenantDocuments[FactShard], month: str) -> list[FactShard]:
    filters = [Filter("month", "eq", month)]
    shards: list[FactShard] = []
    continuation = None
    while True:
        page = docs.query(filters, limit=PAGE, continuation=continuation)
        shards += page.items
        if page.continuation is None:
            return shards
        continuation = page.continuation


def _recent_months(docs: TenantDocuments[UsageMonth]) -> list[str]:
    page = docs.query(order_by=NEWEST_MONTH_FIRST, limit=RECENT_MONTHS)
    return [doc.month for doc in page.items]


def usage_report(platform: Platform, ctx: TenantContext, month: str | None) -> UsageReport:
    """The tenant's metered usage in ``month`` (YYYY-MM; the current month when None), and the
    recent months that have usage."""
    wanted = parse_month(month) if month is not None else month_of(platform.clock.now())
    months = _months(platform, ctx)
    usage = usage_of(wanted, months.find(month_doc_id(wanted)), _fact_shards(_shards(platform, ctx), wanted))
    return UsageReport(usage=usage, months=_recent_months(months))
