"""Question drafts: candidate questions a generator proposed, waiting for an author's review.

A draft is ``pending`` until an Instructor or TenantAdmin approves it into a bank (possibly
edited first) or rejects it with a reason. Approval claims the draft (``approving``) before
the question is added, so two reviewers clicking at once never add it twice; a claim left
behind by a crashed request lapses after ``CLAIM_SECONDS``. Pure models and rules, no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from shared.assessment.model import QuestionCreate
from shared.kernel import InputModel, OutputModel, Reason, ResourceId
from shared.platform.documents import ContainerSpec, Order
from shared.platform.stored import SparseDocument
from shared.question_drafts.generator import MAX_PROPOSALS

__all__ = [
    "CLAIM_SECONDS",
    "NEWEST_FIRST",
    "QUESTION_DRAFTS",
    "QUESTION_DRAFTS_CONTAINER",
    "DraftApproval",
    "DraftBatch",
    "DraftRejection",
    "DraftRequest",
    "DraftStatus",
    "DraftView",
    "QuestionDraft",
    "draft_id",
    "is_reviewable",
]

QUESTION_DRAFTS = "question-drafts"
NEWEST_FIRST = (Order("createdAt", descending=True), Order("id", descending=True))
QUESTION_DRAFTS_CONTAINER = ContainerSpec(QUESTION_DRAFTS, orderings=(NEWEST_FIRST,), filters=("status", "courseId"))
CLAIM_SECONDS = 120

DraftStatus = Literal["pending", "approving", "approved", "rejected"]


class DraftRequest(InputModel):
    count: int = Field(default=5, ge=1, le=MAX_PROPOSALS, description="how many questions to propose at most")


class DraftApproval(InputModel):
    bankId: ResourceId = Field(description="the bank the question goes into")
    question: QuestionCreate | None = Field(
        default=None, description="the question as the reviewer edited it; absent: as drafted"
    )


class DraftRejection(InputModel):
    reason: Reason


class QuestionDraft(SparseDocument):
    """A draft as stored (the container holds drafts only, and they carry no ``type``). An optional
    field is written once it is set (``claimedAt`` is written as null when a claim is released)."""

    status: DraftStatus
    courseId: str
    lessonId: str
    question: dict[str, Any] = Field(description="the proposal as QuestionCreate JSON (validated when staged)")
    generator: str
    createdBy: str
    createdAt: str
    updatedAt: str
    claimedAt: str | None = None
    reviewedBy: str | None = None
    reviewedAt: str | None = None
    bankId: str | None = None
    questionId: str | None = None
    reason: str | None = None


class DraftView(OutputModel):
    id: str
    status: DraftStatus
    courseId: str
    lessonId: str
    question: dict[str, Any] = Field(description="the proposed question, in the shape a bank accepts")
    generator: str = Field(description="what proposed it: local (rule-based) or azure-openai:DEPLOYMENT")
    createdBy: str
    createdAt: str
    updatedAt: str
    reviewedBy: str | None = None
    reviewedAt: str | None = None
    bankId: str | None = Field(default=None, description="where it was approved into")
    questionId: str | None = Field(default=None, description="the question approval created")
    reason: str | None = Field(default=None, description="why it was rejected")


class DraftBatch(OutputModel):
    """The drafts one generation staged (a proposal already in the queue is shown as it stands)."""

    items: list[DraftView]


def draft_id(course_id: str, lesson_id: str, question: Mapping[str, Any]) -> str:
    """The same proposal for the same lesson always gets the same id, so generating again
    never queues a duplicate nor brings back a rejected question."""
    canonical = json.dumps([course_id, lesson_id, question], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def is_reviewable(draft: QuestionDraft, now: datetime) -> bool:
    """Pending, or claimed by an approval that never finished (its claim has lapsed)."""
    if draft.status == "pending":
        return True
    if draft.status != "approving" or not draft.claimedAt:
        return False
    return datetime.fromisoformat(draft.claimedAt) + timedelta(seconds=CLAIM_SECONDS) <= now
