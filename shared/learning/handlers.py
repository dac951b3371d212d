"""Learning's reactions to events, from two subscriptions of the ``events`` topic.

``learning``: a graded quiz (``QuizGraded``, the assessment context's) counts toward the completion
policy. ``record_quiz_result`` keeps a pass once recorded, so a repeat or a late failure writes nothing.

``enrollment``: a completed course (``CourseCompleted``, learning's own event) completes the learner's
enrollment, through the enrollment context's service function ``mark_completed``. The reaction lives
here, not in enrollment, because learning already depends on enrollment (a progress batch is checked
against the learner's enrollment): were enrollment to import learning's event, the two contexts would
import each other. The subscription keeps its name, so the bus topology and the Bicep stay as they are.
A repeated ``CourseCompleted`` finds the enrollment completed already and writes nothing.

The local worker's consumers and the Service Bus triggers of ``functions/learning.py`` decode a message
and hand it to ``on_event`` / ``on_course_completed``. Delivery is at least once and may be out of
order; failures raise, so the bus delivers the message again and dead-letters it in the end.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from shared.assessment.events import QuizGraded
from shared.enrollment import service as enrollments
from shared.errors import NotFound
from shared.learning import service
from shared.learning.events import CourseCompleted
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.events import EventHandlers
from shared.platform.runtime import Platform
from shared.platform.tenancy import system_context
from shared.platform.topology import EVENTS_TOPIC

__all__ = [
    "COMPLETIONS",
    "ENROLLMENT_EVENTS",
    "ENROLLMENT_SUBSCRIPTION",
    "GRADED_QUIZZES",
    "LEARNING_EVENTS",
    "LEARNING_SUBSCRIPTION",
    "on_course_completed",
    "on_enrollment_event_message",
    "on_event",
    "on_event_message",
    "on_quiz_graded",
]

log = logging.getLogger("lms.learning.handlers")

LEARNING_SUBSCRIPTION = "learning"
LEARNING_EVENTS = subscription_path(EVENTS_TOPIC, LEARNING_SUBSCRIPTION)
# The subscription through which completions reach enrollments (shared/platform/topology.py, the Bicep).
ENROLLMENT_SUBSCRIPTION = "enrollment"
ENROLLMENT_EVENTS = subscription_path(EVENTS_TOPIC, ENROLLMENT_SUBSCRIPTION)
ASSESSMENT_ACTOR = "system:assessment"
# Who acts when a completion changes an enrollment: the system on the learning context's word, with no roles.
LEARNING_ACTOR = "system:learning"


def on_quiz_graded(platform: Platform, graded: QuizGraded) -> None:
    """Let a graded quiz count for the learner's lesson."""
    # The tenant comes from the assessment context's own document, not from a caller.
    ctx = system_context(graded.tenantId, ASSESSMENT_ACTOR)
    service.record_quiz_result(platform, ctx, graded.userId, graded.courseId, graded.lessonId, passed=graded.passed)


def complete_enrollment(platform: Platform, completed: CourseCompleted) -> None:
    """Mark the learner's enrollment completed (once)."""
    # A suspended tenant's completions still count: the event was recorded in the tenant's own partition.
    ctx = system_context(completed.tenantId, LEARNING_ACTOR)
    try:
        enrollments.mark_completed(platform, ctx, completed.userId, completed.courseId, completed.version, completed.at)
    except NotFound:
        # The enrollment is gone (the tenant's data was deleted): no delivery can succeed, so settle the message.
        log.warning(
            "course completed without an enrollment; ignored",
            extra={"tenantId": completed.tenantId, "eventId": completed.id, "courseId": completed.courseId},
        )


GRADED_QUIZZES = EventHandlers().on(QuizGraded, on_quiz_graded)
COMPLETIONS = EventHandlers().on(CourseCompleted, complete_enrollment)


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """An event of the learning subscription: a graded quiz counts; other events pass."""
    GRADED_QUIZZES.dispatch(platform, event)


def on_course_completed(platform: Platform, event: Mapping[str, Any]) -> None:
    """An event of the enrollment subscription: a completed course completes the enrollment; others pass."""
    COMPLETIONS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry for the learning subscription."""
    on_event(platform, message.json())


def on_enrollment_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry for the enrollment subscription."""
    on_course_completed(platform, message.json())
