"""A graded quiz reaches the learning context as a ``QuizGraded`` event on its subscription,
and counts toward the completion policy: passing the course's only required lesson completes
the course (and records CourseCompleted), while a repeat or a late failure changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.bootstrap import Platform
from shared.learning.events import PROGRESS
from shared.learning.handlers import QUIZ_GRADED
from shared.platform.bus import OutgoingMessage
from shared.platform.tenancy import TenantContext, TenantDocuments
from shared.platform.topology import EVENTS_TOPIC
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.factories import published_course

QUIZ = {"id": "final", "title": "Final quiz", "kind": "quiz"}


def graded(tenant: str, course: str, *, passed: bool, attempt: str) -> OutgoingMessage:
    event: dict[str, Any] = {
        "id": f"quiz-graded-{attempt}",
        "type": QUIZ_GRADED,
        "tenantId": tenant,
        "userId": "learner-1",
        "courseId": course,
        "version": 1,
        "lessonId": "final",
        "attemptId": attempt,
        "passed": passed,
        "score": 90.0 if passed else 20.0,
    }
    return OutgoingMessage.of_json(event, message_id=event["id"], subject=QUIZ_GRADED)


def test_a_passed_quiz_completes_the_course_once(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, lessons=[QUIZ])["id"]
    learner = tenant.as_(Role.LEARNER, "learner-1")
    assert client.post(f"/api/v1/courses/{course}/enrollments", json={}, headers=learner).status_code == 201
    worker = LocalWorker(platform, default_jobs())

    platform.bus.send(EVENTS_TOPIC, [graded(tenant.id, course, passed=False, attempt="a1")])
    worker.run_until_idle()
    view = client.get(f"/api/v1/me/courses/{course}/progress", headers=learner).json()
    assert (view["state"], view["missing"]) == ("in_progress", ["final"])

    platform.bus.send(EVENTS_TOPIC, [graded(tenant.id, course, passed=True, attempt="a2")])
    worker.run_until_idle()
    platform.bus.send(EVENTS_TOPIC, [graded(tenant.id, course, passed=False, attempt="a3")])  # later, failed
    worker.run_until_idle()
    view = client.get(f"/api/v1/me/courses/{course}/progress", headers=learner).json()
    assert (view["state"], view["missing"]) == ("completed", [])
    ctx = TenantContext(tenant_id=tenant.id, user_id="test", roles=frozenset())
    outbox = TenantDocuments(platform.documents, PROGRESS, ctx).read(f"{course}:learner-1")["outbox"]
    assert [e["type"] for e in outbox].count("CourseCompleted") == 1
    enrollment = client.get("/api/v1/me/enrollments", headers=learner).json()["items"][0]
    assert enrollment["status"] == "completed"  # the relay and enrollment's consumer ran in the same worker
