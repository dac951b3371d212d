"""Learning use cases: ingest batches of player events, decide completion, answer progress.

A batch costs at most one document write per course it touches: the events of a course
are applied to its progress document in memory and written once, with an ETag guard
(re-read and re-applied on a concurrent write from another device). The batch id is kept
in the document, so a resent batch changes nothing. Domain events are appended to the
document's outbox in that same write; the relay publishes them from the change feed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from shared.audit import service as audit_log
from shared.catalog import service as catalog
from shared.enrollment import service as enrollments
from shared.errors import Conflict, FieldError, InvalidInput, NotFound, PreconditionFailed, Unavailable
from shared.learning import retention
from shared.learning.events import (
    PROGRESS,
    CourseCompleted,
    CourseProgressChanged,
    LessonCompleted,
    LessonSnapshot,
)
from shared.learning.model import (
    OUTBOX_DAYS,
    RECENT_BATCHES,
    ActivityEvent,
    Batch,
    BatchReceipt,
    CompletionPolicy,
    CourseProgressSummary,
    LessonProgress,
    LessonSpec,
    ManualCompletion,
    ManualMark,
    OutboxEvent,
    PolicyDocument,
    ProgressDocument,
    RejectedEvent,
    evaluate,
    event_id,
    interval_problem,
    lesson_specs,
    merge_intervals,
    policy_id,
    progress_id,
    snapshot_event_id,
)
from shared.learning.read_models import CourseProgressView, progress_view
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

__all__ = [
    "PERSONAL_DATA",
    "course_policy",
    "erase_user",
    "export_user",
    "get_policy",
    "ingest_batch",
    "learner_progress",
    "manual_completion",
    "record_quiz_result",
    "set_policy",
]

WRITE_ATTEMPTS = 8
ENROLLMENT_CACHE_SECONDS = 60.0
POLICY_CACHE_SECONDS = 60.0
VERSION_CACHE_SECONDS = 24 * 3600.0  # published versions never change
# The enrollments that let a learner record progress.
ENROLLED = ("active", "completed")

Change = Callable[[ProgressDocument], bool]


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[ProgressDocument]:
    return TenantDocuments(platform.documents, PROGRESS, ctx, ProgressDocument)


def _policies(platform: Platform, ctx: TenantContext) -> TenantDocuments[PolicyDocument]:
    return TenantDocuments(platform.documents, PROGRESS, ctx, PolicyDocument)


def _enrollment_key(ctx: TenantContext, course_id: str, user_id: str) -> str:
    return f"learning:{ctx.tenant_id}:enrollment:{course_id}:{user_id}"


# --- what a batch is checked against (cached: read-heavy, rarely changing) ---------------------


def _enrolled_version(platform: Platform, ctx: TenantContext, course_id: str, user_id: str) -> int | None:
    """The course version the user is enrolled in, if an enrollment lets them record progress."""
    key = _enrollment_key(ctx, course_id, user_id)
    cached = platform.cache.get(key)
    if cached is None:
        found = enrollments.find_enrollment(platform, ctx, course_id, user_id)
        cached = {"status": found.status, "version": found.version} if found else {"status": "none"}
        platform.cache.set(key, cached, ENROLLMENT_CACHE_SECONDS)
    return int(cached["version"]) if cached["status"] in ENROLLED else None


def _specs(platform: Platform, ctx: TenantContext, course_id: str, version: int) -> list[LessonSpec]:
    key = f"learning:{ctx.tenant_id}:outline:{course_id}:v{version}"
    outline = platform.cache.get(key)
    if outline is None:
        outline = catalog.course_version(platform, ctx, course_id, version).outline
        platform.cache.set(key, outline, VERSION_CACHE_SECONDS)
    return lesson_specs(outline)


def get_policy(platform: Platform, ctx: TenantContext, course_id: str) -> CompletionPolicy:
    """The course's completion policy (the platform default when none was set)."""
    key = f"learning:{ctx.tenant_id}:policy:{course_id}"
    cached = platform.cache.get(key)
    if cached is None:
        stored = _policies(platform, ctx).find(policy_id(course_id))
        cached = (stored.policy if stored else CompletionPolicy()).model_dump()
        platform.cache.set(key, cached, POLICY_CACHE_SECONDS)
    return CompletionPolicy.model_validate(cached)


