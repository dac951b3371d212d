"""Billing's reactions: other contexts' events from its ``billing`` subscription of the ``events``
topic, and the periodic upkeep (the meter flush and the storage measurement).

``on_event`` is called by the local worker's consumer and by the Service Bus trigger of
``functions/billing.py``. Delivery is at least once: an enrollment and a transcoded video are
counted under their event id, a learner once per month, so a redelivered event changes nothing.
Events of other types pass; a malformed event of a known type raises, so it is retried and then
dead-lettered rather than dropped unseen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.assessment.events import QuizGraded
from shared.billing.model import ACTIVE_LEARNERS, ENROLLMENTS, VIDEO_SECONDS
from shared.billing.service import record_fact, system_context
from shared.enrollment.events import EnrollmentCreated
from shared.learning.events import CourseCompleted, CourseProgressChanged, LessonCompleted
from shared.media.events import VideoTranscoded
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.events import EventHandlers
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC

__all__ = [
    "BILLING_EVENTS",
    "BILLING_SUBSCRIPTION",
    "FLUSH_EVERY_SECONDS",
    "HANDLERS",
    "MEASURE_EVERY_SECONDS",
    "on_event",
    "on_event_message",
]

BILLING_SUBSCRIPTION = "billing"
BILLING_EVENTS = subscription_path(EVENTS_TOPIC, BILLING_SUBSCRIPTION)
FLUSH_EVERY_SECONDS = 60
MEASURE_EVERY_SECONDS = 3600

LearnerActivity = LessonCompleted | CourseCompleted | CourseProgressChanged | QuizGraded


def on_learner_activity(platform: Platform, event: LearnerActivity) -> None:
    """Learning (progress, lessons, courses) and assessment (quizzes): the learner is active this month."""
    record_fact(platform, system_context(event.tenantId), ACTIVE_LEARNERS, event.at, event.userId, 1)


def on_enrollment_created(platform: Platform, event: EnrollmentCreated) -> None:
    record_fact(platform, system_context(event.tenantId), ENROLLMENTS, event.at, event.id, 1)


def on_video_transcoded(platform: Platform, event: VideoTranscoded) -> None:
    record_fact(platform, system_context(event.tenantId), VIDEO_SECONDS, event.at, event.id, event.durationSeconds)


# Each event parsed with its producer's model.
HANDLERS = (
    EventHandlers()
    .on(LessonCompleted, on_learner_activity)
    .on(CourseCompleted, on_learner_activity)
    .on(CourseProgressChanged, on_learner_activity)
    .on(QuizGraded, on_learner_activity)
    .on(EnrollmentCreated, on_enrollment_created)
    .on(VideoTranscoded, on_video_transcoded)
)


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """Meter what an event tells of a tenant's usage, once; events of other types pass."""
    HANDLERS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the billing subscription and meter it."""
    on_event(platform, message.json())
