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
from shared.assessment.documents import Attempt, BankDoc, EssayGradeRecord, QuestionHead, QuestionVersion, QuizDoc
from shared.assessment.grading import attempts_of, grade_essays, list_attempts, sweep_expired_attempts
from shared.assessment.model import BANKS, DETAIL_PURGED
from shared.assessment.quizzes import get_quiz, put_quiz
from shared.assessment.rules import attempt_view
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    mentions,
)
from shared.platform.runtime import Platform
from shared.platform.stored import StoredDocument
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = [
    "PERSONAL_DATA",
    "add_question",
    "create_bank",
    "erase_user",
    "export_user",
    "get_attempt",
    "get_bank",
    "get_quiz",
    "grade_essays",
    "list_attempts",
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


def _banks_kinds(platform: Platform, ctx: TenantContext) -> list[TenantDocuments[StoredDocument]]:
    """Each kind of document of the banks container (banks, question heads and versions, quizzes)."""
    kinds: list[type[StoredDocument]] = [BankDoc, QuestionHead, QuestionVersion, QuizDoc]
    return [TenantDocuments(platform.documents, BANKS, ctx, kind) for kind in kinds]


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's attempts as they may see them (no answer key before grading), and the banks,
    quizzes and others' attempts that name them."""
    attempts = documents_mentioning(attempts_of(platform, ctx), who)
    own = [a for a in attempts if a.userId == who.user_id]
    others: list[StoredDocument] = [a for a in attempts if a.userId != who.user_id]
    for docs in _banks_kinds(platform, ctx):
        others += documents_mentioning(docs, who)
    return {
        "attempts": [attempt_view(a, staff=False).model_dump() for a in own],
        "mentions": [mentions(d, who) for d in others],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's attempts (their activity); keep banks, quizzes and the grades they gave
    others with the user replaced by their pseudonym."""
    erase_mentions(attempts_of(platform, ctx), who, own=lambda attempt: attempt.userId == who.user_id)
    for docs in _banks_kinds(platform, ctx):
        erase_mentions(docs, who)


# --- retention -----------------------------------------------------------------------------------


def without_answers(doc: Attempt, purged_at: str) -> Attempt:
    """A graded attempt without the learner's answers and the graders' comments."""
    grades = {
        question: EssayGradeRecord.model_validate({k: v for k, v in grade.model_dump().items() if k != "comment"})
        for question, grade in doc.grades.items()
    }
    return doc.model_copy(update={"answers": {}, "grades": grades, "outbox": [], DETAIL_PURGED: purged_at})


def purge_activity_before(platform: Platform, ctx: TenantContext, cutoff: datetime) -> int:
    """Delete the answers of the tenant's attempts graded before ``cutoff``; return how many attempts lost them."""
    stale = [
        Filter("status", "eq", "graded"),
        Filter("gradedAt", "lt", cutoff.isoformat()),
        Filter(DETAIL_PURGED, "exists", False),
    ]
    now = platform.clock.now().isoformat()
    # An attempt changed meanwhile (a regrade) is skipped: the next sweep sees it as it is then.
    return attempts_of(platform, ctx).rewrite_matching(
        stale, lambda doc: without_answers(doc, now), page_size=PURGE_PAGE
    )


PERSONAL_DATA = PersonalDataFunctions(
    export_user=export_user,
    erase_user=erase_user,
    purge_activity_before=purge_activity_before,
    activity="attempts",
)
