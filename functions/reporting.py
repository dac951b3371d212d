"""Reporting's trigger: its subscription of the events topic keeps the courses' reports current.

A message that fails raises, so Service Bus delivers it again and dead-letters it after the
subscription's maximum delivery count; the handler applies an event by its sequence numbers, so a
redelivery changes nothing, and a change interrupted half-way is finished by the redelivery.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import SERVICEBUS_CONNECTION
from shared.bootstrap import default_platform
from shared.platform.topology import EVENTS_TOPIC
from shared.reporting.handlers import REPORTING_SUBSCRIPTION, on_event

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.service_bus_topic_trigger(
    arg_name="message",
    topic_name=EVENTS_TOPIC,
    subscription_name=REPORTING_SUBSCRIPTION,
    connection=SERVICEBUS_CONNECTION,
)
def update_course_report(message: func.ServiceBusMessage) -> None:
    """Decode an event of the reporting subscription and let it count in its course's report."""
    on_event(default_platform(), json.loads(message.get_body()))
