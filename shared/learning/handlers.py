"""Learning's reactions to domain events, from two subscriptions of the ``events`` topic.

- ``learning`` (``LEARNING_EVENTS``): a graded quiz of the assessment context counts toward the
  completion policy (``on_quiz_graded``).
- ``enrollment`` (``ENROLLMENT_EVENTS``): learning's own ``CourseCompleted`` marks the learner's
  enrollment completed, through the enrollment context's service function ``mark_completed``
  (``on_course_completed``).

Why the completion handler lives here and not in the enrollment context: enrollment owns enrollments,
and learning already depends on it (a batch is checked against the learner's enrollment). Had
enrollment parsed learning's ``CourseCompleted`` itself, the two contexts would import each other.
So the dependency runs one way only: the producer of the event (learning) calls the owner's service
function (``enrollment.service.mark_completed``), and enrollment imports nothing from learning. The
handler keeps reading the same bus entity as before, the ``enrollment`` subscription, so the
topology, the Bicep and the trigger in ``functions/enrollment.py`` stay as they were; only the module
the trigger and the local worker take the handler from changed.

The local worker's consumers call ``on_event_message`` (learning subscription) and
``on_enrollment_event_message`` (enrollment subscription); the Service Bus triggers of
``functions/learning.py`` and ``functions/enrollment.py`` call ``on_quiz_graded`` and
``on_course_completed`` with the decoded body. Delivery is at least once and may be out of order:
``record_quiz_result`` keeps a pass once recorded and ``mark_completed`` finds a completed enrollment
completed, so a repeat writes nothing. Failures raise, so the bus delivers the message again and
dead-letters it in the end.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from shared.assessment.events import QUIZ_GRADED, QuizGraded
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
    "ENROLLMENT_EVENTS",
    "ENROLLMENT_SUBSCRIPTION",
    "LEARNING_ACTOR",
    "LEARNING_EVENTS",
    "LEARNING_SUBSCRIPTION",
    "QUIZ_GRADED",
    "on_course_completed",
    "on_enrollment_event_message",
    "on_event_message",
    "on_quiz_graded",
]

log = logging.getLogger("lms.learning.handlers")

LEARNING_SUBSCRIPTION = "learning"
LEARNING_EVENTS = subscription_path(EVENTS_TOPIC, LEARNING_SUBSCRIPTION)
# Where completions reach enrollments; the subscription is in shared/platform/topology.py and the Bicep.
ENROLLMENT_SUBSCRIPTION = "enrollment"
ENROLLMENT_EVENTS = subscription_path(EVENTS_TOPIC, ENROLLMENT_SUBSCRIPTION)
ASSESSMENT_ACTOR = "system:assessment"
# Who acts when a completion changes an enrollment: the system on the learning context's word, with no roles.
LEARNING_ACTOR = "system:learning"


def _count_quiz(platform: Platform, graded: QuizGraded) -> None:
    # The tenant comes from the assessment context's own document, not from a caller.
    ctx = system_context(graded.tenantId, ASSESSMENT_ACTOR)
    service.record_quiz_result(platform, ctx, graded.userId, graded.courseId, graded.lessonId, passed=graded.passed)


def _complete_enrollment(platform: Platform, completed: CourseCompleted) -> None:
    # Built from the event, not resolved from a token: learning recorded the event for this tenant inside
    # the tenant's own partition, and a suspended tenant's completions still count.
    ctx = system_context(completed.tenantId, LEARNING_ACTOR)
    try:
        enrollments.mark_completed(platform, ctx, completed.userId, completed.courseId, completed.version, completed.at)
    except NotFound:
        # The enrollment is gone (the tenant's data was deleted): no delivery can succeed, so settle the message.
        log.warning(
            "course completed without an enrollment; ignored",
            extra={"tenantId": completed.tenantId, "eventId": completed.id, "courseId": completed.courseId},
        )


QUIZ_HANDLERS = EventHandlers().on(QuizGraded, _count_quiz)
COMPLETION_HANDLERS = EventHandlers().on(CourseCompleted, _complete_enrollment)


def on_quiz_graded(platform: Platform, event: Mapping[str, Any]) -> None:
    """Let a graded quiz count for the learner's lesson; other events pass."""
    QUIZ_HANDLERS.dispatch(platform, event)


def on_course_completed(platform: Platform, event: Mapping[str, Any]) -> None:
    """Mark the learner's enrollment completed when a ``CourseCompleted`` arrives; other events pass."""
    COMPLETION_HANDLERS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry for the learning subscription."""
    on_quiz_graded(platform, message.json())


def on_enrollment_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry for the enrollment subscription."""
    on_course_completed(platform, message.json())
