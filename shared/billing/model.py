"""Usage billing: what a tenant used in a calendar month (UTC), and the pure rules that keep each
count exact however often its sources repeat themselves.

Two kinds of documents in the ``usage`` container, per tenant:

- a month document (``month.{YYYY-MM}``): the API requests and request units flushed from each
  process's meter (with the last batch applied per meter, so a retried flush adds nothing), and
  the latest and peak storage measured in the month;
- fact shards (``facts.{YYYY-MM}.{metric}.{shard}``): the facts counted once each, as a map from a
  keyed digest to an amount (1 for an active learner or an enrollment, seconds for a transcoded
  video). Adding a digest that is there already changes nothing, so a redelivered event, or the
  same learner active again in the month, counts once; a learner active in two months has a
  digest in each. Facts are spread over shards so that no document grows past a few tens of KB.

Billing holds no personal data: a learner is a keyed digest (HMAC of the month, tenant and user
with a key from the secrets port), so a month's digests are not even linkable to another month's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.errors import InvalidInput
from shared.kernel import OutputModel
from shared.platform.documents import ContainerSpec, Order
from shared.platform.metering import API_REQUESTS, MeterBatch
from shared.platform.stored import StoredDocument

__all__ = [
    "ACTIVE_LEARNERS",
    "ENROLLMENTS",
    "MONTH_PATTERN",
    "NEWEST_MONTH_FIRST",
    "RECENT_MONTHS",
    "REQUEST_CHARGES",
    "SHARDS",
    "USAGE",
    "USAGE_CONTAINER",
    "VIDEO_SECONDS",
    "FactMetric",
    "FactShard",
    "MonthUsage",
    "UsageMonth",
    "UsageReport",
    "fact_digest",
    "fact_shard_id",
    "month_doc_id",
    "month_of",
    "new_fact_shard",
    "new_month_doc",
    "parse_month",
    "usage_of",
    "with_fact",
    "with_meter_batch",
    "with_storage",
]

USAGE = "usage"
NEWEST_MONTH_FIRST = (Order("month", descending=True),)
USAGE_CONTAINER = ContainerSpec(  # metered=False: billing's own writes
    USAGE, orderings=(NEWEST_MONTH_FIRST,), filters=("type", "month"), metered=False
)
RECENT_MONTHS = 12

FactMetric = Literal["activeLearners", "enrollments", "videoSeconds"]
ACTIVE_LEARNERS: FactMetric = "activeLearners"
ENROLLMENTS: FactMetric = "enrollments"
VIDEO_SECONDS: FactMetric = "videoSeconds"
REQUEST_CHARGES = "requestCharges"

SHARDS = 64
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)
_DIGEST_HEX = 24  # 96 bits: no two of a month's facts meet by chance


def month_of(moment: datetime) -> str:
    """The calendar month (UTC) a moment falls in, as ``YYYY-MM``; a naive time is taken as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m")


def parse_month(text: str) -> str:
    """``text`` if it is a month ``YYYY-MM`` (years 2000 to 9999); ``InvalidInput`` otherwise."""
    if not isinstance(text, str) or not _MONTH.match(text) or int(text[:4]) < 2000:
        raise InvalidInput("a month is YYYY-MM, from 2000-01")
    return text


def fact_digest(key: bytes, metric: str, month: str, tenant: str, value: str) -> str:
    """The keyed digest a fact is counted under: the same fact gives the same digest, and nobody
    without the key can tell whose it is."""
    message = "\n".join((metric, month, tenant, value)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_DIGEST_HEX]


def fact_shard_id(month: str, metric: str, digest: str) -> str:
    return f"facts.{month}.{metric}.{int(digest[:4], 16) % SHARDS:02d}"


def month_doc_id(month: str) -> str:
    return f"month.{month}"


class UsageMonth(StoredDocument):
    """A tenant's month (``month.{YYYY-MM}``): the flushed request meters and the storage measured."""

    KIND: ClassVar[str] = "usage-month"
    type: Literal["usage-month"] = "usage-month"
    month: str
    apiRequests: int = 0  # API_REQUESTS
    requestCharges: float = 0.0  # REQUEST_CHARGES
    storageBytes: int = 0
    storagePeakBytes: int = 0
    storageMeasuredAt: str | None = None
    # Per meter (a process instance), the sequence number of the last batch applied.
    flushes: dict[str, int] = Field(default_factory=dict)


