"""K-12: events carry ids, never a learner's name or email. A learner of a K-12 tenant enrolls, watches,
reads, passes a quiz and completes the course with the local worker running every job; every event the
topic received says who it is about by user id alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.platform.bus import ReceivedMessage, subscription_path
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.topology import EVENTS_TOPIC
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import WITNESS_SUBSCRIPTION, witnessed_platform
from tests.factories import choice_question, question_bank, quiz_course

# Read by no consumer and narrowed by no filter: everything the events topic received.
WITNESS = subscription_path(EVENTS_TOPIC, WITNESS_SUBSCRIPTION)


@pytest.fixture
def platform(tmp_path: Path, clock: ManualClock) -> Platform:
    return witnessed_platform(tmp_path / "data", clock)


NAME, EMAIL = "Juniper Quillfeather", "juniper.quillfeather@pupils.example.org"


def drain(platform: Platform, entity: str) -> list[ReceivedMessage]:
    received: list[ReceivedMessage] = []
    while batch := platform.bus.receive(entity, max_messages=100):
        for message in batch:
            platform.bus.complete(message)
        received += batch
    return received


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_no_event_of_a_k12_learners_course_names_them_or_gives_their_email(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    tenant = make_tenant(k12=True)
    pupil = make_user(tenant, displayName=NAME, email=EMAIL)["id"]
    bank, _ = question_bank(client, tenant, choice_question(1))
    course = quiz_course(client, tenant, bank)["id"]
    learner = tenant.as_(Role.LEARNER, pupil)
    ok(client.post(f"/api/v1/courses/{course}/enrollments", json={}, headers=learner))
    watch = {"type": "watch", "courseId": course, "lessonId": "intro", "from": 0, "to": 120}
    ok(client.post("/api/v1/progress", json={"batchId": "k12-1", "events": [watch]}, headers=learner))
    attempt = ok(client.post(f"/api/v1/courses/{course}/lessons/final-quiz/attempts", headers=learner))
    answers = {"answers": {attempt["items"][0]["questionId"]: "a"}}
    ok(client.put(f"/api/v1/attempts/{attempt['id']}/answers", json=answers, headers=learner))
    ok(client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=learner))
    LocalWorker(platform, default_jobs()).run_until_idle()

    progress = ok(client.get(f"/api/v1/me/courses/{course}/progress", headers=learner))
    assert progress["state"] == "completed"  # the quiz's grade came back through the bus
    events = [json.loads(m.body) for m in drain(platform, WITNESS)]
    kinds = {e["type"] for e in events}
    assert {"EnrollmentCreated", "LessonCompleted", "QuizGraded", "CourseCompleted"} <= kinds
    assert all(e["userId"] == pupil for e in events)
    for text in (json.dumps(e).lower() for e in events):
        assert "juniper" not in text and "quillfeather" not in text and "pupils.example.org" not in text