def course_policy(platform: Platform, ctx: TenantContext, course_id: str) -> CompletionPolicy:
    """The completion policy of an existing course (404 for an unknown one)."""
    catalog.prerequisites_of(platform, ctx, course_id)
    return get_policy(platform, ctx, course_id)


def set_policy(platform: Platform, ctx: TenantContext, course_id: str, policy: CompletionPolicy) -> CompletionPolicy:
    """Set when lessons and the course count as completed (applies from each learner's next activity)."""
    catalog.prerequisites_of(platform, ctx, course_id)  # NotFound for an unknown course
    doc = PolicyDocument(
        id=policy_id(course_id),
        courseId=course_id,
        policy=policy,
        updatedAt=platform.clock.now().isoformat(),
        updatedBy=ctx.user_id,
    )
    _policies(platform, ctx).upsert(doc)
    platform.cache.delete(f"learning:{ctx.tenant_id}:policy:{course_id}")
    return policy


# --- applying events --------------------------------------------------------------------------


def _check(event: ActivityEvent, specs: dict[str, LessonSpec]) -> str | None:
    spec = specs.get(event.lessonId)
    if spec is None:
        return "no such lesson in the enrolled version"
    expected = {"watch": "video", "read": "text", "scorm": "scorm"}[event.type]
    if spec.kind != expected:
        return f"a {event.type} event needs a {expected} lesson, not {spec.kind}"
    if event.type == "watch":
        return interval_problem(event, spec.duration)
    if event.type == "scorm" and event.status is None:
        return "a scorm event needs a status"
    return None


def _apply(lesson: LessonProgress, events: list[ActivityEvent], spec: LessonSpec) -> None:
    """Apply one lesson's events of a batch. The intervals are merged once (the union does not
    depend on the order of merging) and each field is set once: setting a model's attribute per
    event was the larger part of an ingest."""
    active, read, scorm = lesson.activeSeconds or 0.0, lesson.read, lesson.scormStatus
    played: list[list[float]] = []
    for event in events:
        active = round(active + event.activeSeconds, 3)
        if event.type == "watch":
            assert event.from_ is not None and event.to is not None
            played.append([event.from_, event.to])
        elif event.type == "read":
            read = True
        elif event.type == "scorm" and scorm not in ("completed", "passed"):
            scorm = event.status  # a later "incomplete" never undoes a completion
    lesson.touched = True
    lesson.activeSeconds = active
    if played:
        lesson.watched = merge_intervals([*(lesson.watched or []), *played], spec.duration)
        end = played[-1][1]  # the batch's last watch event: where the player stood when it was sent
        lesson.position = min(end, spec.duration) if spec.duration is not None else end
    if read != lesson.read:
        lesson.read = read
    if scorm != lesson.scormStatus:
        lesson.scormStatus = scorm


def _lesson(doc: ProgressDocument, lesson_id: str) -> LessonProgress:
    """The document's progress in the lesson, added when it has none yet."""
    lesson = doc.lessons.get(lesson_id)
    if lesson is None:
        lesson = doc.lessons[lesson_id] = LessonProgress()
    return lesson


def _new_progress(course_id: str, user_id: str, version: int) -> ProgressDocument:
    return ProgressDocument(id=progress_id(course_id, user_id), userId=user_id, courseId=course_id, version=version)


def _lesson_completed(
    doc: ProgressDocument, ctx: TenantContext, lesson: str, at: datetime, seq: int
) -> LessonCompleted:
    """The lesson's completion, with the id every repeat of the same fact shares."""
    return LessonCompleted(
        id=event_id(LessonCompleted.TYPE, ctx.tenant_id, doc.userId, doc.courseId, doc.version, lesson),
        tenantId=ctx.tenant_id,
        at=at,
        seq=seq,
        userId=doc.userId,
        courseId=doc.courseId,
        version=doc.version,
        lessonId=lesson,
        manual=bool(doc.lessons[lesson].manual),
    )


