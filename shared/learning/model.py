"""Learning activity: watched intervals, the completion policy and its state machine.

Pure rules, no I/O. A learner's progress in one course version is one document
(``ProgressDocument``); a batch of player events changes it in memory and ``evaluate`` decides,
through one transition table, which lessons and the course moved to ``completed`` and which domain
events that records. The ``progress`` container also holds each course's completion policy
(``PolicyDocument``); the two kinds tell themselves apart by ``type``.

Stored documents keep the shape they always had: a lesson's fields that were never set (no quiz
taken, nothing watched) are absent, not null, and so are a document's ``completedAt``, ``manual``
and ``detailPurgedAt`` until they are set (the retention sweep looks for documents *without*
``detailPurgedAt``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, StringConstraints, model_serializer

from shared.kernel import InputModel, OutputModel, Reason, ResourceId
from shared.learning.events import PROGRESS, CourseCompleted, CourseProgressChanged, LessonCompleted
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec, Order
from shared.platform.events import event_id  # re-exported: assessment still imports it from here
from shared.platform.stored import StoredDocument

__all__ = [
    "DETAIL_PURGED",
    "MAX_EVENTS",
    "PROGRESS_CONTAINER",
    "Batch",
    "CompletionPolicy",
    "Evaluation",
    "LessonProgress",
    "ManualMark",
    "OutboxEvent",
    "PolicyDocument",
    "ProgressDocument",
    "State",
    "evaluate",
    "event_id",
    "merge_intervals",
    "next_state",
    "progress_id",
    "snapshot_event_id",
    "watched_seconds",
    "watched_total",
    "without_activity_detail",
]

MAX_EVENTS = 200
MAX_INTERVAL_SECONDS = 6 * 3600  # longer than any lesson: a single "interval" above it is absurd
MAX_INTERVALS_KEPT = 500  # merged intervals per lesson; a pathological seeker cannot grow a document forever
RECENT_BATCHES = 200  # batch ids remembered per document, to ignore a resent batch
OUTBOX_DAYS = 7
# Set when retention summarised a document's activity detail; the next write of the document clears it.
DETAIL_PURGED = "detailPurgedAt"
# Progress grows with learners, courses and watched intervals: keyed by tenant then id.
PROGRESS_CONTAINER = ContainerSpec(
    PROGRESS,
    orderings=((Order("id"),),),
    filters=("type", "state", "updatedAt", DETAIL_PURGED),
    partition_key=TENANT_THEN_ID_KEY,
)

State = Literal["not_started", "in_progress", "completed"]
Signal = Literal["activity", "criteria_met", "manual"]
ScormStatus = Literal["incomplete", "completed", "passed", "failed"]

# The one place completion is decided: (state, signal) -> next state. Completed is final
# for an enrollment's version; anything not listed leaves the state as it is.
TRANSITIONS: Mapping[tuple[State, Signal], State] = {
    ("not_started", "activity"): "in_progress",
    ("not_started", "criteria_met"): "completed",
    ("not_started", "manual"): "completed",
    ("in_progress", "criteria_met"): "completed",
    ("in_progress", "manual"): "completed",
}


def next_state(state: State, signal: Signal | None) -> State:
    """The state after ``signal`` (None: nothing happened)."""
    return TRANSITIONS.get((state, signal), state) if signal else state


def progress_id(course_id: str, user_id: str) -> str:
    return f"{course_id}:{user_id}"


# --- the batch the player sends -------------------------------------------------------------

ClientTime = Annotated[str, StringConstraints(max_length=40)]


class ActivityEvent(InputModel):
    """One event of a batch. ``watch``: the interval [from, to) of a video lesson was played;
    ``read``: a text lesson was read; ``scorm``: a SCORM package reported its status."""

    type: Literal["watch", "read", "scorm"]
    courseId: ResourceId
    lessonId: ResourceId
    from_: float | None = Field(default=None, alias="from")
    to: float | None = None
    status: ScormStatus | None = None
    activeSeconds: Annotated[float, Field(ge=0, le=3600)] = 0
    clientTime: ClientTime | None = None


class Batch(InputModel):
    batchId: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_EVENTS)


class RejectedEvent(OutputModel):
    index: int
    reason: str


class CourseProgressSummary(OutputModel):
    courseId: str
    state: State
    percent: float


class BatchReceipt(OutputModel):
    batchId: str
    accepted: int
    rejected: list[RejectedEvent]
    duplicate: bool = Field(description="the batch was received before; nothing changed")
    courses: list[CourseProgressSummary]


# --- intervals ------------------------------------------------------------------------------


def merge_intervals(intervals: Iterable[Sequence[float]], duration: float | None = None) -> list[list[float]]:
    """The union of ``intervals`` (clamped to [0, duration]), sorted, overlapping and touching
    ones joined: re-watching adds nothing, and a seek only counts what was played."""
    clamped = []
    for start, end in intervals:
        lo, hi = max(0.0, float(start)), float(end)
        if duration is not None:
            hi = min(hi, float(duration))
        if hi > lo:
            clamped.append([lo, hi])
    merged: list[list[float]] = []
    for lo, hi in sorted(clamped):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged


def watched_seconds(intervals: Iterable[Sequence[float]]) -> float:
    return float(sum(end - start for start, end in intervals))


def watched_total(progress: LessonProgress) -> float:
    """Seconds of a video lesson watched: its merged intervals or, once retention replaced them by
    their total, that total (the larger of the two if the learner watched again since)."""
    return max(float(progress.watchedSeconds or 0.0), watched_seconds(progress.watched or []))


def interval_problem(event: ActivityEvent, duration: float | None) -> str | None:
    """Why a watch interval is refused, or None when it is acceptable."""
    if event.from_ is None or event.to is None:
        return "a watch event needs from and to"
    if event.from_ < 0 or event.to < 0:
        return "negative position"
    if event.to <= event.from_:
        return "to must be after from"
    if event.to - event.from_ > MAX_INTERVAL_SECONDS:
        return "interval too long"
    if duration is not None and event.from_ >= duration:
        return "interval starts after the end of the video"
    return None


# --- the completion policy -------------------------------------------------------------------


class CompletionPolicy(InputModel):
    """When a lesson and the course count as completed."""

    watchRatio: Annotated[float, Field(gt=0, le=1, description="share of a video lesson to watch")] = 0.8
    requireQuizPass: bool = Field(default=True, description="a quiz lesson completes only when passed")
    requiredLessons: list[ResourceId] | None = Field(
        default=None, max_length=500, description="lessons the course needs; null: the lessons marked required"
    )


class ManualCompletion(InputModel):
    reason: Reason
    lessonId: ResourceId | None = Field(default=None, description="one lesson; absent: the whole course")


# --- the stored documents ------------------------------------------------------------------------


class _Compact(BaseModel):
    """A part of a stored document whose unset fields are absent, as they always were (not null)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        body: dict[str, Any] = handler(self)
        return {k: v for k, v in body.items() if v is not None}


