"""Completion events travel from progress documents' outboxes to the bus and into enrollment.

The progress documents are written here as the learning context writes them (state and outbox in one
write, ``writeSeq`` counting writes), so these tests hold the relay and the enrollment consumer to their
promises on their own: every event reaches the bus once, however often the relay sees a document and
across a relay crash, and a completion marks the enrollment completed once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from azure.functions.servicebus import ServiceBusMessage
from fastapi.testclient import TestClient

from functions import enrollment as enrollment_trigger
from functions import learning as learning_trigger
from shared.errors import NotFound
from shared.learning.events import COURSE_COMPLETED, LESSON_COMPLETED, PROGRESS
from shared.learning.handlers import ENROLLMENT_EVENTS
from shared.learning.handlers import on_enrollment_event_message as on_event_message
from shared.learning.relay import progress_relay
from shared.platform.bus import DEAD_LETTER_SUFFIX, ReceivedMessage, subscription_path
from shared.platform.clock import ManualClock
from shared.platform.documents import Document
from shared.platform.events import event_message
from shared.platform.outbox import OutboxRelay
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.platform.topology import CERTIFICATES_QUEUE, EVENTS_TOPIC
from shared.roles import Role
from shared.worker import BusConsumer, ChangeFeedFollower, LocalWorker, default_jobs
from tests.conftest import WITNESS_SUBSCRIPTION, TenantHandle, witnessed_platform
from tests.factories import published_course

# No consumer reads this subscription and no filter narrows it: it shows everything the topic received.
WITNESS = subscription_path(EVENTS_TOPIC, WITNESS_SUBSCRIPTION)


@pytest.fixture
def platform(tmp_path: Path, clock: ManualClock) -> Platform:
    return witnessed_platform(tmp_path / "data", clock)


RELAY_NAME = "test-progress-relay"


@dataclass
class ProgressWriter:
    """Writes one learner's progress document the way the learning context does."""

    platform: Platform
    tenant_id: str
    course_id: str
    user_id: str
    recorded: list[dict[str, Any]] = field(default_factory=list)

    def _docs(self) -> DictDocuments:
        ctx = TenantContext(tenant_id=self.tenant_id, user_id=self.user_id, roles=frozenset({Role.LEARNER}))
        return DictDocuments(self.platform.documents, PROGRESS, ctx)

    def _event(self, kind: str, seq: int, lesson: str | None) -> dict[str, Any]:
        event = {
            "id": f"{kind}.{self.tenant_id}.{self.course_id}.{self.user_id}.1.{lesson or ''}",
            "type": kind,
            "at": self.platform.clock.now().isoformat(),
            "seq": seq,
            "tenantId": self.tenant_id,
            "userId": self.user_id,
            "courseId": self.course_id,
            "version": 1,
            "manual": False,
        }
        return {**event, "lessonId": lesson} if lesson else event

    def write(self, *completed_lessons: str, course_completed: bool = False) -> Document:
        """One write of the document: new watch progress, and the events it records, if any."""
        docs, doc_id = self._docs(), f"{self.course_id}:{self.user_id}"
        try:
            current: Document | None = docs.read(doc_id)
        except NotFound:
            current = None
        seq = (current["writeSeq"] if current else 0) + 1
        events = [self._event(LESSON_COMPLETED, seq, lesson) for lesson in completed_lessons]
        events += [self._event(COURSE_COMPLETED, seq, None)] if course_completed else []
        self.recorded += events
        doc = {
            "id": doc_id,
            "userId": self.user_id,
            "courseId": self.course_id,
            "watchedSeconds": seq * 30,
            "writeSeq": seq,
            "outbox": [*(current["outbox"] if current else []), *events],
        }
        if current is None:
            return docs.create(doc)
        return docs.replace(doc, if_match=current["_etag"])


def enrolled_learner(client: TestClient, platform: Platform, tenant: TenantHandle, user: str) -> ProgressWriter:
    course = published_course(client, tenant)
    enrolled = client.post(f"/api/v1/courses/{course['id']}/enrollments", headers=tenant.as_(Role.LEARNER, user))
    assert enrolled.status_code == 201, enrolled.text
    return ProgressWriter(platform, tenant.id, course["id"], user)


def enrollment_of(platform: Platform, writer: ProgressWriter) -> Document:
    return platform.documents.read("enrollments", writer.tenant_id, f"{writer.course_id}:{writer.user_id}")


