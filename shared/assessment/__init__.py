"""Assessment: question banks, quiz settings, server-side attempts and their grading."""

from shared.assessment.api import router
from shared.assessment.handlers import (
    ATTEMPTS_FEED,
    HANDLERS,
    NOTIFICATIONS_EVENTS,
    on_event_message,
    relay_attempt_change,
)
from shared.assessment.model import ATTEMPTS, ATTEMPTS_CONTAINER, BANKS_CONTAINER
from shared.assessment.service import PERSONAL_DATA, sweep_expired_attempts
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer, ChangeFeedFollower, Upkeep

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (Upkeep("grade-expired-attempts", sweep_expired_attempts),)


SPEC = ContextSpec(
    "assessment",
    router=router,
    containers=(BANKS_CONTAINER, ATTEMPTS_CONTAINER),
    # A graded quiz tells its learner (see shared/assessment/handlers.py for why it is here).
    consumers=(BusConsumer("notification-events", NOTIFICATIONS_EVENTS, on_event_message, events=HANDLERS),),
    feeds=(ChangeFeedFollower(ATTEMPTS_FEED, ATTEMPTS, relay_attempt_change),),
    upkeep=_upkeep,
    triggers=("functions.assessment", "functions.notifications"),
    personal_data=PERSONAL_DATA,
)
