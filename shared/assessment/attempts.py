"""Attempts: start (the server draws), read, save answers, submit.

The attempt's seed is drawn once and stored; the drawn questions are stored with it (each
pinned at the version drawn), so every read shows the same questions in the same order and a
later edit of a question changes nothing here. Deadlines are the server's clock.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from datetime import timedelta

from shared.assessment import banks
from shared.assessment.documents import Attempt, AttemptItem, StoredAnswer
from shared.assessment.grading import attempts_of, close_attempt, close_if_expired, is_expired, stamp, update_attempt
from shared.assessment.model import AnswersBody, AttemptView, QuizSettings
from shared.assessment.quizzes import is_quiz_lesson, quiz_settings
from shared.assessment.rules import attempt_view, check_answer, draw, option_order
from shared.catalog import service as catalog
from shared.enrollment import service as enrollments
from shared.errors import Conflict, InvalidInput, NotFound
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext

__all__ = ["get_attempt", "save_answers", "start_attempt", "submit_attempt"]


def attempt_id(ctx: TenantContext, course_id: str, lesson_id: str, number: int) -> str:
    """The id of the learner's n-th attempt at a quiz. Deterministic, so two concurrent starts
    of the same attempt collide on create instead of opening two attempts."""
    key = "|".join([ctx.tenant_id, ctx.user_id, course_id, lesson_id, str(number)])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _enrolled_version(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> int:
    """The course version the learner's enrollment pins, if it has this quiz lesson."""
    enrollment = enrollments.find_enrollment(platform, ctx, course_id, ctx.user_id)
    if enrollment is None or enrollment.status not in ("active", "completed"):
        raise NotFound()
    version = enrollment.version
    if not is_quiz_lesson(catalog.course_version(platform, ctx, course_id, version).outline, lesson_id):
        raise NotFound(f"no quiz lesson {lesson_id!r} in version {version} of the course")
    return version


