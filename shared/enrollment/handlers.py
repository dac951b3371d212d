"""Enrollment's reactions to the domain events of other contexts, from its ``enrollment`` subscription
of the ``events`` topic.

The local worker's consumer (embedded profile) and the Service Bus trigger of
``functions/enrollment.py`` (Azure) decode a message and call ``on_course_completed`` with the event.
Delivery is at least once: a repeated ``CourseCompleted`` finds the enrollment completed already and
writes nothing. Failures raise, so the bus delivers the message again and dead-letters it in the end.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from shared.enrollment import service
from shared.errors import NotFound
from shared.learning.events import COURSE_COMPLETED, CourseCompletedEvent
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.platform.topology import EVENTS_TOPIC

__all__ = [
    "ENROLLMENT_EVENTS",
    "ENROLLMENT_SUBSCRIPTION",
    "LEARNING_ACTOR",
    "on_course_completed",
    "on_event_message",
]

log = logging.getLogger("lms.enrollment.handlers")

# Where enrollment reads the events topic; the subscription is in shared/platform/topology.py and the Bicep.
ENROLLMENT_SUBSCRIPTION = "enrollment"
ENROLLMENT_EVENTS = subscription_path(EVENTS_TOPIC, ENROLLMENT_SUBSCRIPTION)
# Who acts when an event changes an enrollment: the system on the learning context's word, with no roles.
LEARNING_ACTOR = "system:learning"


def _system_context(tenant_id: str) -> TenantContext:
    # Built from the event, not resolved from a token: the learning context recorded the event for this
    # tenant inside the tenant's own partition, and a suspended tenant's completions still count.
    return TenantContext(tenant_id=tenant_id, user_id=LEARNING_ACTOR, roles=frozenset())


def on_course_completed(platform: Platform, event: Mapping[str, Any]) -> None:
    """Mark the learner's enrollment completed when a ``CourseCompleted`` event arrives; other events pass."""
    if event.get("type") != COURSE_COMPLETED:
        return
    completed = CourseCompletedEvent.model_validate(event)
    ctx = _system_context(completed.tenantId)
    try:
        service.mark_completed(platform, ctx, completed.userId, completed.courseId, completed.version, completed.at)
    except NotFound:
        # The enrollment is gone (the tenant's data was deleted): no delivery can succeed, so settle the message.
        log.warning(
            "course completed without an enrollment; ignored",
            extra={"tenantId": completed.tenantId, "eventId": completed.id, "courseId": completed.courseId},
        )


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event message of the enrollment subscription and handle it."""
    on_course_completed(platform, message.json())
