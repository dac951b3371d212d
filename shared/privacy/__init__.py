"""Privacy: a user's personal data exported as one archive (GDPR), erased from every context, and each
tenant's retention of audit entries and activity detail enforced by a daily sweep."""

from shared.platform.contexts import ContextSpec
from shared.platform.jobs import Periodically, Upkeep
from shared.privacy.api import router
from shared.privacy.retention import SWEEP_EVERY_SECONDS, sweep_retention

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (Upkeep("retention-sweep", Periodically(SWEEP_EVERY_SECONDS, sweep_retention)),)


SPEC = ContextSpec("privacy", router=router, upkeep=_upkeep, triggers=("functions.retention",))
