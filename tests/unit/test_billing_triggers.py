"""Billing's Azure triggers read its own subscription of the events topic and run its two timers,
and the local worker does the same: a consumer of the subscription and two upkeep jobs."""

from __future__ import annotations

import azure.functions as func

from functions import BLUEPRINTS, billing
from functions._bindings import SERVICEBUS_CONNECTION
from shared.billing.handlers import BILLING_EVENTS
from shared.platform.topology import BUS_TOPOLOGY, EVENTS_TOPIC
from shared.worker import bus_consumers, default_jobs


def test_billing_meters_its_own_subscription_and_runs_a_storage_timer_but_no_flush_timer() -> None:
    app = func.FunctionApp()
    app.register_functions(billing.bp)
    triggers = {f.get_function_name(): f.get_trigger().get_dict_repr() for f in app.get_functions()}
    event = triggers["meter_event"]
    assert (event["type"], event["topicName"], event["subscriptionName"]) == (
        "serviceBusTrigger",
        EVENTS_TOPIC,
        "billing",
    )
    assert event["connection"] == SERVICEBUS_CONNECTION
    assert triggers["measure_tenant_storage"]["type"] == "timerTrigger"
    # Each process flushes its own meter (shared/billing/flusher.py); a timer would flush only its own instance.
    assert "flush_usage" not in triggers
    assert "billing" in BUS_TOPOLOGY.topics[EVENTS_TOPIC]
    assert billing.bp in BLUEPRINTS


def test_the_local_worker_consumes_the_billing_subscription_and_runs_billings_upkeep() -> None:
    assert BILLING_EVENTS in {consumer.entity for consumer in bus_consumers()}
    assert {"billing-meter-flush", "billing-storage"} <= {job.name for job in default_jobs()}