def _course_completed(doc: ProgressDocument, ctx: TenantContext, at: datetime, seq: int) -> CourseCompleted:
    """The course's completion, with the id every repeat of the same fact shares."""
    return CourseCompleted(
        id=event_id(CourseCompleted.TYPE, ctx.tenant_id, doc.userId, doc.courseId, doc.version),
        tenantId=ctx.tenant_id,
        at=at,
        seq=seq,
        userId=doc.userId,
        courseId=doc.courseId,
        version=doc.version,
        manual=bool(doc.manual),
    )


def _snapshot(
    doc: ProgressDocument,
    ctx: TenantContext,
    specs: list[LessonSpec],
    policy: CompletionPolicy,
    at: datetime,
    seq: int,
) -> CourseProgressChanged:
    """``CourseProgressChanged``: the learner's progress after this write, as their progress view shows
    it (ids and numbers only, no personal data beyond the user id), with the lessons they have begun."""
    view = progress_view(doc, specs, policy)
    lessons = {
        lesson.lessonId: LessonSnapshot(percent=lesson.percent, state=lesson.state, activeSeconds=lesson.activeSeconds)
        for lesson in view.lessons
        if lesson.state != "not_started" or lesson.activeSeconds > 0 or lesson.percent > 0
    }
    return CourseProgressChanged(
        id=snapshot_event_id(ctx.tenant_id, doc.userId, doc.courseId, seq, at.isoformat()),
        tenantId=ctx.tenant_id,
        at=at,
        seq=seq,
        userId=doc.userId,
        courseId=doc.courseId,
        version=doc.version,
        percent=view.percent,
        state=view.state,
        lessons=lessons,
    )


def _settle(
    platform: Platform, ctx: TenantContext, doc: ProgressDocument, specs: list[LessonSpec], policy: CompletionPolicy
) -> None:
    """Evaluate the policy on ``doc``; record the new states and, in the same document, the
    events they cause and a snapshot of the progress (the outbox keeps a week of events for the
    relay, and of the snapshots only this newest one)."""
    result = evaluate(doc, specs, policy)
    now = platform.clock.now()
    stamp = now.isoformat()
    seq = doc.writeSeq + 1
    for lesson_id, state in result.lesson_states.items():
        if lesson_id in doc.lessons or state != "not_started":
            _lesson(doc, lesson_id).state = state
    events: list[OutboxEvent] = []
    for lesson_id in result.completed_lessons:
        doc.lessons[lesson_id].completedAt = stamp
        events.append(_lesson_completed(doc, ctx, lesson_id, now, seq))
    doc.state = result.course_state
    if result.course_completed:
        doc.completedAt = stamp
        events.append(_course_completed(doc, ctx, now, seq))
    events.append(_snapshot(doc, ctx, specs, policy, now, seq))
    horizon = now - timedelta(days=OUTBOX_DAYS)
    kept = [e for e in doc.outbox if e.at >= horizon and e.type != CourseProgressChanged.TYPE]
    doc.outbox = kept + events
    doc.writeSeq, doc.updatedAt = seq, stamp
    doc.detailPurgedAt = None  # this write may bring new detail: the retention sweep looks again


def _rebase(doc: ProgressDocument, version: int) -> None:
    """The enrollment moved to another version: keep lesson activity by id, decide again."""
    if doc.version != version:
        doc.version = version
        doc.state = "in_progress" if doc.lessons else "not_started"
        doc.completedAt = None
        doc.manual = None
        for lesson in doc.lessons.values():
            lesson.state = None


def _write(docs: TenantDocuments[ProgressDocument], doc: ProgressDocument) -> ProgressDocument:
    if doc.etag is not None:
        return docs.replace(doc, if_match=doc.etag)
    return docs.create(doc)


def _update(
    platform: Platform, ctx: TenantContext, course_id: str, user_id: str, version: int, change: Change
) -> tuple[ProgressDocument, bool]:
    """Read-modify-write one progress document with an ETag guard, retrying on a concurrent
    write. ``change(doc)`` edits the document and returns False when there is nothing to write."""
    docs = _docs(platform, ctx)
    specs, policy = _specs(platform, ctx, course_id, version), get_policy(platform, ctx, course_id)
    for _ in range(WRITE_ATTEMPTS):
        doc = docs.find(progress_id(course_id, user_id)) or _new_progress(course_id, user_id, version)
        _rebase(doc, version)
        if not change(doc):
            return doc, False
        _settle(platform, ctx, doc, specs, policy)
        try:
            return _write(docs, doc), True
        except (PreconditionFailed, Conflict):
            continue  # another device wrote first: start again from its version
    raise Unavailable("progress is being written concurrently; send the batch again")


