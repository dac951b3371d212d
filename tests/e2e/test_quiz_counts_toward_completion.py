"""A graded quiz reaches the learning context as a ``QuizGraded`` event on its subscription,
and counts toward the completion policy: passing the course's only required lesson completes
the course (and records CourseCompleted), while a repeat or a late failure changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.assessment.events import QUIZ_GRADED
from shared.learning.events import PROGRESS
from shared.platform.bus import OutgoingMessage
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
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
        "at": "2030-01-01T00:00:00+00:00",
        "seq": 1,
        "userId": "learner-1",
        "courseId": course,
        "version": 1,
        "lessonId": "final",
        "attemptId": attempt,
        "passed": passed,
        "score": 90.0 if passed else 20.0,
    }
    return OutgoingMessage.of_json(event, message_id=event["id"], subject=QUIZ_GRADED, properties={"type": QUIZ_GRADED})


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
    outbox = DictDocuments(platform.documents, PROGRESS, ctx).read(f"{course}:learner-1")["outbox"]
    assert [e["type"] for e in outbox].count("CourseCompleted") == 1
    enrollment = client.get("/api/v1/me/enrollments", headers=learner).json()["items"][0]
    assert enrollment["status"] == "completed"  # the relay and enrollment's consumer ran in the same worker


def test_passing_a_quiz_through_the_api_completes_the_course_through_the_events(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    from tests.factories import QUIZ_LESSON, enroll, question_bank, quiz_course

    tenant = make_tenant()
    bank, _ = question_bank(client, tenant)
    course = quiz_course(client, tenant, bank, count=3, passMark=60)["id"]
    policy = {"watchRatio": 0.8, "requireQuizPass": True, "requiredLessons": [QUIZ_LESSON["id"]]}
    headers = tenant.as_(Role.INSTRUCTOR)
    assert client.put(f"/api/v1/courses/{course}/completion-policy", json=policy, headers=headers).status_code == 200
    enroll(client, tenant, course, "learner-1")
    learner = tenant.as_(Role.LEARNER, "learner-1")
    attempt = client.post(f"/api/v1/courses/{course}/lessons/{QUIZ_LESSON['id']}/attempts", headers=learner).json()
    answers = {item["questionId"]: "a" for item in attempt["items"]}
    assert client.put(
        f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=learner
    ).is_success
    graded = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=learner).json()
    assert graded["passed"] is True

    LocalWorker(platform, default_jobs()).run_until_idle()
    view = client.get(f"/api/v1/me/courses/{course}/progress", headers=learner).json()
    assert (view["state"], view["missing"]) == ("completed", [])
    enrollment = client.get("/api/v1/me/enrollments", headers=learner).json()["items"][0]
    assert enrollment["status"] == "completed"