class FactShard(StoredDocument):
    """One shard of a month's facts of one metric (``facts.{YYYY-MM}.{metric}.{shard}``): a map from
    a keyed digest to an amount."""

    KIND: ClassVar[str] = "usage-facts"
    type: Literal["usage-facts"] = "usage-facts"
    month: str
    metric: FactMetric
    entries: dict[str, float] = Field(default_factory=dict)


def new_month_doc(month: str) -> UsageMonth:
    return UsageMonth(id=month_doc_id(month), month=month)


def new_fact_shard(month: str, metric: FactMetric, digest: str) -> FactShard:
    return FactShard(id=fact_shard_id(month, metric, digest), month=month, metric=metric)


def with_fact(shard: FactShard, digest: str, amount: float) -> FactShard | None:
    """The shard with the fact added, or None when it holds the fact already (a repeat)."""
    if digest in shard.entries:
        return None
    return shard.model_copy(update={"entries": {**shard.entries, digest: amount}})


def with_meter_batch(doc: UsageMonth, batch: MeterBatch) -> UsageMonth | None:
    """The month document with a meter's batch added, or None when that batch (or a later one of
    the same meter) is in it already: a flush retried after its write had landed."""
    if doc.flushes.get(batch.instance, 0) >= batch.seq:
        return None
    return doc.model_copy(
        update={
            "flushes": {**doc.flushes, batch.instance: batch.seq},
            "apiRequests": doc.apiRequests + round(batch.deltas.get(API_REQUESTS, 0)),
            "requestCharges": round(doc.requestCharges + batch.deltas.get(REQUEST_CHARGES, 0.0), 4),
        }
    )


def with_storage(doc: UsageMonth, measured_bytes: int, at: datetime) -> UsageMonth:
    """The month document with a storage measurement: the latest value, and the month's peak."""
    return doc.model_copy(
        update={
            "storageBytes": measured_bytes,
            "storagePeakBytes": max(doc.storagePeakBytes, measured_bytes),
            "storageMeasuredAt": at.isoformat(),
        }
    )


class MonthUsage(OutputModel):
    """One month's metered usage of the tenant."""

    month: str = Field(description="the calendar month (UTC), YYYY-MM")
    activeLearners: int = Field(description="distinct learners with learning activity in the month")
    enrollments: int = Field(description="enrollments created in the month")
    storageBytes: int = Field(description="bytes of uploads, media and certificates at the latest measurement")
    storagePeakBytes: int = Field(description="the highest storage measured in the month")
    storageMeasuredAt: str | None = Field(default=None, description="when storage was last measured")
    videoMinutes: float = Field(description="minutes of source video transcoded in the month")
    apiRequests: int = Field(description="API requests of the tenant's members (flushed about every minute)")
    requestCharges: float = Field(description="database request units (Cosmos DB RU) spent for the tenant")


class UsageReport(OutputModel):
    usage: MonthUsage
    months: list[str] = Field(description="the recent months with recorded usage, newest first")


def _fact_totals(shards: Iterable[FactShard]) -> dict[str, tuple[int, float]]:
    totals: dict[str, tuple[int, float]] = {}
    for shard in shards:
        count, amount = totals.get(shard.metric, (0, 0.0))
        entries = shard.entries.values()
        totals[shard.metric] = (count + len(entries), amount + sum(entries))
    return totals


def usage_of(month: str, month_doc: UsageMonth | None, shards: Iterable[FactShard]) -> MonthUsage:
    """A month's usage from its month document (None when nothing was flushed or measured) and its
    fact shards."""
    doc = month_doc or new_month_doc(month)
    facts = _fact_totals(shards)
    return MonthUsage(
        month=month,
        activeLearners=facts.get(ACTIVE_LEARNERS, (0, 0.0))[0],
        enrollments=facts.get(ENROLLMENTS, (0, 0.0))[0],
        storageBytes=doc.storageBytes,
        storagePeakBytes=doc.storagePeakBytes,
        storageMeasuredAt=doc.storageMeasuredAt,
        videoMinutes=round(facts.get(VIDEO_SECONDS, (0, 0.0))[1] / 60, 2),
        apiRequests=doc.apiRequests,
        requestCharges=round(doc.requestCharges, 2),
    )
