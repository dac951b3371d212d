"""Notifications' reactions to other contexts' events, from its ``notifications`` subscription of the
``events`` topic: a graded quiz tells the learner their score.

The local worker's consumer and the Service Bus trigger of ``functions/notifications.py`` call
``on_event`` with the decoded event. Delivery is at least once: the notification's id comes from
the event id, so a redelivered event finds its notification already there. Other events pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.assessment.events import QUIZ_GRADED, QuizGraded
from shared.catalog import service as catalog
from shared.errors import NotFound
from shared.notifications.service import notify
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.events import EventHandlers
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, system_context
from shared.platform.topology import EVENTS_TOPIC

__all__ = [
    "HANDLERS",
    "NOTIFICATIONS_EVENTS",
    "NOTIFICATIONS_SUBSCRIPTION",
    "QUIZ_GRADED",
    "on_event",
    "on_event_message",
]

NOTIFICATIONS_SUBSCRIPTION = "notifications"
NOTIFICATIONS_EVENTS = subscription_path(EVENTS_TOPIC, NOTIFICATIONS_SUBSCRIPTION)
NOTIFIER = "system:notifications"


def _course_title(platform: Platform, ctx: TenantContext, graded: QuizGraded) -> str | None:
    try:
        return catalog.course_version(platform, ctx, graded.courseId, graded.version).title
    except NotFound:
        return None  # the course is gone; the score is still news


def on_quiz_graded(platform: Platform, graded: QuizGraded) -> None:
    """Tell the learner their quiz's score, once per event."""
    # The tenant comes from the assessment context's own document, not from a caller.
    ctx = system_context(graded.tenantId, NOTIFIER)
    title = _course_title(platform, ctx, graded)
    outcome = "passed" if graded.passed else "did not pass"
    where = f" in {title}" if title else ""
    notify(
        platform,
        ctx,
        graded.userId,
        "quiz_graded",
        "Your quiz was graded",
        f"You scored {graded.score:g}% on the quiz{where} and {outcome}.",
        f"/api/v1/attempts/{graded.attemptId}",
        graded.id,
    )


HANDLERS = EventHandlers().on(QuizGraded, on_quiz_graded)


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """Notify the user an event concerns, once per event; events of other types pass."""
    HANDLERS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the notifications subscription and handle it."""
    on_event(platform, message.json())