def _accept(
    platform: Platform,
    ctx: TenantContext,
    course_id: str,
    events: list[tuple[int, ActivityEvent]],
    rejected: list[RejectedEvent],
) -> tuple[int, list[ActivityEvent], dict[str, LessonSpec]] | None:
    """The enrolled version and the course's valid events; the others go to ``rejected``."""
    version = _enrolled_version(platform, ctx, course_id, ctx.user_id)
    if version is None:
        rejected += [RejectedEvent(index=i, reason="not enrolled in this course") for i, _ in events]
        return None
    specs = {s.id: s for s in _specs(platform, ctx, course_id, version)}
    valid = []
    for index, event in events:
        problem = _check(event, specs)
        if problem:
            rejected.append(RejectedEvent(index=index, reason=problem))
        else:
            valid.append(event)
    return version, valid, specs


def ingest_batch(platform: Platform, ctx: TenantContext, batch: Batch) -> BatchReceipt:
    """Record a batch of player events: each course touched is written once, bad events are
    rejected one by one with a reason, and a resent batch changes nothing."""
    rejected: list[RejectedEvent] = []
    by_course: dict[str, list[tuple[int, ActivityEvent]]] = defaultdict(list)
    for index, raw in enumerate(batch.events):
        try:
            event = ActivityEvent.model_validate(raw)
        except ValidationError as exc:
            rejected.append(RejectedEvent(index=index, reason=_reason(exc)))
            continue
        by_course[event.courseId].append((index, event))
    summaries, accepted, written_any, seen_before = [], 0, False, False
    for course_id, events in by_course.items():
        checked = _accept(platform, ctx, course_id, events, rejected)
        if checked is None or not checked[1]:
            continue
        version, valid, specs = checked

        def change(
            doc: ProgressDocument, valid: list[ActivityEvent] = valid, specs: dict[str, LessonSpec] = specs
        ) -> bool:
            if batch.batchId in doc.batches:
                return False
            by_lesson: dict[str, list[ActivityEvent]] = defaultdict(list)
            for event in valid:
                by_lesson[event.lessonId].append(event)
            for lesson_id, lesson_events in by_lesson.items():
                _apply(_lesson(doc, lesson_id), lesson_events, specs[lesson_id])
            doc.batches = [*doc.batches, batch.batchId][-RECENT_BATCHES:]
            return True

        doc, written = _update(platform, ctx, course_id, ctx.user_id, version, change)
        written_any, seen_before = written_any or written, seen_before or not written
        accepted += len(valid) if written else 0
        view = progress_view(doc, list(specs.values()), get_policy(platform, ctx, course_id))
        summaries.append(CourseProgressSummary(courseId=course_id, state=view.state, percent=view.percent))
    rejected.sort(key=lambda r: r.index)
    if batch.events and len(rejected) == len(batch.events):
        # Nothing to keep: a client that checks status codes must notice (a mixed batch stays 200).
        errors = [FieldError(f"events.{r.index}", r.reason) for r in rejected]
        raise InvalidInput(f"no event of the batch was accepted: {rejected[0].reason}", errors=errors)
    duplicate = seen_before and not written_any
    return BatchReceipt(
        batchId=batch.batchId, accepted=accepted, rejected=rejected, duplicate=duplicate, courses=summaries
    )


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


# --- reading and staff actions ------------------------------------------------------------------


def _enrolled_in(platform: Platform, ctx: TenantContext, course_id: str, user_id: str) -> int:
    """The version of the user's enrollment in the course (NotFound unless active or completed)."""
    enrollment = enrollments.find_enrollment(platform, ctx, course_id, user_id)
    if enrollment is None or enrollment.status not in ENROLLED:
        raise NotFound()
    return enrollment.version


