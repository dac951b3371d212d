"""Assessment's triggers: every minute, grade the open attempts whose deadline has passed; and
relay the QuizGraded events of changed attempts from the change feed to the events topic.

A learner who runs out of time and never comes back still gets a grade (from the answers they
saved) and the completion policy still hears of it. A run that fails raises; the next run picks
up whatever is still open, since the sweep only ever queries what is still due.
"""

from __future__ import annotations

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE
from shared.assessment.handlers import ATTEMPTS_FEED, relay_attempt_changes
from shared.assessment.model import ATTEMPTS
from shared.assessment.service import sweep_expired_attempts
from shared.bootstrap import default_platform
from shared.platform.topology import LEASES

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.timer_trigger(arg_name="timer", schedule="0 * * * * *", run_on_startup=False, use_monitor=True)
def grade_expired_attempts(timer: func.TimerRequest) -> None:
    """Grade, as they stand, the attempts of every tenant that ran out of time."""
    sweep_expired_attempts(default_platform())


# -1: retry until it succeeds (a skipped batch could hold the only version a grade event is relayed from).
@bp.retry("exponential_backoff", "-1", minimum_interval="00:00:05", maximum_interval="00:15:00")
@bp.cosmos_db_trigger(
    arg_name="changes",
    connection=COSMOS_CONNECTION,
    database_name=COSMOS_DATABASE,
    container_name=ATTEMPTS,
    lease_container_name=LEASES,
    create_lease_container_if_not_exists=False,
    lease_container_prefix=f"{ATTEMPTS_FEED}-",
)
def relay_attempt_events(changes: func.DocumentList) -> None:
    """Publish the outbox events of a batch of changed attempts; a failure fails the batch."""
    relay_attempt_changes(default_platform(), (change.to_dict() for change in changes))
