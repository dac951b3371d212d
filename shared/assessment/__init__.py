"""Assessment: question banks, quiz settings, server-side attempts and their grading."""

from shared.assessment.api import router
from shared.assessment.handlers import (
    ATTEMPT_DEADLINES_QUEUE,
    ATTEMPTS_FEED,
    HANDLERS,
    NOTIFICATIONS_EVENTS,
    on_deadline_message,
    on_event_message,
    relay_attempt_change,
)
from shared.assessment.model import ATTEMPTS, ATTEMPTS_CONTAINER, BANKS_CONTAINER
from shared.assessment.service import PERSONAL_DATA, sweep_expired_attempts
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer, ChangeFeedFollower, Periodically, Upkeep

# Attempts are graded at their deadline by a scheduled message each; this sweep is the safety net.
SWEEP_EVERY_SECONDS = 24 * 3600

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (Upkeep("grade-expired-attempts", Periodically(SWEEP_EVERY_SECONDS, sweep_expired_attempts)),)


SPEC = ContextSpec(
    "assessment",
    router=router,
    containers=(BANKS_CONTAINER, ATTEMPTS_CONTAINER),
    # A graded quiz tells its learner (see shared/assessment/handlers.py for why it is here).
    consumers=(
        BusConsumer("notification-events", NOTIFICATIONS_EVENTS, on_event_message, events=HANDLERS),
        BusConsumer("attempt-deadlines", ATTEMPT_DEADLINES_QUEUE, on_deadline_message),
    ),
    feeds=(ChangeFeedFollower(ATTEMPTS_FEED, ATTEMPTS, relay_attempt_change),),
    upkeep=_upkeep,
    triggers=("functions.assessment", "functions.notifications"),
    personal_data=PERSONAL_DATA,
)
