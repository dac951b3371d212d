"""Assessment's part of a GDPR export and erasure (shared/privacy/): the user's quiz attempts,
the question drafts they made, and what banks, quizzes and others' attempts say of them."""

from __future__ import annotations

from typing import Any

from shared.assessment import retention
from shared.assessment.drafts_model import QUESTION_DRAFTS
from shared.assessment.model import ATTEMPTS, BANKS
from shared.assessment.rules import attempt_view
from shared.platform import personal_data
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext

__all__ = ["erase_user", "export_user"]


def _docs(platform: Platform, ctx: TenantContext, container: str) -> DictDocuments:
    return DictDocuments(platform.documents, container, ctx)


def _own_attempt(doc: dict[str, Any], user_id: str) -> bool:
    return doc.get("type") == "attempt" and doc.get("userId") == user_id


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's attempts as they may see them (no answer key before grading), the question drafts
    they made, and the banks, quizzes and others' attempts that name them."""
    attempts = personal_data.documents_mentioning(_docs(platform, ctx, ATTEMPTS), who)
    drafts = personal_data.documents_mentioning(_docs(platform, ctx, QUESTION_DRAFTS), who)
    banks = personal_data.documents_mentioning(_docs(platform, ctx, BANKS), who)
    own_drafts = [d for d in drafts if d.get("createdBy") == who.user_id]
    mentions = [d for d in attempts if not _own_attempt(d, who.user_id)] + [d for d in drafts if d not in own_drafts]
    return {
        "attempts": [attempt_view(d, staff=False).model_dump() for d in attempts if _own_attempt(d, who.user_id)],
        "questionDrafts": [personal_data.exported(d) for d in own_drafts],
        "mentions": [personal_data.mentions(d, who) for d in [*mentions, *banks]],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's attempts (their activity); keep banks, quizzes, drafts and the grades they
    gave others with the user replaced by their pseudonym."""
    for container in (ATTEMPTS, QUESTION_DRAFTS, BANKS):
        docs = _docs(platform, ctx, container)
        for doc in personal_data.documents_mentioning(docs, who):
            if _own_attempt(doc, who.user_id):
                docs.delete(doc["id"])
            else:
                personal_data.pseudonymise(docs, who, doc)


# This context's part of GDPR export and erasure, and of retention, registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(
    export_user=export_user,
    erase_user=erase_user,
    purge_activity_before=retention.purge_activity_before,
    activity="attempts",
)
