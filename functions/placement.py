"""The change feeds of dedicated databases, on a timer: a Cosmos DB trigger binds to one database,
and those of learning, assessment, enrollment and discovery watch the shared one.

Every ten seconds, each dedicated database of ``LMS_COSMOS_PLACEMENT`` has its feeds followed by the
same handlers those triggers call (shared/placement.py); with no tenant placed, a run does nothing.
A run that fails raises; the next one resumes every feed from its checkpoint, and the handlers are
idempotent, so a change handled twice changes nothing twice. Timer functions run on one instance at
a time, and a checkpoint is written over its ETag, so two runs never race on one feed.
"""

from __future__ import annotations

import azure.functions as func

from shared.bootstrap import default_platform
from shared.placement import follow_placed_feeds

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


# No schedule monitor: a run missed while the app was down is made up by the next one, ten seconds on.
@bp.timer_trigger(arg_name="timer", schedule="*/10 * * * * *", run_on_startup=False, use_monitor=False)
def follow_dedicated_database_feeds(timer: func.TimerRequest) -> None:
    """Relay the events and index the courses of the tenants placed in dedicated databases."""
    follow_placed_feeds(default_platform())
