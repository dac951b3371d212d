"""Learning's triggers: the change feed of the progress container drives the outbox relay, and
the learning subscription of the events topic lets graded quizzes count toward completion.

A batch that fails raises; the retry policy runs it again (with backoff, without a limit) before the
lease moves on, because a skipped change could hold the only version of a document a completion event
would be relayed from. Republishing is harmless (message ids are event ids), so retries are safe.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE, SERVICEBUS_CONNECTION
from shared.bootstrap import default_platform
from shared.learning.events import PROGRESS
from shared.learning.handlers import ENROLLMENT_SUBSCRIPTION, LEARNING_SUBSCRIPTION, on_course_completed, on_event
from shared.learning.relay import PROGRESS_FEED, relay_progress_changes
from shared.platform.topology import EVENTS_TOPIC, LEASES

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


# -1: retry until it succeeds; the backoff grows from seconds to a quarter of an hour while the bus is down.
@bp.retry("exponential_backoff", "-1", minimum_interval="00:00:05", maximum_interval="00:15:00")
@bp.cosmos_db_trigger(
    arg_name="changes",
    connection=COSMOS_CONNECTION,
    database_name=COSMOS_DATABASE,
    container_name=PROGRESS,
    lease_container_name=LEASES,
    # Bicep provisions the lease container; each reader of a feed keeps its own leases in it.
    create_lease_container_if_not_exists=False,
    lease_container_prefix=f"{PROGRESS_FEED}-",
)
def relay_progress_events(changes: func.DocumentList) -> None:
    """Publish the outbox events of a batch of changed progress documents; a failure fails the batch."""
    relay_progress_changes(default_platform(), (change.to_dict() for change in changes))


@bp.service_bus_topic_trigger(
    arg_name="message",
    topic_name=EVENTS_TOPIC,
    subscription_name=LEARNING_SUBSCRIPTION,
    connection=SERVICEBUS_CONNECTION,
)
def count_graded_quiz(message: func.ServiceBusMessage) -> None:
    """Decode an event of the learning subscription; a graded quiz counts toward completion."""
    on_event(default_platform(), json.loads(message.get_body()))


@bp.service_bus_topic_trigger(
    arg_name="message",
    topic_name=EVENTS_TOPIC,
    subscription_name=ENROLLMENT_SUBSCRIPTION,
    connection=SERVICEBUS_CONNECTION,
)
def record_course_completion(message: func.ServiceBusMessage) -> None:
    """Decode an event of the enrollment subscription and complete the learner's enrollment."""
    on_course_completed(default_platform(), json.loads(message.get_body()))
