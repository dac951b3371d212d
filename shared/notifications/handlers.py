"""Notifications' reactions to other contexts' events, from its ``notifications`` subscription of the
``events`` topic: a graded quiz tells the learner their score.

The local worker's consumer and the Service Bus trigger of ``functions/notifications.py`` call
``on_event`` with the decoded event. Delivery is at least once: the notification's id comes from
the event id, so a redelivered event finds its notification already there. Other events pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.catalog import service as catalog
from shared.errors import NotFound
from shared.notifications.service import notify
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.platform.topology import EVENTS_TOPIC

__all__ = ["NOTIFICATIONS_EVENTS", "NOTIFICATIONS_SUBSCRIPTION", "QUIZ_GRADED", "on_event", "on_event_message"]

NOTIFICATIONS_SUBSCRIPTION = "notifications"
NOTIFICATIONS_EVENTS = subscription_path(EVENTS_TOPIC, NOTIFICATIONS_SUBSCRIPTION)
QUIZ_GRADED = "QuizGraded"
NOTIFIER = "system:notifications"


class QuizGradedEvent(BaseModel):
    """What notifications rely on in a ``QuizGraded`` event of the assessment context."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    tenantId: str = Field(min_length=1)
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)
    version: int = Field(ge=1)
    lessonId: str = Field(min_length=1)
    attemptId: str = Field(min_length=1)
    passed: bool
    score: float


def _course_title(platform: Platform, ctx: TenantContext, graded: QuizGradedEvent) -> str | None:
    try:
        return catalog.course_version(platform, ctx, graded.courseId, graded.version).title
    except NotFound:
        return None  # the course is gone; the score is still news


def _quiz_graded(platform: Platform, graded: QuizGradedEvent) -> None:
    # The tenant comes from the assessment context's own document, not from a caller.
    ctx = TenantContext(tenant_id=graded.tenantId, user_id=NOTIFIER, roles=frozenset())
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


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """Notify the user an event concerns, once per event; events of other types pass."""
    if event.get("type") == QUIZ_GRADED:
        _quiz_graded(platform, QuizGradedEvent.model_validate(event))


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the notifications subscription and handle it."""
    on_event(platform, message.json())
