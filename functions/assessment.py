"""Assessment's triggers: relay the QuizGraded events of changed attempts from the change feed to
the events topic (and schedule each timed attempt's deadline on the attempt-deadlines queue); grade
an attempt when its deadline message comes; and once a day sweep for an open attempt whose deadline
passed without its message (the safety net; nothing polls every minute any more).

A learner who runs out of time and never comes back still gets a grade (from the answers they
saved) and the completion policy still hears of it. A deadline message that fails raises, so Service
Bus delivers it again; grading is idempotent.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE, SERVICEBUS_CONNECTION
from shared.assessment.handlers import ATTEMPT_DEADLINES_QUEUE, ATTEMPTS_FEED, on_deadline, relay_attempt_changes
from shared.assessment.model import ATTEMPTS
from shared.assessment.service import sweep_expired_attempts
from shared.bootstrap import default_platform
from shared.platform.topology import LEASES

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.service_bus_queue_trigger(arg_name="message", queue_name=ATTEMPT_DEADLINES_QUEUE, connection=SERVICEBUS_CONNECTION)
def grade_at_deadline(message: func.ServiceBusMessage) -> None:
    """Grade an attempt as it stands when its deadline message comes (scheduled at its start)."""
    on_deadline(default_platform(), json.loads(message.get_body()))


@bp.timer_trigger(arg_name="timer", schedule="0 30 3 * * *", run_on_startup=False, use_monitor=True)
def grade_expired_attempts(timer: func.TimerRequest) -> None:
    """The daily safety net: grade, as they stand, open attempts whose deadline message never came."""
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
