"""Quiz settings of a quiz lesson: where its questions come from and the rules of its attempts."""

from __future__ import annotations

from typing import Any

from shared.assessment import banks
from shared.assessment.documents import QuizDoc
from shared.assessment.model import BANKS, QuizSettings, QuizView
from shared.catalog import service as catalog
from shared.errors import InvalidInput, NotFound
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, TenantDocuments

__all__ = ["get_quiz", "is_quiz_lesson", "put_quiz", "quiz_settings"]


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[QuizDoc]:
    return TenantDocuments(platform.documents, BANKS, ctx, QuizDoc)


def _quiz_doc_id(course_id: str, lesson_id: str) -> str:
    return f"quiz.{course_id}.{lesson_id}"


def is_quiz_lesson(outline: dict[str, Any], lesson_id: str) -> bool:
    """Whether the outline has a lesson ``lesson_id`` of kind quiz."""
    lessons = (lesson for module in outline.get("modules", []) for lesson in module.get("lessons", []))
    return any(lesson["id"] == lesson_id and lesson["kind"] == "quiz" for lesson in lessons)


def _require_quiz_lesson(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> None:
    """``NotFound`` unless the course's draft or published outline has this quiz lesson."""
    found = catalog.get_course(platform, ctx, course_id)
    if isinstance(found, tuple) and is_quiz_lesson(found[0].outline, lesson_id):
        return
    try:
        published = catalog.published_course(platform, ctx, course_id)
    except NotFound:
        published = None
    if published is None or not is_quiz_lesson(published.outline, lesson_id):
        raise NotFound(f"course {course_id!r} has no quiz lesson {lesson_id!r}")


def _view(doc: QuizDoc) -> QuizView:
    return QuizView(**doc.settings.model_dump(), courseId=doc.courseId, lessonId=doc.lessonId, updatedAt=doc.updatedAt)


def put_quiz(
    platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, settings: QuizSettings
) -> QuizView:
    """Set a quiz lesson's pools and attempt rules; attempts already started keep the rules they began with."""
    _require_quiz_lesson(platform, ctx, course_id, lesson_id)
    for pool in settings.pools:
        try:
            banks.require_bank(platform, ctx, pool.bankId)
        except NotFound as exc:
            raise InvalidInput(f"question bank {pool.bankId!r} does not exist") from exc
    doc = QuizDoc(
        id=_quiz_doc_id(course_id, lesson_id),
        courseId=course_id,
        lessonId=lesson_id,
        settings=settings,
        updatedAt=platform.clock.now().isoformat(),
        updatedBy=ctx.user_id,
    )
    return _view(_docs(platform, ctx).upsert(doc))


def get_quiz(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> QuizView:
    """A quiz lesson's settings; ``NotFound`` when the lesson has none yet."""
    _require_quiz_lesson(platform, ctx, course_id, lesson_id)
    return _view(_docs(platform, ctx).read(_quiz_doc_id(course_id, lesson_id)))


def quiz_settings(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> QuizSettings | None:
    """The settings attempts are started with (the caller has checked the lesson), None when unset."""
    doc = _docs(platform, ctx).find(_quiz_doc_id(course_id, lesson_id))
    return doc.settings if doc is not None else None
