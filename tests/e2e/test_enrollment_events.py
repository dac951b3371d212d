"""EnrollmentCreated travels from the enrollment document's outbox to the events topic: once per new
enrollment, with the event id as the message id, carrying ids and never a name or an email."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func
import pytest
from fastapi.testclient import TestClient

from functions import enrollment as enrollment_trigger
from shared.enrollment.model import ENROLLMENTS
from shared.enrollment.relay import ENROLLMENTS_FEED
from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.outbox import OutboxRelay
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC
from shared.roles import Role
from shared.worker import ChangeFeedFollower, LocalWorker
from tests.factories import enroll, published_course

# Only the relay runs in these tests, so this subscription shows everything the topic received.
WITNESS = subscription_path(EVENTS_TOPIC, "reporting")
# eventVersion: every event body carries its contract version (shared.platform.events.Event).
EVENT_FIELDS = {"id", "type", "eventVersion", "tenantId", "userId", "courseId", "version", "source", "at", "seq"}


def drain(platform: Platform) -> list[ReceivedMessage]:
    received: list[ReceivedMessage] = []
    while batch := platform.bus.receive(WITNESS, max_messages=100):
        for message in batch:
            platform.bus.complete(message)
        received += batch
    return received


def relay(platform: Platform, relay: OutboxRelay | None = None) -> None:
    follower = ChangeFeedFollower("test-enrollment-relay", ENROLLMENTS, relay or OutboxRelay(ENROLLMENTS_FEED))
    LocalWorker(platform, [follower]).run_until_idle()


def test_a_new_enrollment_is_relayed_once_with_its_event_id_as_the_message_id(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    enroll(client, tenant, course["id"], "lea")
    process = OutboxRelay(ENROLLMENTS_FEED)
    relay(platform, process)
    enroll(client, tenant, course["id"], "lea")  # enrolling again changes nothing and records nothing
    relay(platform, process)
    [message] = drain(platform)
    event = json.loads(message.body)
    assert message.message_id == event["id"] and message.subject == "EnrollmentCreated"
    assert set(event) == EVENT_FIELDS
    assert (event["tenantId"], event["userId"], event["courseId"], event["version"]) == (
        tenant.id,
        "lea",
        course["id"],
        1,
    )
    assert (event["source"], event["seq"]) == ("self", 1)


def test_an_assigned_enrollment_event_names_the_learner_by_id_only(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    tenant = make_tenant()
    user = make_user(tenant, displayName="Quentin Rarename", email="quentin@school.example.com")
    course = published_course(client, tenant)["id"]
    assigned = client.post(
        f"/api/v1/courses/{course}/enrollments", json={"userId": user["id"]}, headers=tenant.as_(Role.INSTRUCTOR)
    )
    assert assigned.status_code == 201, assigned.text
    relay(platform)
    [message] = drain(platform)
    assert json.loads(message.body)["userId"] == user["id"]
    assert "Quentin" not in message.body.decode() and "quentin@" not in message.body.decode()


def test_enrolling_again_after_a_cancellation_is_a_new_event_and_a_status_change_is_none(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    enroll(client, tenant, course, "lea")
    process = OutboxRelay(ENROLLMENTS_FEED)
    relay(platform, process)
    cancelled = client.patch(
        f"/api/v1/courses/{course}/enrollments/lea",
        json={"status": "cancelled", "reason": "left the class"},
        headers=tenant.as_(Role.TENANT_ADMIN),
    )
    assert cancelled.status_code == 200, cancelled.text
    relay(platform, process)
    enroll(client, tenant, course, "lea")  # back on the current version
    relay(platform, process)
    events = [json.loads(m.body) for m in drain(platform)]
    assert [e["seq"] for e in events] == [1, 2]
    assert len({e["id"] for e in events}) == 2


def function_of(blueprint: func.Blueprint, trigger_type: str) -> Any:
    app = func.FunctionApp()
    app.register_functions(blueprint)
    (function,) = [f for f in app.get_functions() if f.get_trigger().get_dict_repr()["type"] == trigger_type]
    return function.get_user_function()


def test_the_azure_trigger_relays_a_batch_of_changed_enrollments_once_even_when_retried(
    client: TestClient, make_tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    for learner in ("ann", "bob"):
        enroll(client, tenant, course, learner)
    monkeypatch.setattr(enrollment_trigger, "default_platform", lambda: platform)
    changes = platform.documents.read_changes(ENROLLMENTS, None).items
    batch = func.DocumentList([func.Document.from_dict(doc) for doc in changes])
    function_of(enrollment_trigger.bp, "cosmosDBTrigger")(batch)
    function_of(enrollment_trigger.bp, "cosmosDBTrigger")(batch)  # the host retries a batch that timed out
    messages = drain(platform)
    ours = [json.loads(m.body) for m in messages if json.loads(m.body)["tenantId"] == tenant.id]
    assert sorted(e["userId"] for e in ours) == ["ann", "bob"]
    assert sorted(m.message_id for m in messages) == sorted({m.message_id for m in messages})
