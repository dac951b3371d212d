"""Assessment's handlers: its outbox relay, and the learner's notice of a graded quiz.

The outbox relay: the ``QuizGraded`` events recorded in attempt documents go to the
``events`` topic from the change feed of ``attempts`` (the local worker's follower, the Cosmos DB
trigger of ``functions/assessment.py`` in Azure). The learning context counts them from its own
subscription. The relay is the platform's (``shared/platform/outbox.py``), with its own memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.assessment.events import QuizGraded
from shared.assessment.model import ATTEMPTS
from shared.catalog import service as catalog
from shared.errors import NotFound
from shared.notifications.service import notify
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.events import EventHandlers
from shared.platform.outbox import OutboxRelay
from shared.platform.poison import handle_changes
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext, system_context
from shared.platform.topology import EVENTS_TOPIC

__all__ = [
    "ATTEMPTS_FEED",
    "HANDLERS",
    "NOTIFICATIONS_EVENTS",
    "NOTIFICATIONS_SUBSCRIPTION",
    "on_event",
    "on_event_message",
    "relay_attempt_change",
    "relay_attempt_changes",
]

# This reader of the attempts feed: the local follower's checkpoint and the trigger's lease prefix.
ATTEMPTS_FEED = "assessment-outbox-relay"

_relay = OutboxRelay(ATTEMPTS_FEED)


def relay_attempt_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Publish the not yet relayed events of one changed attempt document."""
    _relay(platform, doc)


def relay_attempt_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Publish the new events of a batch of changed attempts; return how many documents were read."""
    return handle_changes(platform, ATTEMPTS_FEED, ATTEMPTS, docs, each=_relay, batch=_relay.relay_batch)


# --- the learner hears of their grade ------------------------------------------------------------
# QuizGraded reaches the ``notifications`` subscription, and this reaction calls the notifications
# context's ``notify``. It lives in assessment, not in notifications, because assessment already
# depends on notifications (through enrollment): were notifications to import assessment's event, the
# contexts would import each other in a circle. Each event notifies once (its id is the dedupe key).

NOTIFICATIONS_SUBSCRIPTION = "notifications"
NOTIFICATIONS_EVENTS = subscription_path(EVENTS_TOPIC, NOTIFICATIONS_SUBSCRIPTION)
NOTIFIER = "system:notifications"


def _course_title(platform: Platform, ctx: TenantContext, graded: QuizGraded) -> str | None:
    try:
        return catalog.course_version(platform, ctx, graded.courseId, graded.version).title
    except NotFound:
        return None  # the course is gone; the score is still news


def _quiz_graded(platform: Platform, graded: QuizGraded) -> None:
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


HANDLERS = EventHandlers().on(QuizGraded, _quiz_graded)


def on_event(platform: Platform, event: Mapping[str, Any]) -> None:
    """An event of the notifications subscription: a graded quiz tells its learner; other events pass."""
    HANDLERS.dispatch(platform, event)


def on_event_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry: decode an event of the notifications subscription and handle it."""
    on_event(platform, message.json())
