"""The review queue of generated questions: drafting from a lesson, approving, rejecting.

Generation reads the lesson's transcript (the text of a text lesson, from the course draft
through the catalog's service; the captions of a video lesson, through the media service)
and stages every proposal of the generator
port as a draft. Nothing reaches a question bank before a reviewer approves a draft;
approval adds the question (as drafted or as edited) through assessment's service.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from shared.assessment import service as assessment
from shared.assessment.model import QuestionCreate, parse_question
from shared.audit import service as audit_log
from shared.catalog import service as catalog
from shared.errors import Conflict, DomainError, FieldError, Forbidden, InvalidInput, NotFound, PreconditionFailed
from shared.kernel import Paged
from shared.media import service as media
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    exported,
    mentions,
)
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments
from shared.question_drafts.model import (
    NEWEST_FIRST,
    QUESTION_DRAFTS,
    DraftApproval,
    DraftRejection,
    DraftRequest,
    DraftStatus,
    DraftView,
    QuestionDraft,
    draft_id,
    is_reviewable,
)
from shared.tenancy import service as tenancy
from shared.tenancy.model import FeatureFlag

__all__ = [
    "PERSONAL_DATA",
    "approve_draft",
    "erase_user",
    "export_user",
    "generate_drafts",
    "get_draft",
    "list_drafts",
    "reject_draft",
]

log = logging.getLogger("lms.assessment.drafts")
FLAG: FeatureFlag = "ai_question_drafts"


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[QuestionDraft]:
    return TenantDocuments(platform.documents, QUESTION_DRAFTS, ctx, QuestionDraft)


def _view(doc: QuestionDraft) -> DraftView:
    return DraftView.model_validate(doc.model_dump())


# --- generating ---------------------------------------------------------------------------------


def _lesson(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> tuple[dict[str, Any], str]:
    """The lesson as the course draft holds it, and the course's language."""
    found = catalog.get_course(platform, ctx, course_id)
    if isinstance(found, catalog.JsonBody):  # a learner's view: drafting is for the course's authors
        raise NotFound()
    course, _ = found
    for module in course.outline.get("modules", []):
        for lesson in module.get("lessons", []):
            if lesson.get("id") == lesson_id:
                return dict(lesson), course.language
    raise NotFound(f"course {course_id!r} has no lesson {lesson_id!r}")


def _require_flag(platform: Platform, ctx: TenantContext) -> None:
    if not tenancy.feature_enabled(platform, ctx, FLAG):
        raise Forbidden("AI question drafts are turned off for this tenant")


