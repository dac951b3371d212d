"""Learning activity: watch progress, completion, and the domain events they record."""

from shared.learning.api import router
from shared.learning.events import PROGRESS
from shared.learning.handlers import (
    COMPLETIONS,
    ENROLLMENT_EVENTS,
    GRADED_QUIZZES,
    LEARNING_EVENTS,
    on_enrollment_event_message,
    on_event_message,
)
from shared.learning.model import PROGRESS_CONTAINER
from shared.learning.relay import PROGRESS_FEED, relay_progress_change
from shared.learning.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer, ChangeFeedFollower

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "learning",
    router=router,
    containers=(PROGRESS_CONTAINER,),
    consumers=(
        BusConsumer("learning-events", LEARNING_EVENTS, on_event_message, events=GRADED_QUIZZES),
        # CourseCompleted completes the enrollment (see shared/learning/handlers.py for why it is here).
        BusConsumer("enrollment-events", ENROLLMENT_EVENTS, on_enrollment_event_message, events=COMPLETIONS),
    ),
    feeds=(ChangeFeedFollower(PROGRESS_FEED, PROGRESS, relay_progress_change),),
    triggers=("functions.learning",),
    personal_data=PERSONAL_DATA,
)
