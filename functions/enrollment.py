"""Enrollment's trigger: its subscription of the events topic marks enrollments completed.

A message that fails raises, so Service Bus delivers it again and dead-letters it after the
subscription's maximum delivery count; the handler is idempotent, so redeliveries are harmless.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import SERVICEBUS_CONNECTION
from shared.bootstrap import default_platform
from shared.enrollment.handlers import ENROLLMENT_SUBSCRIPTION, on_course_completed
from shared.platform.topology import EVENTS_TOPIC

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
