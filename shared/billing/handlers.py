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
    "LEARNING_ACTIVITY",
    "MEASURE_EVERY_SECONDS",
    "on_event",
    "on_event_message",
]

BILLING_SUBSCRIPTION = "billing"
BILLING_EVENTS = subscription_path(EVENTS_TOPIC, BILLING_SUBSCRIPTION)
FLUSH_EVERY_SECONDS = 60
MEASURE_EVERY_SECONDS = 3600


def _learner_active(
    platform: Platform, event: LessonCompleted | CourseCompleted | CourseProgressChanged | QuizGraded
) -> None:
    """A learning or assessment event makes its learner active in the month it happened."""
    record_fact(platform, system_context(event.tenantId), ACTIVE_LEARNERS, event.at, event.userId, 1)


def _enrolled(platform: Platform, enrolled: EnrollmentCreated) -> None:
    record_fact(platform, system_context(enrolled.tenantId), ENROLLMENTS, enrolled.at, enrolled.id, 1)


def _transcoded(platform: Platform, video: VideoTranscoded) -> None:
    record_fact(platform, system_context(video.tenantId), VIDEO_SECONDS, video.at, video.id, video.durationSeconds)


# Learning (progress, lessons, courses) and assessment (quizzes) make their learner active.
HANDLERS = (
    EventHandlers()
    .on(CourseProgressChanged, _learner_active)
    .on(LessonCompleted, _learner_active)
    .on(CourseCompleted, _learner_active)
    .on(QuizGraded, _learner_active)
    .on(EnrollmentCreated, _enrolled)
    .on(VideoTranscoded, _transcoded)
)
LEARNING_ACTIVITY = frozenset({CourseProgressChanged.TYPE, LessonCompleted.TYPE, CourseCompleted.TYPE, QuizGraded.TYPE})


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """Meter what an event tells of a tenant's usage, once; events of other types pass."""
    HANDLERS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the billing subscription and meter it."""
    on_event(platform, message.json())
