"""Learning use cases: ingest batches of player events, decide completion, answer progress.

A batch costs at most one document write per course it touches: the events of a course
are applied to its progress document in memory and written once, with an ETag guard
(re-read and re-applied on a concurrent write from another device). The batch id is kept
in the document, so a resent batch changes nothing. Domain events are appended to the
document's outbox in that same write; the relay publishes them from the change feed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from shared.audit import service as audit_log
from shared.catalog import service as catalog
from shared.enrollment import service as enrollments
from shared.errors import Conflict, NotFound, PreconditionFailed, Unavailable
from shared.learning.events import COURSE_COMPLETED, COURSE_PROGRESS_CHANGED, LESSON_COMPLETED, PROGRESS
from shared.learning.model import (
    DETAIL_PURGED,
    OUTBOX_DAYS,
    RECENT_BATCHES,
    ActivityEvent,
    Batch,
    BatchReceipt,
    CompletionPolicy,
    CourseProgressSummary,
    LessonSpec,
    ManualCompletion,
    RejectedEvent,
    evaluate,
    event_id,
    interval_problem,
    lesson_specs,
    merge_intervals,
    progress_id,
    snapshot_event_id,
)
from shared.learning.read_models import CourseProgressView, progress_view
from shared.platform.documents import Document
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.tenancy import privacy

__all__ = [
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


def _docs(platform: Platform, ctx: TenantContext) -> DictDocuments:
    return DictDocuments(platform.documents, PROGRESS, ctx)


def _policy_id(course_id: str) -> str:
    return f"policy.{course_id}"  # course ids hold no '.', so this never meets a progress id


# --- what a batch is checked against (cached: read-heavy, rarely changing) ---------------------


def _enrollment(platform: Platform, ctx: TenantContext, course_id: str, user_id: str) -> dict[str, Any] | None:
    key = f"learning:{ctx.tenant_id}:enrollment:{course_id}:{user_id}"
    cached = platform.cache.get(key)
    if cached is None:
        found = enrollments.find_enrollment(platform, ctx, course_id, user_id)
        cached = {"status": found["status"], "version": found["version"]} if found else {"status": "none"}
        platform.cache.set(key, cached, ENROLLMENT_CACHE_SECONDS)
    return cached if cached["status"] in ("active", "completed") else None


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
        try:
            cached = _docs(platform, ctx).read(_policy_id(course_id))["policy"]
        except NotFound:
            cached = CompletionPolicy().model_dump()
        platform.cache.set(key, cached, POLICY_CACHE_SECONDS)
    return CompletionPolicy.model_validate(cached)


def course_policy(platform: Platform, ctx: TenantContext, course_id: str) -> CompletionPolicy:
    """The completion policy of an existing course (404 for an unknown one)."""
    catalog.prerequisites_of(platform, ctx, course_id)
    return get_policy(platform, ctx, course_id)


def set_policy(platform: Platform, ctx: TenantContext, course_id: str, policy: CompletionPolicy) -> CompletionPolicy:
    """Set when lessons and the course count as completed (applies from each learner's next activity)."""
    catalog.prerequisites_of(platform, ctx, course_id)  # NotFound for an unknown course
    doc = {"id": _policy_id(course_id), "type": "policy", "courseId": course_id, "policy": policy.model_dump()}
    _docs(platform, ctx).upsert({**doc, "updatedAt": platform.clock.now().isoformat(), "updatedBy": ctx.user_id})
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


def _apply(lesson: dict[str, Any], event: ActivityEvent, spec: LessonSpec) -> None:
    lesson["touched"] = True
    lesson["activeSeconds"] = round(lesson.get("activeSeconds", 0.0) + event.activeSeconds, 3)
    if event.type == "watch":
        assert event.from_ is not None and event.to is not None
        lesson["watched"] = merge_intervals([*lesson.get("watched", []), [event.from_, event.to]], spec.duration)
    elif event.type == "read":
        lesson["read"] = True
    elif event.type == "scorm" and lesson.get("scormStatus") not in ("completed", "passed"):
        lesson["scormStatus"] = event.status  # a later "incomplete" never undoes a completion


def _new_progress(ctx: TenantContext, course_id: str, user_id: str, version: int) -> Document:
    return {
        "id": progress_id(course_id, user_id),
        "type": "progress",
        "userId": user_id,
        "courseId": course_id,
        "version": version,
        "state": "not_started",
        "lessons": {},
        "batches": [],
        "outbox": [],
        "writeSeq": 0,
    }


def _record(doc: Document, ctx: TenantContext, kind: str, lesson: str | None, at: str, seq: int) -> dict[str, Any]:
    """One domain event of this write, with the id every repeat of the same fact shares."""
    target = doc["lessons"].get(lesson, {}) if lesson else doc
    event = {
        "id": event_id(kind, ctx.tenant_id, doc["userId"], doc["courseId"], doc["version"], lesson),
        "type": kind,
        "at": at,
        "seq": seq,
        "tenantId": ctx.tenant_id,
        "userId": doc["userId"],
        "courseId": doc["courseId"],
        "version": doc["version"],
        "manual": bool(target.get("manual")),
    }
    return {**event, "lessonId": lesson} if lesson else event


def _snapshot(
    doc: Document, ctx: TenantContext, specs: list[LessonSpec], policy: CompletionPolicy, at: str, seq: int
) -> dict[str, Any]:
    """``CourseProgressChanged``: the learner's progress after this write, as their progress view shows
    it (ids and numbers only, no personal data beyond the user id), with the lessons they have begun."""
    view = progress_view(doc, specs, policy)
    lessons = {
        lesson.lessonId: {"percent": lesson.percent, "state": lesson.state, "activeSeconds": lesson.activeSeconds}
        for lesson in view.lessons
        if lesson.state != "not_started" or lesson.activeSeconds > 0 or lesson.percent > 0
    }
    return {
        "id": snapshot_event_id(ctx.tenant_id, doc["userId"], doc["courseId"], seq, at),
        "type": COURSE_PROGRESS_CHANGED,
        "at": at,
        "seq": seq,
        "tenantId": ctx.tenant_id,
        "userId": doc["userId"],
        "courseId": doc["courseId"],
        "version": doc["version"],
        "percent": view.percent,
        "state": view.state,
        "lessons": lessons,
    }


def _settle(
    platform: Platform, ctx: TenantContext, doc: Document, specs: list[LessonSpec], policy: CompletionPolicy
) -> None:
    """Evaluate the policy on ``doc``; record the new states and, in the same document, the
    events they cause and a snapshot of the progress (the outbox keeps a week of events for the
    relay, and of the snapshots only this newest one)."""
    result = evaluate(doc, specs, policy)
    now = platform.clock.now().isoformat()
    seq = doc.get("writeSeq", 0) + 1
    for lesson, state in result.lesson_states.items():
        if lesson in doc["lessons"] or state != "not_started":
            doc["lessons"].setdefault(lesson, {})["state"] = state
    events = []
    for lesson in result.completed_lessons:
        doc["lessons"][lesson]["completedAt"] = now
        events.append(_record(doc, ctx, LESSON_COMPLETED, lesson, now, seq))
    doc["state"] = result.course_state
    if result.course_completed:
        doc["completedAt"] = now
        events.append(_record(doc, ctx, COURSE_COMPLETED, None, now, seq))
    events.append(_snapshot(doc, ctx, specs, policy, now, seq))
    horizon = (platform.clock.now() - timedelta(days=OUTBOX_DAYS)).isoformat()
    kept = [e for e in doc.get("outbox", []) if e["at"] >= horizon and e["type"] != COURSE_PROGRESS_CHANGED]
    doc["outbox"] = kept + events
    doc["writeSeq"], doc["updatedAt"] = seq, now
    doc.pop(DETAIL_PURGED, None)  # this write may bring new detail: the retention sweep looks again


def _rebase(doc: Document, version: int) -> None:
    """The enrollment moved to another version: keep lesson activity by id, decide again."""
    if doc["version"] != version:
        doc["version"] = version
        doc["state"] = "in_progress" if doc["lessons"] else "not_started"
        doc.pop("completedAt", None)
        doc.pop("manual", None)
        for lesson in doc["lessons"].values():
            lesson.pop("state", None)


def _write(docs: DictDocuments, doc: Document) -> Document:
    if "_etag" in doc:
        return docs.replace(doc, if_match=doc["_etag"])
    return docs.create(doc)


def _update(
    platform: Platform, ctx: TenantContext, course_id: str, user_id: str, version: int, change: Any
) -> tuple[Document, bool]:
    """Read-modify-write one progress document with an ETag guard, retrying on a concurrent
    write. ``change(doc)`` edits the document and returns False when there is nothing to write."""
    docs = _docs(platform, ctx)
    specs, policy = _specs(platform, ctx, course_id, version), get_policy(platform, ctx, course_id)
    for _ in range(WRITE_ATTEMPTS):
        try:
            doc = docs.read(progress_id(course_id, user_id))
        except NotFound:
            doc = _new_progress(ctx, course_id, user_id, version)
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
    enrollment = _enrollment(platform, ctx, course_id, ctx.user_id)
    if enrollment is None:
        rejected += [RejectedEvent(index=i, reason="not enrolled in this course") for i, _ in events]
        return None
    specs = {s.id: s for s in _specs(platform, ctx, course_id, enrollment["version"])}
    valid = []
    for index, event in events:
        problem = _check(event, specs)
        if problem:
            rejected.append(RejectedEvent(index=index, reason=problem))
        else:
            valid.append(event)
    return enrollment["version"], valid, specs


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

        def change(doc: Document, valid: list[ActivityEvent] = valid, specs: dict[str, LessonSpec] = specs) -> bool:
            if batch.batchId in doc["batches"]:
                return False
            for event in valid:
                _apply(doc["lessons"].setdefault(event.lessonId, {}), event, specs[event.lessonId])
            doc["batches"] = [*doc["batches"], batch.batchId][-RECENT_BATCHES:]
            return True

        doc, written = _update(platform, ctx, course_id, ctx.user_id, version, change)
        written_any, seen_before = written_any or written, seen_before or not written
        accepted += len(valid) if written else 0
        view = progress_view(doc, list(specs.values()), get_policy(platform, ctx, course_id))
        summaries.append(CourseProgressSummary(courseId=course_id, state=view.state, percent=view.percent))
    rejected.sort(key=lambda r: r.index)
    duplicate = seen_before and not written_any
    return BatchReceipt(
        batchId=batch.batchId, accepted=accepted, rejected=rejected, duplicate=duplicate, courses=summaries
    )


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


# --- reading and staff actions ------------------------------------------------------------------


def learner_progress(platform: Platform, ctx: TenantContext, course_id: str, user_id: str) -> CourseProgressView:
    """Per-lesson progress, the completion state and what is still missing, for one enrolled learner."""
    enrollment = enrollments.find_enrollment(platform, ctx, course_id, user_id)
    if enrollment is None or enrollment["status"] not in ("active", "completed"):
        raise NotFound()
    version = enrollment["version"]
    try:
        doc = _docs(platform, ctx).read(progress_id(course_id, user_id))
    except NotFound:
        doc = _new_progress(ctx, course_id, user_id, version)
    _rebase(doc, version)
    return progress_view(doc, _specs(platform, ctx, course_id, version), get_policy(platform, ctx, course_id))


def manual_completion(
    platform: Platform, ctx: TenantContext, course_id: str, user_id: str, body: ManualCompletion
) -> CourseProgressView:
    """A TenantAdmin completes a lesson or the whole course for a learner, with a reason; audited."""
    enrollment = enrollments.find_enrollment(platform, ctx, course_id, user_id)
    if enrollment is None or enrollment["status"] not in ("active", "completed"):
        raise NotFound()
    version = enrollment["version"]
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

    def change(doc: Document) -> bool:
        target = doc["lessons"].setdefault(body.lessonId, {}) if body.lessonId else doc
        target["manual"] = {"by": ctx.user_id, "reason": body.reason, "at": platform.clock.now().isoformat()}
        if body.lessonId:
            target["touched"] = True  # a lesson completed by hand is activity: the course is under way
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
    enrollment = _enrollment(platform, ctx, course_id, user_id)
    if enrollment is None:
        return

    def change(doc: Document) -> bool:
        lesson = doc["lessons"].setdefault(lesson_id, {})
        if lesson.get("quizPassed") or (lesson.get("quizSubmitted") and not passed):
            return False
        lesson.update(touched=True, quizSubmitted=True, quizPassed=passed)
        return True

    _update(platform, ctx, course_id, user_id, enrollment["version"], change)


# --- GDPR: this context's part of an export and an erasure (shared/tenancy/gdpr.py) -------------


def export_user(platform: Platform, ctx: TenantContext, user_id: str) -> dict[str, Any]:
    """The user's progress in every course (watched intervals, lesson states, completions), and the
    documents of others that name them (a manual completion they made, a policy they set)."""
    who = privacy.erased_user(platform, ctx, user_id)
    found = privacy.documents_mentioning(_docs(platform, ctx), who)
    own = [d for d in found if d.get("type") == "progress" and d.get("userId") == user_id]
    return {
        "progress": [privacy.exported(d) for d in own],
        "mentions": [privacy.mentions(d, who) for d in found if d not in own],
    }


def erase_user(platform: Platform, ctx: TenantContext, user_id: str) -> None:
    """Delete the user's progress (their activity) and pseudonymise what others' documents say of them."""
    who = privacy.erased_user(platform, ctx, user_id)
    docs = _docs(platform, ctx)
    for doc in privacy.documents_mentioning(docs, who):
        if doc.get("type") == "progress" and doc.get("userId") == user_id:
            docs.delete(doc["id"])
            platform.cache.delete(f"learning:{ctx.tenant_id}:enrollment:{doc['courseId']}:{user_id}")
        else:
            privacy.pseudonymise(docs, who, doc)
