"""Assessment's part of a GDPR export and erasure (shared/tenancy/gdpr.py): the user's quiz attempts,
the question drafts they made, and what banks, quizzes and others' attempts say of them."""

from __future__ import annotations

from typing import Any

from shared.assessment.model import ATTEMPTS, BANKS
from shared.assessment.rules import attempt_view
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.question_drafts.model import QUESTION_DRAFTS
from shared.tenancy import privacy

__all__ = ["erase_user", "export_user"]


def _docs(platform: Platform, ctx: TenantContext, container: str) -> DictDocuments:
    return DictDocuments(platform.documents, container, ctx)


def _own_attempt(doc: dict[str, Any], user_id: str) -> bool:
    return doc.get("type") == "attempt" and doc.get("userId") == user_id


def export_user(platform: Platform, ctx: TenantContext, user_id: str) -> dict[str, Any]:
    """The user's attempts as they may see them (no answer key before grading), the question drafts
    they made, and the banks, quizzes and others' attempts that name them."""
    who = privacy.erased_user(platform, ctx, user_id)
    attempts = privacy.documents_mentioning(_docs(platform, ctx, ATTEMPTS), who)
    drafts = privacy.documents_mentioning(_docs(platform, ctx, QUESTION_DRAFTS), who)
    banks = privacy.documents_mentioning(_docs(platform, ctx, BANKS), who)
    own_drafts = [d for d in drafts if d.get("createdBy") == user_id]
    mentions = [d for d in attempts if not _own_attempt(d, user_id)] + [d for d in drafts if d not in own_drafts]
    return {
        "attempts": [attempt_view(d, staff=False).model_dump() for d in attempts if _own_attempt(d, user_id)],
        "questionDrafts": [privacy.exported(d) for d in own_drafts],
        "mentions": [privacy.mentions(d, who) for d in [*mentions, *banks]],
    }


def erase_user(platform: Platform, ctx: TenantContext, user_id: str) -> None:
    """Delete the user's attempts (their activity); keep banks, quizzes, drafts and the grades they
    gave others with the user replaced by their pseudonym."""
    who = privacy.erased_user(platform, ctx, user_id)
    for container in (ATTEMPTS, QUESTION_DRAFTS, BANKS):
        docs = _docs(platform, ctx, container)
        for doc in privacy.documents_mentioning(docs, who):
            if _own_attempt(doc, user_id):
                docs.delete(doc["id"])
            else:
                privacy.pseudonymise(docs, who, doc)
