"""Billing's triggers: its subscription of the events topic meters enrollments, active learners and
transcoded video; a timer measures every tenant's storage once an hour. There is no flush timer: a
timer runs on one instance, which never served the others' requests; every process flushes its own
request meter in the background and when it stops (shared/billing/flusher.py).

A message that fails raises, so Service Bus delivers it again and dead-letters it after the
subscription's maximum delivery count; facts are counted under their event id (a learner once a
month), so redeliveries count once. A timer run that fails raises; the next run starts over.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import SERVICEBUS_CONNECTION
from shared.billing.handlers import BILLING_SUBSCRIPTION, on_event
from shared.billing.service import measure_storage
from shared.bootstrap import default_platform
from shared.platform.topology import EVENTS_TOPIC

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.service_bus_topic_trigger(
    arg_name="message",
    topic_name=EVENTS_TOPIC,
    subscription_name=BILLING_SUBSCRIPTION,
    connection=SERVICEBUS_CONNECTION,
)
def meter_event(message: func.ServiceBusMessage) -> None:
    """Decode an event of the billing subscription and meter the usage it tells of."""
    on_event(default_platform(), json.loads(message.get_body()))


@bp.timer_trigger(arg_name="timer", schedule="0 7 * * * *", run_on_startup=False, use_monitor=True)
def measure_tenant_storage(timer: func.TimerRequest) -> None:
    """Record every tenant's stored bytes (uploads, media, certificates) and the month's peak."""
    measure_storage(default_platform())
