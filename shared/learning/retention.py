"""Learning's part of the tenant's activity retention (shared/tenancy/retention.py).

The activity detail of learning is what the player reported, beyond what progress needs: the watched
intervals of each video lesson (which seconds a learner played, and when they came back) and the batch
ids remembered to ignore resent batches, with the outbox of events already relayed. Once a course is
completed and its progress document has not changed since before the cutoff, that detail goes: each
lesson keeps the total it adds up to, so the progress view answers the same states and percentages and
the completion policy still decides the same way if the enrollment moves to another version.
Progress of courses still in progress keeps its intervals: they are what later watching merges into.
"""

from __future__ import annotations

from datetime import datetime

from shared.bootstrap import Platform
from shared.errors import NotFound, PreconditionFailed
from shared.learning.events import PROGRESS
from shared.learning.model import DETAIL_PURGED, without_activity_detail
from shared.platform.documents import Filter
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = ["purge_activity_before"]

PURGE_PAGE = 100


def purge_activity_before(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    """Summarise the activity detail of the tenant's completed courses untouched since ``cutoff``;
    return how many progress documents lost detail."""
    docs = TenantDocuments(platform.documents, PROGRESS, ctx)
    stale = [
        Filter("type", "eq", "progress"),
        Filter("state", "eq", "completed"),
        Filter("updatedAt", "lt", cutoff.isoformat()),
        Filter(DETAIL_PURGED, "exists", False),
    ]
    purged, now = 0, platform.clock.now().isoformat()
    while True:
        # Each round reads from the start: a summarised document leaves the filter.
        page = docs.query(stale, limit=PURGE_PAGE)
        for doc in page.items:
            try:
                docs.replace(without_activity_detail(doc, now), if_match=doc["_etag"])
            except (PreconditionFailed, NotFound):
                continue  # the learner is active again: it leaves the filter until it is stale once more
            purged += 1
        if len(page.items) < PURGE_PAGE:
            return purged
