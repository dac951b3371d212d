"""Assessment's use cases: question banks, quiz settings, attempts and their grading, and the
context's part of GDPR export, erasure and retention. The API, the worker and other contexts call
these; ``banks``, ``quizzes``, ``attempts``, ``grading`` and ``rules`` are the modules behind them.

Personal data: a learner's attempts are their activity (exported as they may see them, deleted on
erasure); banks, quizzes and the grades an Instructor gave others keep the user under their
pseudonym. Retention: once an attempt was graded before the cutoff its activity detail goes (the
saved answers, the graders' comments and the relayed outbox); its score, pass, points per question,
rubric points and times stay, so transcripts, completion and reports are unchanged, and its grade is
final from then on (nobody can regrade answers that are gone). Attempts awaiting an Instructor keep
everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.assessment.attempts import get_attempt, save_answers, start_attempt, submit_attempt
from shared.assessment.banks import (
    add_question,
    create_bank,
    get_bank,
    list_banks,
    list_questions,
    require_bank,
    update_question,
)
from shared.assessment.grading import grade_essays, sweep_expired_attempts
from shared.assessment.model import ATTEMPTS, BANKS, DETAIL_PURGED
from shared.assessment.quizzes import get_quiz, put_quiz
from shared.assessment.rules import attempt_view
from shared.platform import personal_data
from shared.platform.documents import Document, Filter
from shared.platform.personal_data import ErasedUser, PersonalDataFunctions
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext

__all__ = [
    "add_question",
    "create_bank",
    "erase_user",
    "export_user",
    "get_attempt",
    "get_bank",
    "get_quiz",
    "grade_essays",
    "list_banks",
    "list_questions",
    "purge_activity_before",
    "put_quiz",
    "require_bank",
    "save_answers",
    "start_attempt",
    "submit_attempt",
    "sweep_expired_attempts",
    "update_question",
    "without_answers",
]

PURGE_PAGE = 100


# --- personal data -------------------------------------------------------------------------------


def _docs(platform: Platform, ctx: TenantContext, container: str) -> DictDocuments:
    return DictDocuments(platform.documents, container, ctx)


def _own_attempt(doc: dict[str, Any], user_id: str) -> bool:
    return doc.get("type") == "attempt" and doc.get("userId") == user_id


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's attempts as they may see them (no answer key before grading), and the banks,
    quizzes and others' attempts that name them."""
    attempts = personal_data.documents_mentioning(_docs(platform, ctx, ATTEMPTS), who)
    banks = personal_data.documents_mentioning(_docs(platform, ctx, BANKS), who)
    mentions = [d for d in attempts if not _own_attempt(d, who.user_id)]
    return {
        "attempts": [attempt_view(d, staff=False).model_dump() for d in attempts if _own_attempt(d, who.user_id)],
        "mentions": [personal_data.mentions(d, who) for d in [*mentions, *banks]],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's attempts (their activity); keep banks, quizzes and the grades they gave
    others with the user replaced by their pseudonym."""
    for container in (ATTEMPTS, BANKS):
        docs = _docs(platform, ctx, container)
        for doc in personal_data.documents_mentioning(docs, who):
            if _own_attempt(doc, who.user_id):
                docs.delete(doc["id"])
            else:
                personal_data.pseudonymise(docs, who, doc)


# --- retention -----------------------------------------------------------------------------------


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
    return _docs(platform, ctx, ATTEMPTS).rewrite_matching(
        stale, lambda doc: without_answers(doc, now), page_size=PURGE_PAGE
    )


# This context's part of GDPR export and erasure, and of retention, registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(
    export_user=export_user,
    erase_user=erase_user,
    purge_activity_before=purge_activity_before,
    activity="attempts",
)