class ManualMark(_Compact):
    """A completion by hand: who made it, why and when."""

    by: str
    reason: str = ""
    at: str = ""


class LessonProgress(_Compact):
    """A learner's activity in one lesson and the state the policy gave it (absent: not started)."""

    state: State | None = None
    touched: bool | None = None
    activeSeconds: float | None = None
    watched: list[list[float]] | None = None
    # What the watched intervals added up to when retention summarised them.
    watchedSeconds: float | None = None
    # Where the player was at the end of the latest watch event: the learner resumes there, on any device.
    position: float | None = None
    read: bool | None = None
    scormStatus: ScormStatus | None = None
    quizSubmitted: bool | None = None
    quizPassed: bool | None = None
    manual: ManualMark | None = None
    completedAt: str | None = None


OutboxEvent = Annotated[LessonCompleted | CourseCompleted | CourseProgressChanged, Field(discriminator="type")]


class ProgressDocument(StoredDocument):
    """One learner's progress in one course (``progress_id``), on the version they are enrolled in,
    with the events its writes recorded (the relay publishes them from the change feed)."""

    KIND: ClassVar[str] = "progress"
    # Absent until set, as before: the retention sweep queries documents without ``detailPurgedAt``.
    _ABSENT_UNLESS_SET: ClassVar[tuple[str, ...]] = ("updatedAt", "completedAt", "manual", DETAIL_PURGED)

    type: Literal["progress"] = "progress"
    userId: str
    courseId: str
    version: int
    state: State = "not_started"
    lessons: dict[str, LessonProgress] = Field(default_factory=dict)
    batches: list[str] = Field(default_factory=list)
    outbox: list[OutboxEvent] = Field(default_factory=list)
    writeSeq: int = 0
    updatedAt: str | None = None
    completedAt: str | None = None
    manual: ManualMark | None = None
    detailPurgedAt: str | None = None

    @model_serializer(mode="wrap")
    def _without_system_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        body = StoredDocument._without_system_fields(self, handler)
        for name in self._ABSENT_UNLESS_SET:
            if body.get(name) is None:
                body.pop(name, None)
        return body


class PolicyDocument(StoredDocument):
    """A course's completion policy (``policy_id``), in the same container as the progress."""

    KIND: ClassVar[str] = "policy"

    type: Literal["policy"] = "policy"
    courseId: str
    policy: CompletionPolicy
    updatedAt: str
    updatedBy: str


def policy_id(course_id: str) -> str:
    return f"policy.{course_id}"  # course ids hold no '.', so this never meets a progress id


@dataclass(frozen=True)
class LessonSpec:
    """What the policy needs of a lesson of the pinned course version."""

    id: str
    kind: str
    required: bool
    duration: float | None
    prerequisites: tuple[str, ...]