def drain(platform: Platform, entity: str) -> list[ReceivedMessage]:
    """Every message waiting on ``entity``, settled."""
    received: list[ReceivedMessage] = []
    while batch := platform.bus.receive(entity, max_messages=100):
        for message in batch:
            platform.bus.complete(message)
        received += batch
    return received


def relay_jobs(relay: OutboxRelay) -> list[ChangeFeedFollower | BusConsumer]:
    """The relay and the enrollment consumer, as one worker process runs them."""
    return [
        ChangeFeedFollower(RELAY_NAME, PROGRESS, relay, page_size=2),
        BusConsumer("enrollment-events", ENROLLMENT_EVENTS, on_event_message),
    ]


def test_a_course_completed_on_the_embedded_profile_completes_the_enrollment(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    lea = enrolled_learner(client, platform, tenant, "lea")
    lea.write("intro")
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert enrollment_of(platform, lea)["status"] == "active"  # a lesson is not the course
    lea.write("reading", course_completed=True)
    LocalWorker(platform, default_jobs()).run_until_idle()
    mine = client.get("/api/v1/me/enrollments", headers=tenant.as_(Role.LEARNER, "lea")).json()["items"]
    assert [(e["courseId"], e["status"], e["completedVersion"]) for e in mine] == [(lea.course_id, "completed", 1)]


def test_every_event_arrives_once_however_often_the_relay_sees_a_document_and_across_a_relay_crash(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    learners = [enrolled_learner(client, platform, tenant, name) for name in ("ann", "bob", "cid")]
    relay = progress_relay()
    for writer in learners:
        writer.write("intro")
    LocalWorker(platform, relay_jobs(relay)).run_until_idle()
    for writer in learners:
        writer.write()  # watch progress only: the outbox still holds the first event
        writer.write("reading")
        writer.write(course_completed=True)
        relay(platform, writer.write())  # the relay also sees a version the feed will deliver again
    crashing = progress_relay()

    def crash_after_one(platform: Platform, doc: Document) -> None:
        crashing(platform, doc)
        raise SystemExit("the relay process died after publishing, before its checkpoint")

    with pytest.raises(SystemExit):
        ChangeFeedFollower(RELAY_NAME, PROGRESS, crash_after_one, page_size=2).run_once(platform)
    LocalWorker(platform, relay_jobs(progress_relay())).run_until_idle()  # a new process, resuming from the checkpoint

    expected = sorted(e["id"] for writer in learners for e in writer.recorded)
    assert sorted(m.message_id for m in drain(platform, WITNESS)) == expected
    completions = sorted(e["id"] for writer in learners for e in writer.recorded if e["type"] == COURSE_COMPLETED)
    assert sorted(m.message_id for m in drain(platform, CERTIFICATES_QUEUE)) == completions
    assert [enrollment_of(platform, w)["status"] for w in learners] == ["completed"] * 3


def test_steady_progress_writes_do_not_republish_old_events_once_the_bus_would_take_them_again(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    lea = enrolled_learner(client, platform, tenant, "lea")
    worker = LocalWorker(platform, relay_jobs(progress_relay()))
    lea.write("intro")
    worker.run_until_idle()
    for completed in ([], ["reading"], [], []):
        clock.advance(15 * 60)  # past the bus's duplicate window: only the relay's memory keeps repeats out
        lea.write(*completed)
        worker.run_until_idle()
    assert [m.message_id for m in drain(platform, WITNESS)] == [e["id"] for e in lea.recorded]


def test_a_completion_republished_after_the_duplicate_window_leaves_the_enrollment_as_it_was(
    client: TestClient, make_tenant, platform: Platform, clock: ManualClock
) -> None:
    tenant = make_tenant()
    lea = enrolled_learner(client, platform, tenant, "lea")
    lea.write("intro", "reading", course_completed=True)
    LocalWorker(platform, relay_jobs(progress_relay())).run_until_idle()
    completed = enrollment_of(platform, lea)
    clock.advance(3600)  # an hour later the bus no longer drops the repeat
    lea.write()  # more watching; the outbox still holds the completion
    LocalWorker(platform, relay_jobs(progress_relay())).run_until_idle()  # restarted, the relay republishes it all
    assert [m.subject for m in drain(platform, WITNESS)].count(COURSE_COMPLETED) == 2
    assert enrollment_of(platform, lea) == completed
    assert completed["completedAt"] == lea.recorded[-1]["at"]


def test_a_completion_whose_enrollment_is_gone_is_settled_not_retried(platform: Platform) -> None:
    orphan = {
        "id": "gone-1",
        "type": COURSE_COMPLETED,
        "at": platform.clock.now().isoformat(),
        "tenantId": "deleted-tenant",
        "userId": "lea",
        "courseId": "c1",
        "version": 1,
    }
    platform.bus.send(EVENTS_TOPIC, [event_message(orphan)])
    handled = LocalWorker(platform, [BusConsumer("enrollment-events", ENROLLMENT_EVENTS, on_event_message)])
    assert handled.run_until_idle() == 1
    assert platform.bus.receive(ENROLLMENT_EVENTS + DEAD_LETTER_SUFFIX) == []


def test_a_malformed_completion_is_retried_and_then_dead_lettered(platform: Platform) -> None:
    malformed = {"id": "bad-1", "type": COURSE_COMPLETED, "tenantId": "t1", "courseId": "c1"}
    platform.bus.send(EVENTS_TOPIC, [event_message(malformed)])
    worker = LocalWorker(platform, [BusConsumer("enrollment-events", ENROLLMENT_EVENTS, on_event_message)])
    for _ in range(12):  # more rounds than the subscription's max delivery count
        worker.run_until_idle()
    dead = platform.bus.receive(ENROLLMENT_EVENTS + DEAD_LETTER_SUFFIX)
    assert [(m.message_id, m.dead_letter_reason) for m in dead] == [("bad-1", "MaxDeliveryCountExceeded")]


def function_of(blueprint: func.Blueprint, trigger_type: str, subscription: str | None = None) -> Any:
    app = func.FunctionApp()
    app.register_functions(blueprint)
    (function,) = [
        f
        for f in app.get_functions()
        if f.get_trigger().get_dict_repr()["type"] == trigger_type
        and subscription in (None, f.get_trigger().get_dict_repr().get("subscriptionName"))
    ]
    return function.get_user_function()


def as_trigger_message(message: ReceivedMessage) -> func.ServiceBusMessage:
    """A received message as the Functions host hands it to a Service Bus trigger."""
    return ServiceBusMessage(
        body=message.body,
        message_id=message.message_id,
        subject=message.subject,
        application_properties=dict(message.properties),
        user_properties=dict(message.properties),
        delivery_count=message.delivery_count,
        enqueued_time_utc=message.enqueued_at,
    )


def test_the_azure_triggers_relay_a_batch_of_changes_and_complete_the_enrollment(
    client: TestClient, make_tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    lea = enrolled_learner(client, platform, tenant, "lea")
    lea.write("intro")
    lea.write("reading", course_completed=True)
    # The triggers' bodies, as the Functions host calls them, with this test's platform as the composition root.
    monkeypatch.setattr(learning_trigger, "default_platform", lambda: platform)
    monkeypatch.setattr(enrollment_trigger, "default_platform", lambda: platform)
    changes = platform.documents.read_changes(PROGRESS, None).items
    batch = func.DocumentList([func.Document.from_dict(doc) for doc in changes])
    function_of(learning_trigger.bp, "cosmosDBTrigger")(batch)
    function_of(learning_trigger.bp, "cosmosDBTrigger")(batch)  # the host retries a batch that timed out
    messages = drain(platform, ENROLLMENT_EVENTS)
    # The enrollment subscription is filtered to what its consumer handles: the completion only.
    assert sorted(m.message_id for m in messages) == sorted(
        e["id"] for e in lea.recorded if e["type"] == COURSE_COMPLETED
    )
    # The enrollment subscription's trigger is learning's (shared/learning/handlers.py says why).
    record_completion = function_of(learning_trigger.bp, "serviceBusTrigger", "enrollment")
    for message in messages:
        record_completion(as_trigger_message(message))
    completed = enrollment_of(platform, lea)
    assert (completed["status"], completed["completedVersion"]) == ("completed", 1)
    assert datetime.fromisoformat(completed["completedAt"]) == datetime.fromisoformat(lea.recorded[-1]["at"])
    assert json.loads(messages[-1].body)["courseId"] == lea.course_id
