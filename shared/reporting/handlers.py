"""Reporting's reactions to other contexts' events, from its ``reporting`` subscription of the ``events``
topic: enrollments (``EnrollmentCreated``), progress snapshots (``CourseProgressChanged``) and quiz
grades (``QuizGraded``) keep the courses' reports current.

The local worker's consumer and the Service Bus trigger of ``functions/reporting.py`` call ``on_event``
with the decoded event. Delivery is at least once and in any order: the service applies an event by
its sequence numbers, so a repeat or a late older one changes nothing. A malformed event raises and
is dead-lettered after the subscription's maximum delivery count; other event types pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.assessment.events import QuizGraded
from shared.enrollment.events import EnrollmentCreated
from shared.learning.events import CourseProgressChanged
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.events import EventHandlers
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC
from shared.reporting import service

__all__ = ["HANDLERS", "REPORTING_EVENTS", "REPORTING_SUBSCRIPTION", "on_event", "on_event_message"]

REPORTING_SUBSCRIPTION = "reporting"
REPORTING_EVENTS = subscription_path(EVENTS_TOPIC, REPORTING_SUBSCRIPTION)

# Each event parsed with its producer's model.
HANDLERS = (
    EventHandlers()
    .on(EnrollmentCreated, service.record_enrollment)
    .on(CourseProgressChanged, service.record_progress)
    .on(QuizGraded, service.record_quiz_grade)
)


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """Let an enrollment, a progress snapshot or a quiz grade count in its course's report."""
    HANDLERS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the reporting subscription and handle it."""
    on_event(platform, message.json())