def _previous_attempts(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> list[Attempt]:
    """The learner's attempts at the quiz, in order: point reads of their deterministic ids (number 1,
    2, ...) up to the first that does not exist, since a start always takes the next number. A query
    here cost more with every attempt stored in the tenant (an exam burst queried a growing set)."""
    docs = attempts_of(platform, ctx)
    found: list[Attempt] = []
    for number in itertools.count(1):
        doc = docs.find(attempt_id(ctx, course_id, lesson_id, number))
        if doc is None:
            return found
        found.append(doc)
    raise AssertionError("unreachable")


def _drawn_items(platform: Platform, ctx: TenantContext, settings: QuizSettings, seed: str) -> list[AttemptItem]:
    candidates = banks.draw_candidates(platform, ctx, settings.pools)
    heads = {doc.questionId: doc for pool in candidates for doc in pool}
    pools = [([doc.questionId for doc in pool], p.count) for pool, p in zip(candidates, settings.pools, strict=True)]
    items = []
    for question_id in draw(seed, pools, shuffle=settings.shuffleQuestions):
        head = heads[question_id]
        options = [o["id"] for o in head.question.get("options") or []]
        order = option_order(seed, question_id, options, shuffle=settings.shuffleOptions) if options else None
        items.append(
            AttemptItem(questionId=question_id, version=head.version, question=head.question, optionOrder=order)
        )
    return items


def _new_attempt(
    platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str, version: int, number: int
) -> Attempt:
    settings = quiz_settings(platform, ctx, course_id, lesson_id)
    if settings is None:
        raise Conflict("this quiz has no questions configured yet")
    if number > settings.attemptsAllowed:
        raise Conflict(f"all {settings.attemptsAllowed} attempts allowed at this quiz are used")
    seed, now = secrets.token_hex(8), platform.clock.now()
    limit = settings.timeLimitSeconds
    return Attempt(
        id=attempt_id(ctx, course_id, lesson_id, number),
        userId=ctx.user_id,
        courseId=course_id,
        version=version,
        lessonId=lesson_id,
        number=number,
        attemptsAllowed=settings.attemptsAllowed,
        passMark=settings.passMark,
        showCorrectAnswers=settings.showCorrectAnswers,
        seed=seed,
        items=_drawn_items(platform, ctx, settings, seed),
        answers={},
        status="open",
        startedAt=now.isoformat(),
        deadline=stamp(now + timedelta(seconds=limit)) if limit else None,
        writeSeq=1,
        outbox=[],
    )


def start_attempt(platform: Platform, ctx: TenantContext, course_id: str, lesson_id: str) -> tuple[AttemptView, bool]:
    """Start the learner's next attempt at a quiz (True), or return the one still open (False).
    Every attempt started counts, finished or abandoned: beyond the quiz's allowance is a 409."""
    version = _enrolled_version(platform, ctx, course_id, lesson_id)
    previous = _previous_attempts(platform, ctx, course_id, lesson_id)
    for doc in previous:
        if doc.status == "open":
            if not is_expired(doc, platform.clock.now()):
                return attempt_view(doc, staff=False), False
            close_if_expired(platform, ctx, doc.id)
    doc = _new_attempt(platform, ctx, course_id, lesson_id, version, len(previous) + 1)
    docs = attempts_of(platform, ctx)
    try:
        return attempt_view(docs.create(doc), staff=False), True
    except Conflict:
        existing = docs.read(doc.id)  # the same start arrived twice at once
        if existing.status == "open" and not is_expired(existing, platform.clock.now()):
            return attempt_view(existing, staff=False), False
        raise Conflict("the attempt was started and closed concurrently; start again") from None


def get_attempt(platform: Platform, ctx: TenantContext, attempt_id: str) -> AttemptView:
    """The attempt as the caller may see it: its learner, or the tenant's staff. An open attempt
    past its deadline is graded as it stands, with its last saved answers, on this read."""
    staff = catalog.is_staff(ctx)
    doc = attempts_of(platform, ctx).read(attempt_id)
    if not staff and doc.userId != ctx.user_id:
        raise NotFound()
    if is_expired(doc, platform.clock.now()):
        doc, _ = close_if_expired(platform, ctx, attempt_id)
    return attempt_view(doc, staff=staff)


def _merged_answers(doc: Attempt, body: AnswersBody) -> dict[str, StoredAnswer]:
    questions = {item.questionId: item.question for item in doc.items}
    merged = dict(doc.answers)
    for question_id, value in body.answers.items():
        if question_id not in questions:
            raise InvalidInput(f"{question_id!r} is not a question of this attempt")
        checked = check_answer(questions[question_id], value)
        if checked is None:
            merged.pop(question_id, None)
        else:
            merged[question_id] = checked
    return merged


def save_answers(platform: Platform, ctx: TenantContext, attempt_id: str, body: AnswersBody) -> AttemptView:
    """Save the learner's answers (the same answers again change nothing). Refused with 409 once
    submitted or past the deadline; an attempt found past its deadline is graded as it stands."""

    def change(doc: Attempt) -> bool:
        if doc.status != "open":
            return False
        if is_expired(doc, platform.clock.now()):
            close_attempt(doc, platform.clock.now(), expired=True)
            return True
        merged = _merged_answers(doc, body)
        if merged == doc.answers:
            return False
        doc.answers = merged
        return True

    stored = update_attempt(platform, ctx, attempt_id, change, owner=ctx.user_id)
    if stored.status != "open":
        why = "its deadline has passed" if stored.expired else "it was submitted"
        raise Conflict(f"the attempt takes no more answers: {why}")
    return attempt_view(stored, staff=False)


def submit_attempt(platform: Platform, ctx: TenantContext, attempt_id: str) -> AttemptView:
    """Submit and grade the attempt with its saved answers; submitting again returns the result."""

    def change(doc: Attempt) -> bool:
        if doc.status != "open":
            return False
        close_attempt(doc, platform.clock.now(), expired=is_expired(doc, platform.clock.now()))
        return True

    return attempt_view(update_attempt(platform, ctx, attempt_id, change, owner=ctx.user_id), staff=False)
