"""Assessment's part of the tenant's activity retention (shared/privacy/retention.py).

The activity detail of an attempt is what the learner answered and what a grader wrote about it: the
saved answers and the comments of essay grades, with the outbox of QuizGraded events already relayed.
Once an attempt was graded before the cutoff, that detail goes; its score, pass, points per question,
rubric points and times stay, so transcripts, completion and reports are unchanged. Its grade is final
from then on (nobody can regrade answers that are gone). Attempts awaiting an Instructor keep everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.assessment.model import ATTEMPTS
from shared.platform.documents import Document, Filter
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext

__all__ = ["DETAIL_PURGED", "purge_activity_before", "without_answers"]

PURGE_PAGE = 100
DETAIL_PURGED = "detailPurgedAt"


def without_answers(doc: Document, purged_at: str) -> Document:
    """A graded attempt without the learner's answers and the graders' comments."""
    grades: dict[str, Any] = {
        question: {k: v for k, v in grade.items() if k != "comment"}
        for question, grade in doc.get("grades", {}).items()
    }
    return {**doc, "answers": {}, "grades": grades, "outbox": [], DETAIL_PURGED: purged_at}


def purge_activity_before(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    """Delete the answers of the tenant's attempts graded before ``cutoff``; return how many attempts lost them."""
    stale = [
        Filter("type", "eq", "attempt"),
        Filter("status", "eq", "graded"),
        Filter("gradedAt", "lt", cutoff.isoformat()),
        Filter(DETAIL_PURGED, "exists", False),
    ]
    now = platform.clock.now().isoformat()
    # An attempt changed meanwhile (a regrade) is skipped: the next sweep sees it as it is then.
    return DictDocuments(platform.documents, ATTEMPTS, ctx).rewrite_matching(
        stale, lambda doc: without_answers(doc, now), page_size=PURGE_PAGE
    )
