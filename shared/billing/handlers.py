"""Billing's reactions: other contexts' events from its ``billing`` subscription of the ``events``
topic, and the periodic upkeep (the meter flush and the storage measurement).

``on_event`` is called by the local worker's consumer and by the Service Bus trigger of
``functions/billing.py``. Delivery is at least once: an enrollment and a transcoded video are
counted under their event id, a learner once per month, so a redelivered event changes nothing.
Events of other types pass; a malformed event of a known type raises, so it is retried and then
dead-lettered rather than dropped unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.billing.model import ACTIVE_LEARNERS, ENROLLMENTS, VIDEO_SECONDS
from shared.billing.service import record_fact, system_context
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC

__all__ = [
    "BILLING_EVENTS",
    "BILLING_SUBSCRIPTION",
    "FLUSH_EVERY_SECONDS",
    "LEARNING_ACTIVITY",
    "MEASURE_EVERY_SECONDS",
    "Periodically",
    "on_event",
    "on_event_message",
]

BILLING_SUBSCRIPTION = "billing"
BILLING_EVENTS = subscription_path(EVENTS_TOPIC, BILLING_SUBSCRIPTION)
FLUSH_EVERY_SECONDS = 60
MEASURE_EVERY_SECONDS = 3600

ENROLLMENT_CREATED = "EnrollmentCreated"  # the enrollment context's
VIDEO_TRANSCODED = "VideoTranscoded"  # the media context's
# Learning (progress, lessons, courses) and assessment (quizzes): each makes its learner active.
LEARNING_ACTIVITY = frozenset({"CourseProgressChanged", "LessonCompleted", "CourseCompleted", "QuizGraded"})


class _Event(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    tenantId: str = Field(min_length=1)
    at: datetime


class LearnerActivity(_Event):
    """What billing relies on in a learning or assessment event: whose activity, and when."""

    userId: str = Field(min_length=1)


class EnrollmentCreatedEvent(_Event):
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)


class VideoTranscodedEvent(_Event):
    assetId: str = Field(min_length=1)
    durationSeconds: float = Field(ge=0, allow_inf_nan=False)


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """Meter what an event tells of a tenant's usage, once; events of other types pass."""
    kind = event.get("type")
    if kind in LEARNING_ACTIVITY:
        active = LearnerActivity.model_validate(event)
        record_fact(platform, system_context(active.tenantId), ACTIVE_LEARNERS, active.at, active.userId, 1)
    elif kind == ENROLLMENT_CREATED:
        enrolled = EnrollmentCreatedEvent.model_validate(event)
        record_fact(platform, system_context(enrolled.tenantId), ENROLLMENTS, enrolled.at, enrolled.id, 1)
    elif kind == VIDEO_TRANSCODED:
        video = VideoTranscodedEvent.model_validate(event)
        ctx = system_context(video.tenantId)
        record_fact(platform, ctx, VIDEO_SECONDS, video.at, video.id, video.durationSeconds)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the billing subscription and meter it."""
    on_event(platform, message.json())


class Periodically:
    """An upkeep task that runs at most once every ``seconds`` of the platform's clock, although
    the local worker calls it on every round; returns what the task handled, 0 when not due."""

    def __init__(self, seconds: float, task: Callable[[Platform], int]) -> None:
        self._every = timedelta(seconds=seconds)
        self._task = task
        self._next: datetime | None = None

    def __call__(self, platform: Platform) -> int:
        now = platform.clock.now()
        if self._next is not None and now < self._next:
            return 0
        self._next = now + self._every
        return self._task(platform)
