"""Learning's reactions to other contexts' events, from its ``learning`` subscription of the
``events`` topic: a graded quiz counts toward the completion policy.

The local worker's consumer and the Service Bus trigger of ``functions/learning.py`` call
``on_quiz_graded`` with the decoded event. Delivery is at least once and may be out of order:
``record_quiz_result`` keeps a pass once recorded, so a repeat or a late failure writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.learning import service
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.platform.topology import EVENTS_TOPIC

__all__ = ["LEARNING_EVENTS", "LEARNING_SUBSCRIPTION", "QUIZ_GRADED", "on_event_message", "on_quiz_graded"]

LEARNING_SUBSCRIPTION = "learning"
LEARNING_EVENTS = subscription_path(EVENTS_TOPIC, LEARNING_SUBSCRIPTION)
QUIZ_GRADED = "QuizGraded"
ASSESSMENT_ACTOR = "system:assessment"


class QuizGradedEvent(BaseModel):
    """What learning relies on in a ``QuizGraded`` event of the assessment context."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    tenantId: str = Field(min_length=1)
    userId: str = Field(min_length=1)
    courseId: str = Field(min_length=1)
    lessonId: str = Field(min_length=1)
    passed: bool


def on_quiz_graded(platform: Platform, event: Mapping[str, Any]) -> None:
    """Let a graded quiz count for the learner's lesson; other events pass."""
    if event.get("type") != QUIZ_GRADED:
        return
    graded = QuizGradedEvent.model_validate(event)
    # The tenant comes from the assessment context's own document, not from a caller.
    ctx = TenantContext(tenant_id=graded.tenantId, user_id=ASSESSMENT_ACTOR, roles=frozenset())
    service.record_quiz_result(platform, ctx, graded.userId, graded.courseId, graded.lessonId, passed=graded.passed)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the learning subscription and handle it."""
    on_quiz_graded(platform, message.json())