def _valid(proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The proposals in the exact shape a bank stores; any adapter's invalid ones dropped."""
    valid = []
    for proposal in proposals:
        try:
            valid.append(parse_question(proposal).model_dump(mode="json"))
        except InvalidInput as exc:
            log.warning("the question generator proposed an invalid question: %s", exc.detail)
    return valid


def _stage(
    platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, question: dict[str, Any]
) -> DraftView:
    now = platform.clock.now().isoformat()
    doc = QuestionDraft(
        id=draft_id(course_id, lesson_id, question),
        status="pending",
        courseId=course_id,
        lessonId=lesson_id,
        question=question,
        generator=platform.generator.name,
        createdBy=ctx.user_id,
        createdAt=now,
        updatedAt=now,
    )
    docs = _docs(platform, ctx)
    try:
        return _view(docs.create(doc))
    except Conflict:
        return _view(docs.read(doc.id))  # proposed before: the queue keeps its decision


def generate_drafts(
    platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, body: DraftRequest
) -> list[DraftView]:
    """Propose questions from the lesson's transcript and stage them for review."""
    lesson, language = _lesson(platform, ctx, course_id, lesson_id)
    _require_flag(platform, ctx)
    transcript = (lesson.get("text") or "").strip()
    if not transcript and lesson.get("kind") == "video":
        transcript = (media.transcript_of(platform, ctx, course_id, lesson_id) or "").strip()
    if not transcript:
        raise InvalidInput(
            f"lesson {lesson_id!r} has no transcript to draft questions from",
            errors=[FieldError("path.lessonId", "the lesson has no text or captions")],
        )
    proposals = platform.generator.propose(transcript, count=body.count, language=language)
    return [_stage(platform, ctx, course_id, lesson_id, q) for q in _valid(proposals)[: body.count]]


# --- reading ------------------------------------------------------------------------------------


def _draft_doc(platform: Platform, ctx: TenantContext, draft_id: str) -> QuestionDraft:
    return _docs(platform, ctx).read(draft_id)


def get_draft(platform: Platform, ctx: TenantContext, draft_id: str) -> DraftView:
    """One draft of the tenant's review queue."""
    return _view(_draft_doc(platform, ctx, draft_id))


def list_drafts(
    platform: Platform,
    ctx: TenantContext,
    *,
    status: DraftStatus | None = None,
    course_id: str | None = None,
    limit: int = 50,
    continuation: str | None = None,
) -> Paged[DraftView]:
    """The tenant's review queue, newest first, optionally of one status or course."""
    filters = []
    if status:
        filters.append(Filter("status", "eq", status))
    if course_id:
        filters.append(Filter("courseId", "eq", course_id))
    page = _docs(platform, ctx).query(filters, order_by=NEWEST_FIRST, limit=limit, continuation=continuation)
    return Paged[DraftView](items=[_view(d) for d in page.items], continuation=page.continuation)


# --- reviewing ----------------------------------------------------------------------------------


def _decide(platform: Platform, ctx: TenantContext, doc: QuestionDraft, change: dict[str, Any]) -> QuestionDraft:
    """Apply a review decision if the draft is still open to one, and no one else changed it."""
    if not is_reviewable(doc, platform.clock.now()):
        raise Conflict(f"the draft is {doc.status}")
    updated = doc.model_copy(update={**change, "updatedAt": platform.clock.now().isoformat()})
    try:
        return _docs(platform, ctx).replace(updated, if_match=doc.etag)
    except PreconditionFailed as exc:
        raise Conflict("someone else is reviewing this draft") from exc


def _add_to_bank(
    platform: Platform, ctx: TenantContext, claimed: QuestionDraft, bank_id: str, question: QuestionCreate
) -> str:
    """The id of the question added; on failure the claim is released, so the draft stays pending."""
    try:
        return assessment.add_question(platform, ctx, bank_id, question).id
    except BaseException as exc:
        with contextlib.suppress(DomainError):  # an unreleased claim lapses by itself
            released = claimed.model_copy(update={"status": "pending", "claimedAt": None})
            _docs(platform, ctx).replace(released, if_match=claimed.etag)
        if isinstance(exc, NotFound):
            where = [FieldError("body.bankId", "not a question bank of this tenant")]
            raise InvalidInput(f"there is no question bank {bank_id!r}", errors=where) from exc
        raise


def approve_draft(platform: Platform, ctx: TenantContext, draft_id: str, body: DraftApproval) -> DraftView:
    """Add the drafted question (or the reviewer's edit of it) to a bank; audited."""
    doc = _draft_doc(platform, ctx, draft_id)
    question = body.question if body.question is not None else parse_question(doc.question)
    now = platform.clock.now().isoformat()
    claimed = _decide(platform, ctx, doc, {"status": "approving", "claimedAt": now})
    question_id = _add_to_bank(platform, ctx, claimed, body.bankId, question)
    approved = claimed.model_copy(
        update={
            "status": "approved",
            "claimedAt": None,
            "question": question.model_dump(mode="json"),
            "bankId": body.bankId,
            "questionId": question_id,
            "reviewedBy": ctx.user_id,
            "reviewedAt": now,
        }
    )
    stored = _docs(platform, ctx).replace(approved, if_match=claimed.etag)
    audit_log.record(
        platform,
        ctx,
        action="question_draft.approved",
        subject_type="question_draft",
        subject_id=draft_id,
        before={"question": doc.question},
        after={"bankId": body.bankId, "questionId": question_id, "question": approved.question},
    )
    return _view(stored)


def reject_draft(platform: Platform, ctx: TenantContext, draft_id: str, body: DraftRejection) -> DraftView:
    """Turn a draft down with a reason; it never reaches a bank. Audited."""
    doc = _draft_doc(platform, ctx, draft_id)
    now = platform.clock.now().isoformat()
    change = {"status": "rejected", "reason": body.reason, "reviewedBy": ctx.user_id, "reviewedAt": now}
    stored = _decide(platform, ctx, doc, change)
    audit_log.record(
        platform,
        ctx,
        action="question_draft.rejected",
        subject_type="question_draft",
        subject_id=draft_id,
        reason=body.reason,
    )
    return _view(stored)


# --- personal data ------------------------------------------------------------------------------


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The drafts the user generated, in full, and the drafts others generated that name them
    (one they reviewed)."""
    drafts = documents_mentioning(_docs(platform, ctx), who)
    return {
        "questionDrafts": [exported(d) for d in drafts if d.createdBy == who.user_id],
        "mentions": [mentions(d, who) for d in drafts if d.createdBy != who.user_id],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep every draft (the queue's decisions stay), with the user replaced by their pseudonym."""
    erase_mentions(_docs(platform, ctx), who)


# Drafts name who generated and who reviewed them: no activity detail to purge (a draft is a
# decision of the queue, kept with the course's content). They stay in the archive's assessment
# section, where they were before drafts became a context of their own.
PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user, section="assessment")
