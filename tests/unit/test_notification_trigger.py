"""The Azure trigger of notifications reads its own subscription of the events topic, which the
topology (and so the Bicep) provisions, and the local worker consumes the same subscription."""

from __future__ import annotations

import azure.functions as func

from functions import BLUEPRINTS, notifications
from functions._bindings import SERVICEBUS_CONNECTION
from shared.assessment.handlers import NOTIFICATIONS_EVENTS
from shared.platform.topology import BUS_TOPOLOGY, EVENTS_TOPIC
from shared.worker import bus_consumers


def test_notifications_read_their_own_subscription_of_the_events_topic() -> None:
    app = func.FunctionApp()
    app.register_functions(notifications.bp)
    [trigger] = [f.get_trigger().get_dict_repr() for f in app.get_functions()]
    assert (trigger["type"], trigger["topicName"], trigger["subscriptionName"]) == (
        "serviceBusTrigger",
        EVENTS_TOPIC,
        "notifications",
    )
    assert trigger["connection"] == SERVICEBUS_CONNECTION
    assert "notifications" in BUS_TOPOLOGY.topics[EVENTS_TOPIC]
    assert notifications.bp in BLUEPRINTS
    assert NOTIFICATIONS_EVENTS in {consumer.entity for consumer in bus_consumers()}
