"""Notifications' trigger: its subscription of the events topic tells learners their quiz grades.

A message that fails raises, so Service Bus delivers it again and dead-letters it after the
subscription's maximum delivery count; a notification's id comes from the event id, so
redeliveries notify once.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import SERVICEBUS_CONNECTION
from shared.assessment.handlers import NOTIFICATIONS_SUBSCRIPTION, on_event
from shared.bootstrap import default_platform
from shared.platform.topology import EVENTS_TOPIC

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.service_bus_topic_trigger(
    arg_name="message",
    topic_name=EVENTS_TOPIC,
    subscription_name=NOTIFICATIONS_SUBSCRIPTION,
    connection=SERVICEBUS_CONNECTION,
)
def notify_of_event(message: func.ServiceBusMessage) -> None:
    """Decode an event of the notifications subscription and notify the user it concerns."""
    on_event(default_platform(), json.loads(message.get_body()))