def learner_progress(platform: Platform, ctx: TenantContext, course_id: str, user_id: str) -> CourseProgressView:
    """Per-lesson progress, the completion state and what is still missing, for one enrolled learner."""
    version = _enrolled_in(platform, ctx, course_id, user_id)
    doc = _docs(platform, ctx).find(progress_id(course_id, user_id)) or _new_progress(course_id, user_id, version)
    _rebase(doc, version)
    return progress_view(doc, _specs(platform, ctx, course_id, version), get_policy(platform, ctx, course_id))


def manual_completion(
    platform: Platform, ctx: TenantContext, course_id: str, user_id: str, body: ManualCompletion
) -> CourseProgressView:
    """A TenantAdmin completes a lesson or the whole course for a learner, with a reason; audited."""
    version = _enrolled_in(platform, ctx, course_id, user_id)
    if body.lessonId and body.lessonId not in {s.id for s in _specs(platform, ctx, course_id, version)}:
        raise NotFound(f"no lesson {body.lessonId!r} in version {version}")
    before = learner_progress(platform, ctx, course_id, user_id)
    done = (
        any(lesson.lessonId == body.lessonId and lesson.state == "completed" for lesson in before.lessons)
        if body.lessonId
        else before.state == "completed"
    )
    if done:
        # A repeat (a double click, a retried request) would otherwise rewrite and audit again.
        raise Conflict(f"the {'lesson' if body.lessonId else 'course'} is already completed for this learner")

    def change(doc: ProgressDocument) -> bool:
        mark = ManualMark(by=ctx.user_id, reason=body.reason, at=platform.clock.now().isoformat())
        if body.lessonId:
            lesson = _lesson(doc, body.lessonId)
            lesson.manual = mark
            lesson.touched = True  # a lesson completed by hand is activity: the course is under way
        else:
            doc.manual = mark
        return True

    _update(platform, ctx, course_id, user_id, version, change)
    after = learner_progress(platform, ctx, course_id, user_id)
    audit_log.record(
        platform,
        ctx,
        action="progress.manual_completion",
        subject_type="progress",
        subject_id=progress_id(course_id, user_id),
        before={"state": before.state, "lesson": body.lessonId},
        after={"state": after.state, "lesson": body.lessonId},
        reason=body.reason,
    )
    return after


def record_quiz_result(
    platform: Platform, ctx: TenantContext, user_id: str, course_id: str, lesson_id: str, *, passed: bool
) -> None:
    """The assessment context graded a quiz of the learner: let the policy count it (idempotent)."""
    version = _enrolled_version(platform, ctx, course_id, user_id)
    if version is None:
        return

    def change(doc: ProgressDocument) -> bool:
        lesson = _lesson(doc, lesson_id)
        if lesson.quizPassed or (lesson.quizSubmitted and not passed):
            return False
        lesson.touched, lesson.quizSubmitted, lesson.quizPassed = True, True, passed
        return True

    _update(platform, ctx, course_id, user_id, version, change)


# --- personal data: this context's part of an export, an erasure and retention -------------------


def _own(doc: ProgressDocument, who: ErasedUser) -> bool:
    return doc.userId == who.user_id


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's progress in every course (watched intervals, lesson states, completions), and the
    documents of others that name them (a manual completion they made, a policy they set)."""
    progress = documents_mentioning(_docs(platform, ctx), who)
    policies = documents_mentioning(_policies(platform, ctx), who)
    return {
        "progress": [exported(d) for d in progress if _own(d, who)],
        "mentions": [mentions(d, who) for d in (*(d for d in progress if not _own(d, who)), *policies)],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Delete the user's progress (their activity) and pseudonymise what others' documents say of them."""
    docs = _docs(platform, ctx)

    def erase(doc: ProgressDocument) -> None:
        docs.delete(doc.id)
        platform.cache.delete(_enrollment_key(ctx, doc.courseId, who.user_id))

    erase_mentions(docs, who, own=lambda doc: _own(doc, who), erase=erase)
    erase_mentions(_policies(platform, ctx), who)


# This context's part of GDPR export and erasure, and of retention, registered from its spec.
PERSONAL_DATA = PersonalDataFunctions(
    export_user=export_user,
    erase_user=erase_user,
    purge_activity_before=retention.purge_activity_before,
    activity="progress",
)
