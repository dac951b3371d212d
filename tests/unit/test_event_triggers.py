"""The Azure triggers of the completion flow: the outbox relay follows the progress container with leases
of its own and never skips a failed batch, and so does the enrollment relay on the enrollments container;
enrollment and reporting read their own subscriptions of the events topic."""

from __future__ import annotations

from typing import Any

import azure.functions as func

from functions import enrollment, learning, reporting
from functions._bindings import COSMOS_CONNECTION, COSMOS_DATABASE, SERVICEBUS_CONNECTION
from shared.enrollment.model import ENROLLMENTS
from shared.enrollment.relay import ENROLLMENTS_FEED
from shared.learning.events import PROGRESS
from shared.learning.relay import PROGRESS_FEED
from shared.platform.topology import BUS_TOPOLOGY, EVENTS_TOPIC, LEASES


def triggers_of(blueprint: func.Blueprint) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    app = func.FunctionApp()  # a new app each time: azure-functions lets get_functions() run once per app
    app.register_functions(blueprint)
    return [(f.get_trigger().get_dict_repr(), f.get_settings_dict("retry_policy")) for f in app.get_functions()]


def test_the_relay_follows_the_progress_container_and_retries_failed_batches_without_limit() -> None:
    [(trigger, retry)] = [t for t in triggers_of(learning.bp) if t[0]["type"] == "cosmosDBTrigger"]
    assert trigger["containerName"] == PROGRESS
    assert (trigger["leaseContainerName"], trigger["createLeaseContainerIfNotExists"]) == (LEASES, False)
    assert trigger["leaseContainerPrefix"] == f"{PROGRESS_FEED}-"
    assert (trigger["connection"], trigger["databaseName"]) == (COSMOS_CONNECTION, COSMOS_DATABASE)
    # Without a retry policy the host moves the lease past a failed batch and its events are never relayed.
    assert retry is not None
    assert retry["strategy"] == "exponential_backoff" and retry["max_retry_count"] == "-1"


def test_learning_reads_its_own_subscription_of_the_events_topic() -> None:
    [(trigger, _)] = [t for t in triggers_of(learning.bp) if t[0].get("subscriptionName") == "learning"]
    assert (trigger["topicName"], trigger["subscriptionName"]) == (EVENTS_TOPIC, "learning")
    assert trigger["connection"] == SERVICEBUS_CONNECTION
    assert "learning" in BUS_TOPOLOGY.topics[EVENTS_TOPIC]


def test_enrollment_reads_its_own_subscription_of_the_events_topic() -> None:
    # Learning's blueprint binds it: the reaction to CourseCompleted lives in learning (shared/learning/handlers.py).
    [(trigger, _)] = [t for t in triggers_of(learning.bp) if t[0].get("subscriptionName") == "enrollment"]
    assert (trigger["type"], trigger["topicName"], trigger["subscriptionName"]) == (
        "serviceBusTrigger",
        EVENTS_TOPIC,
        "enrollment",
    )
    assert trigger["connection"] == SERVICEBUS_CONNECTION
    assert "enrollment" in BUS_TOPOLOGY.topics[EVENTS_TOPIC]


def test_the_enrollment_relay_follows_the_enrollments_container_and_retries_failed_batches_without_limit() -> None:
    [(trigger, retry)] = [t for t in triggers_of(enrollment.bp) if t[0]["type"] == "cosmosDBTrigger"]
    assert trigger["containerName"] == ENROLLMENTS
    assert (trigger["leaseContainerName"], trigger["createLeaseContainerIfNotExists"]) == (LEASES, False)
    assert trigger["leaseContainerPrefix"] == f"{ENROLLMENTS_FEED}-" != f"{PROGRESS_FEED}-"
    assert (trigger["connection"], trigger["databaseName"]) == (COSMOS_CONNECTION, COSMOS_DATABASE)
    assert retry is not None
    assert retry["strategy"] == "exponential_backoff" and retry["max_retry_count"] == "-1"


def test_reporting_reads_its_own_subscription_of_the_events_topic() -> None:
    [(trigger, _)] = triggers_of(reporting.bp)
    assert (trigger["type"], trigger["topicName"], trigger["subscriptionName"]) == (
        "serviceBusTrigger",
        EVENTS_TOPIC,
        "reporting",
    )
    assert trigger["connection"] == SERVICEBUS_CONNECTION
    assert "reporting" in BUS_TOPOLOGY.topics[EVENTS_TOPIC]
