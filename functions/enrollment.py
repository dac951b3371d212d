"""Enrollment's triggers: its subscription of the events topic marks enrollments completed, and the
change feed of the enrollments container relays the EnrollmentCreated events of their outboxes.

The completion handler is learning's (``shared/learning/handlers.py``: the producer of CourseCompleted
calls enrollment's ``mark_completed``, so enrollment imports nothing from learning); it still reads
enrollment's own subscription, so the binding here is as it was.

A message that fails raises, so Service Bus delivers it again and dead-letters it after the
subscription's maximum delivery count; the handler is idempotent, so redeliveries are harmless.
A change-feed batch that fails is retried (with backoff, without a limit) before the lease moves on,
since a skipped change could hold the only version an event is relayed from; republishing is
harmless (message ids are event ids).
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE, SERVICEBUS_CONNECTION
from shared.bootstrap import default_platform
from shared.enrollment.model import ENROLLMENTS
from shared.enrollment.relay import ENROLLMENTS_FEED, relay_enrollment_changes
from shared.learning.handlers import ENROLLMENT_SUBSCRIPTION, on_course_completed
from shared.platform.topology import EVENTS_TOPIC, LEASES

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.service_bus_topic_trigger(
    arg_name="message",
    topic_name=EVENTS_TOPIC,
    subscription_name=ENROLLMENT_SUBSCRIPTION,
    connection=SERVICEBUS_CONNECTION,
)
def record_course_completion(message: func.ServiceBusMessage) -> None:
    """Decode an event of the enrollment subscription and let enrollment react to it."""
    on_course_completed(default_platform(), json.loads(message.get_body()))


# -1: retry until it succeeds; the backoff grows from seconds to a quarter of an hour while the bus is down.
@bp.retry("exponential_backoff", "-1", minimum_interval="00:00:05", maximum_interval="00:15:00")
@bp.cosmos_db_trigger(
    arg_name="changes",
    connection=COSMOS_CONNECTION,
    database_name=COSMOS_DATABASE,
    container_name=ENROLLMENTS,
    lease_container_name=LEASES,
    create_lease_container_if_not_exists=False,
    lease_container_prefix=f"{ENROLLMENTS_FEED}-",
)
def relay_enrollment_events(changes: func.DocumentList) -> None:
    """Publish the outbox events of a batch of changed enrollments; a failure fails the batch."""
    relay_enrollment_changes(default_platform(), (change.to_dict() for change in changes))
