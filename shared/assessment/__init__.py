"""Assessment: question banks, quiz settings, server-side attempts and their grading."""

from shared.assessment.api import router
from shared.assessment.handlers import ATTEMPTS_FEED, relay_attempt_change
from shared.assessment.model import ATTEMPTS, ATTEMPTS_CONTAINER, BANKS_CONTAINER
from shared.assessment.service import PERSONAL_DATA, sweep_expired_attempts
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import ChangeFeedFollower, Upkeep

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (Upkeep("grade-expired-attempts", sweep_expired_attempts),)


SPEC = ContextSpec(
    "assessment",
    router=router,
    containers=(BANKS_CONTAINER, ATTEMPTS_CONTAINER),
    feeds=(ChangeFeedFollower(ATTEMPTS_FEED, ATTEMPTS, relay_attempt_change),),
    upkeep=_upkeep,
    triggers="functions.assessment",
    personal_data=PERSONAL_DATA,
)
