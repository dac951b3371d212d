"""Assessment's handlers: its outbox relay, and the learner's notice of a graded quiz.

The outbox relay: the ``QuizGraded`` events recorded in attempt documents go to the
``events`` topic from the change feed of ``attempts`` (the local worker's follower, the Cosmos DB
trigger of ``functions/assessment.py`` in Azure). The learning context counts them from its own
subscription. The relay is the platform's (``shared/platform/outbox.py``), with its own memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.assessment.events import QuizGraded
from shared.assessment.grading import SWEEPER, close_if_expired
from shared.assessment.model import ATTEMPTS
from shared.catalog import service as catalog
from shared.errors import NotFound
from shared.notifications.service import notify
from shared.platform.bus import OutgoingMessage, ReceivedMessage, subscription_path
from shared.platform.events import EventHandlers
from shared.platform.outbox import OutboxRelay, RelayedWrites
from shared.platform.poison import handle_changes
from shared.platform.runtime import Platform
from shared.platform.stored import to_document
from shared.platform.tenancy import TenantContext, system_context
from shared.platform.topology import ATTEMPT_DEADLINES_QUEUE, EVENTS_TOPIC

__all__ = [
    "ATTEMPTS_FEED",
    "ATTEMPT_DEADLINES_QUEUE",
    "HANDLERS",
    "NOTIFICATIONS_EVENTS",
    "NOTIFICATIONS_SUBSCRIPTION",
    "on_deadline",
    "on_deadline_message",
    "on_event",
    "on_event_message",
    "relay_attempt_change",
    "relay_attempt_changes",
    "schedule_deadline",
]

log = logging.getLogger("lms.assessment")

# This reader of the attempts feed: the local follower's checkpoint and the trigger's lease prefix.
ATTEMPTS_FEED = "assessment-outbox-relay"

_relay = OutboxRelay(ATTEMPTS_FEED)


def relay_attempt_change(platform: Platform, doc: Mapping[str, Any]) -> None:
    """Publish the not yet relayed events of one changed attempt document, and schedule its deadline."""
    _relay(platform, doc)
    schedule_deadline(platform, doc)


def _relay_batch(platform: Platform, docs: list[Mapping[str, Any]]) -> None:
    _relay.relay_batch(platform, docs)
    for doc in docs:
        schedule_deadline(platform, doc)


def relay_attempt_changes(platform: Platform, docs: Iterable[Mapping[str, Any]]) -> int:
    """Publish the new events of a batch of changed attempts and schedule their deadlines; return how
    many documents were read."""
    return handle_changes(platform, ATTEMPTS_FEED, ATTEMPTS, docs, each=relay_attempt_change, batch=_relay_batch)


# --- deadlines -------------------------------------------------------------------------------------
# A timed attempt is graded at its deadline, as it stands, even if its learner never comes back: its
# first change the feed delivers schedules one message for the deadline (plus a little grace) on the
# attempt-deadlines queue, whose consumer grades it then. No query polls for attempts that ran out of
# time; a daily sweep remains as the safety net for a message that never came.

DEADLINE_GRACE = timedelta(seconds=2)
# The attempts this process scheduled (each attempt's deadline once): later changes of an attempt,
# such as its saved answers, schedule nothing again. After a restart a message may be scheduled once
# more; its id (attempt and deadline) lets the bus drop it within its window, and grading is idempotent.
_scheduled = RelayedWrites()


def schedule_deadline(platform: Platform, doc: Mapping[str, Any], *, again: bool = False) -> None:
    """Schedule the deadline of an open, timed attempt, once (``again``: once more, under a new id)."""
    deadline = doc.get("deadline")
    if doc.get("type") != "attempt" or doc.get("status") != "open" or not isinstance(deadline, str):
        return
    key = (str(doc.get("tenantId")), str(doc.get("id")))
    due = datetime.fromisoformat(deadline)
    if not again and _scheduled.get(key) == int(due.timestamp()):
        return
    body = {"tenantId": key[0], "attemptId": key[1], "deadline": deadline}
    message_id = f"deadline-{key[0]}-{key[1]}-{int(due.timestamp())}"
    if again:  # the bus would drop a second message under the first one's id
        message_id += f"-again-{int(platform.clock.now().timestamp())}"
    message = OutgoingMessage.of_json(body, message_id=message_id, scheduled_at=due + DEADLINE_GRACE)
    platform.bus.send(ATTEMPT_DEADLINES_QUEUE, [message])
    _scheduled.remember(key, int(due.timestamp()))


def on_deadline(platform: Platform, body: Mapping[str, Any]) -> None:
    """Grade the attempt as it stands if it ran out of time; an attempt still open with a later
    deadline (a clock behind, a deadline moved) is scheduled again; one that is gone (erased) is done."""
    tenant, attempt_id = body.get("tenantId"), body.get("attemptId")
    if not isinstance(tenant, str) or not isinstance(attempt_id, str):
        log.warning("a deadline message without its attempt; dropped", extra={"body": str(body)[:200]})
        return
    try:
        doc, _ = close_if_expired(platform, system_context(tenant, SWEEPER), attempt_id)
    except NotFound:
        return
    if doc.status == "open" and doc.deadline is not None:
        schedule_deadline(platform, to_document(doc), again=True)


def on_deadline_message(platform: Platform, message: ReceivedMessage) -> None:
    """The local worker's entry for the attempt-deadlines queue."""
    on_deadline(platform, message.json())


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