def lesson_specs(outline: Mapping[str, Any]) -> list[LessonSpec]:
    """The lessons of a published outline, in order."""
    return [
        LessonSpec(
            id=lesson["id"],
            kind=lesson["kind"],
            required=lesson.get("required", True),
            duration=lesson.get("durationSeconds"),
            prerequisites=tuple(lesson.get("prerequisites", [])),
        )
        for module in outline.get("modules", [])
        for lesson in module.get("lessons", [])
    ]


def lesson_percent(spec: LessonSpec, progress: LessonProgress) -> float:
    """How far the learner is through one lesson, 0-100."""
    if progress.state == "completed":
        return 100.0
    if spec.kind == "video" and spec.duration:
        return round(min(100.0, 100 * watched_total(progress) / spec.duration), 1)
    return 0.0


def criteria_met(spec: LessonSpec, progress: LessonProgress, policy: CompletionPolicy) -> bool:
    """Whether the lesson's own activity satisfies the policy (prerequisites aside)."""
    if spec.kind == "video":
        if not spec.duration:
            return False  # no known duration yet (transcoding): nothing to measure against
        return watched_total(progress) >= policy.watchRatio * spec.duration - 1e-9
    if spec.kind == "text":
        return bool(progress.read)
    if spec.kind == "scorm":
        return progress.scormStatus in ("completed", "passed")
    return bool(progress.quizPassed) or (not policy.requireQuizPass and bool(progress.quizSubmitted))


def required_lessons(specs: Sequence[LessonSpec], policy: CompletionPolicy) -> list[str]:
    if policy.requiredLessons is not None:
        known = {s.id for s in specs}
        return [lesson for lesson in policy.requiredLessons if lesson in known]
    return [s.id for s in specs if s.required]


@dataclass
class Evaluation:
    """The outcome of evaluating a progress document: the new states and the events they record."""

    lesson_states: dict[str, State] = field(default_factory=dict)
    course_state: State = "not_started"
    completed_lessons: list[str] = field(default_factory=list)
    course_completed: bool = False
    missing: list[str] = field(default_factory=list)


def _lesson_signal(
    spec: LessonSpec, progress: LessonProgress, done: set[str], policy: CompletionPolicy
) -> Signal | None:
    if progress.manual:
        return "manual"
    if criteria_met(spec, progress, policy) and all(p in done for p in spec.prerequisites):
        return "criteria_met"
    return "activity" if progress.touched else None


_NOTHING_YET = LessonProgress()


def evaluate(doc: ProgressDocument, specs: Sequence[LessonSpec], policy: CompletionPolicy) -> Evaluation:
    """Run every lesson, then the course, through the transition table, in outline order
    (prerequisites are earlier lessons, so one pass settles them)."""
    result = Evaluation()
    lessons = doc.lessons
    done: set[str] = set()
    for spec in specs:
        progress = lessons.get(spec.id, _NOTHING_YET)
        before: State = progress.state or "not_started"
        after = next_state(before, _lesson_signal(spec, progress, done, policy))
        result.lesson_states[spec.id] = after
        if after == "completed":
            done.add(spec.id)
            if before != "completed":
                result.completed_lessons.append(spec.id)
    required = required_lessons(specs, policy)
    result.missing = [lesson for lesson in required if lesson not in done]
    course_before: State = doc.state
    if doc.manual:
        signal: Signal | None = "manual"
    elif not result.missing and required:
        signal = "criteria_met"
    else:
        signal = "activity" if any(lessons.get(s.id, _NOTHING_YET).touched for s in specs) else None
    result.course_state = next_state(course_before, signal)
    result.course_completed = result.course_state == "completed" and course_before != "completed"
    return result


def snapshot_event_id(tenant: str, user: str, course: str, write_seq: int, at: str) -> str:
    """The id of the progress snapshot one write records: a new fact on every write (the write's
    time tells a document written anew after a deletion apart from its predecessor)."""
    return event_id(CourseProgressChanged.TYPE, tenant, user, course, write_seq, at)


def without_activity_detail(doc: ProgressDocument, purged_at: str) -> ProgressDocument:
    """A progress document without its activity detail (retention): each lesson's watched intervals
    become their total, and the remembered batch ids and the relayed outbox go. States, completion
    times, time on task and manual completions stay, so every percentage and decision stays the same."""
    lessons = {}
    for lesson_id, lesson in doc.lessons.items():
        kept = lesson.model_copy(update={"watched": None})
        if lesson.watched is not None or lesson.watchedSeconds is not None:
            kept.watchedSeconds = round(watched_total(lesson), 3)
        lessons[lesson_id] = kept
    return doc.model_copy(update={"lessons": lessons, "batches": [], "outbox": [], "detailPurgedAt": purged_at})
