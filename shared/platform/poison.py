"""Poison documents of a change feed: a document its handler cannot take does not stall the feed.

A change feed delivers in order and moves its checkpoint only past a batch that succeeded, so one
document that always fails (a search index refusing it with a 400, an outbox event that no longer
parses) would block its lease range for good. Here a batch that fails for such a reason is taken
again one document at a time, each with a few tries; a document that still fails is recorded in the
``poison`` container (which feed, which document, the error) and the feed moves on. An operator lists
and replays the records (``python -m shared.cli poison``); a replay runs the feed's handler on the
document as it is now, and removes the record once it succeeds.

Failures of a dependency (``Unavailable``, ``RateLimited``, a connection that broke) are not a
document's fault: they fail the whole batch, which the host (or the local follower) retries with its
backoff, so an outage never fills the poison container.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from shared.errors import NotFound, RateLimited, Unavailable
from shared.platform.documents import ContainerSpec, Document, Order, Query
from shared.platform.runtime import Platform

__all__ = [
    "ATTEMPTS",
    "POISON",
    "POISON_PARTITION",
    "Handler",
    "handle_changes",
    "poison_container",
    "poisoned",
    "replay",
]

log = logging.getLogger("lms.poison")

POISON = "poison"
POISON_PARTITION = "platform"  # the platform's own partition (never a tenant id: those have no dots or
# upper case, and this name is reserved for the platform's documents, as the leases' checkpoints are)
ATTEMPTS = 3
MAX_ERROR_CHARS = 2000
# A dependency's failure, not the document's: the batch fails and is retried whole.
TRANSIENT: tuple[type[BaseException], ...] = (Unavailable, RateLimited, ConnectionError, TimeoutError)

Handler = Callable[[Platform, Mapping[str, Any]], Any]


def poison_container() -> ContainerSpec:
    return ContainerSpec(POISON, orderings=((Order("at", descending=True),),))


def _record_id(feed: str, container: str, doc: Mapping[str, Any]) -> str:
    key = "|".join([feed, container, str(doc.get("tenantId")), str(doc.get("id"))])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _record(platform: Platform, feed: str, container: str, doc: Mapping[str, Any], exc: BaseException) -> None:
    record: Document = {
        "id": _record_id(feed, container, doc),
        "tenantId": POISON_PARTITION,
        "feed": feed,
        "container": container,
        "docTenant": str(doc.get("tenantId")),
        "docId": str(doc.get("id")),
        "docEtag": doc.get("_etag"),
        "error": f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS],
        "attempts": ATTEMPTS,
        "at": platform.clock.now().isoformat(),
    }
    platform.documents.upsert(POISON, POISON_PARTITION, record)
    log.error(
        "poison document set aside",
        extra={"feed": feed, "container": container, "docId": record["docId"], "error": record["error"]},
    )


def _each(platform: Platform, feed: str, container: str, doc: Mapping[str, Any], handle: Handler) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            handle(platform, doc)
            return
        except TRANSIENT:
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure is this document's
            if attempt == ATTEMPTS:
                _record(platform, feed, container, doc, exc)


def handle_changes(
    platform: Platform,
    feed: str,
    container: str,
    docs: Iterable[Mapping[str, Any]],
    each: Handler,
    batch: Callable[[Platform, list[Mapping[str, Any]]], Any] | None = None,
) -> int:
    """Handle a batch of changed documents of ``container`` for ``feed``: with ``batch`` at once
    where it can (one bus send for the whole batch, say), else, or when that fails for a reason of the
    documents, one by one with ``each``, setting aside what still fails. Returns how many were read."""
    changes = list(docs)
    if batch is not None:
        try:
            batch(platform, changes)
            return len(changes)
        except TRANSIENT:
            raise
        except Exception:
            log.warning("a batch of changes failed; taking it one document at a time", exc_info=True)
    for doc in changes:
        _each(platform, feed, container, doc, each)
    return len(changes)


def poisoned(platform: Platform, limit: int = 100) -> list[Document]:
    """The documents set aside, newest first."""
    page = platform.documents.query(
        POISON, Query(order_by=(Order("at", descending=True),), limit=limit), partition_key=POISON_PARTITION
    )
    return list(page.items)


def replay(platform: Platform, record_id: str, handlers: Mapping[str, Callable[[Platform, Document], Any]]) -> bool:
    """Run the feed's handler on the document as it is now; remove the record when it succeeds (or
    when the document is gone: a deleted document has no change left to handle). False when it still
    fails (the record then says the newer error)."""
    record = platform.documents.read(POISON, POISON_PARTITION, record_id)
    handle = handlers.get(record["feed"])
    if handle is None:
        raise NotFound(f"no feed {record['feed']!r} to replay on")
    try:
        doc = platform.documents.read(record["container"], record["docTenant"], record["docId"])
    except NotFound:
        platform.documents.delete(POISON, POISON_PARTITION, record_id)
        return True
    try:
        handle(platform, doc)
    except Exception as exc:  # noqa: BLE001 - still failing: keep the record, with the newer error
        _record(platform, record["feed"], record["container"], doc, exc)
        return False
    platform.documents.delete(POISON, POISON_PARTITION, record_id)
    return True
