"""Learning's part of the tenant's activity retention (shared/privacy/retention.py).

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

from shared.learning.events import PROGRESS
from shared.learning.model import DETAIL_PURGED, ProgressDocument, without_activity_detail
from shared.platform.documents import Filter
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = ["purge_activity_before"]

PURGE_PAGE = 100


def purge_activity_before(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    """Summarise the activity detail of the tenant's completed courses untouched since ``cutoff``;
    return how many progress documents lost detail."""
    # ProgressDocument's kind adds the ``type`` filter: completion policies share the container.
    stale = [
        Filter("state", "eq", "completed"),
        Filter("updatedAt", "lt", cutoff.isoformat()),
        Filter(DETAIL_PURGED, "exists", False),
    ]
    now = platform.clock.now().isoformat()
    # A learner active again meanwhile is skipped: the document leaves the filter until it is stale once more.
    docs = TenantDocuments(platform.documents, PROGRESS, ctx, ProgressDocument)
    return docs.rewrite_matching(stale, lambda doc: without_activity_detail(doc, now), page_size=PURGE_PAGE)
