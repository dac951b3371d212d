"""Factories that build valid catalog data through the API, for any test."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient

from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle

_numbers = itertools.count(1)


def outline(*lessons: dict[str, Any], module: str = "m1") -> dict[str, Any]:
    """One module holding ``lessons`` (a video and a text lesson if none are given)."""
    lessons = lessons or (
        {"id": "intro", "title": "Introduction", "kind": "video", "durationSeconds": 120},
        {"id": "reading", "title": "Reading notes", "kind": "text", "text": "Read me.", "prerequisites": ["intro"]},
    )
    return {"modules": [{"id": module, "title": "Module one", "lessons": list(lessons)}]}


def draft_course(client: TestClient, tenant: TenantHandle, **overrides: Any) -> dict[str, Any]:
    """A draft course with an outline, made by the tenant's instructor."""
    body = {"id": f"course-{next(_numbers)}", "title": "Course", **overrides}
    lessons = body.pop("lessons", None)
    headers = tenant.as_(Role.INSTRUCTOR)
    created = client.post("/api/v1/courses", json=body, headers=headers)
    assert created.status_code == 201, created.text
    course_id = created.json()["id"]
    given = outline(*lessons) if lessons else outline()
    response = client.put(f"/api/v1/courses/{course_id}/outline", json=given, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def published_course(client: TestClient, tenant: TenantHandle, **overrides: Any) -> dict[str, Any]:
    """A course with an outline, published as version 1."""
    course = draft_course(client, tenant, **overrides)
    published = client.post(f"/api/v1/courses/{course['id']}/publish", headers=tenant.as_(Role.INSTRUCTOR))
    assert published.status_code == 201, published.text
    return dict(published.json())


def published_path(client: TestClient, tenant: TenantHandle, **overrides: Any) -> dict[str, Any]:
    """A published learning path over two new published courses."""
    courses = [published_course(client, tenant)["id"] for _ in range(2)]
    body = {"id": f"path-{next(_numbers)}", "title": "Path", "courses": courses, **overrides}
    headers = tenant.as_(Role.INSTRUCTOR)
    created = client.post("/api/v1/paths", json=body, headers=headers)
    assert created.status_code == 201, created.text
    published = client.post(f"/api/v1/paths/{body['id']}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return dict(published.json())


QUIZ_LESSON = {"id": "final-quiz", "title": "Final quiz", "kind": "quiz"}


def choice_question(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A single choice question whose correct option is ``a``."""
    options = [{"id": "a", "text": f"Alpha {n}"}, {"id": "b", "text": f"Beta {n}"}, {"id": "c", "text": f"Gamma {n}"}]
    return {"type": "single_choice", "prompt": f"Question {n}?", "options": options, "correct": ["a"], **overrides}


def question_bank(client: TestClient, tenant: TenantHandle, *questions: dict[str, Any]) -> tuple[str, list[str]]:
    """A bank of the tenant holding ``questions`` (three single choice ones if none are given): its id and the
    question ids."""
    headers = tenant.as_(Role.INSTRUCTOR)
    bank = client.post("/api/v1/question-banks", json={"title": "Bank"}, headers=headers)
    assert bank.status_code == 201, bank.text
    bank_id = bank.json()["id"]
    ids = []
    for question in questions or tuple(choice_question(n) for n in range(3)):
        added = client.post(f"/api/v1/question-banks/{bank_id}/questions", json=question, headers=headers)
        assert added.status_code == 201, added.text
        ids.append(added.json()["id"])
    return bank_id, ids


def quiz_course(
    client: TestClient, tenant: TenantHandle, bank_id: str, *, count: int = 1, **settings: Any
) -> dict[str, Any]:
    """A published course whose quiz lesson draws ``count`` questions of the bank, with ``settings``."""
    video = {"id": "intro", "title": "Introduction", "kind": "video", "durationSeconds": 120}
    course = published_course(client, tenant, lessons=[video, QUIZ_LESSON])
    body = {"pools": [{"bankId": bank_id, "count": count}], **settings}
    url = f"/api/v1/courses/{course['id']}/lessons/{QUIZ_LESSON['id']}/quiz"
    response = client.put(url, json=body, headers=tenant.as_(Role.INSTRUCTOR))
    assert response.status_code == 200, response.text
    return course


def enroll(client: TestClient, tenant: TenantHandle, course_id: str, user: str) -> None:
    """Enroll ``user`` (a learner) in the course."""
    response = client.post(f"/api/v1/courses/{course_id}/enrollments", json={}, headers=tenant.as_(Role.LEARNER, user))
    assert response.status_code in (200, 201), response.text


def completed_course(client: TestClient, tenant: TenantHandle, user: str, **overrides: Any) -> dict[str, Any]:
    """A published course (default outline) that ``user`` enrolled in and completed through the progress API."""
    course = published_course(client, tenant, **overrides)
    enroll(client, tenant, course["id"], user)
    events = [
        {"type": "watch", "courseId": course["id"], "lessonId": "intro", "from": 0, "to": 120},
        {"type": "read", "courseId": course["id"], "lessonId": "reading"},
    ]
    for n, event in enumerate(events):
        body = {"batchId": f"complete-{course['id']}-{user}-{n}", "events": [event]}
        sent = client.post("/api/v1/progress", json=body, headers=tenant.as_(Role.LEARNER, user))
        assert sent.status_code == 200, sent.text
    return course


def issued_certificate(client: TestClient, tenant: TenantHandle, user: str, **overrides: Any) -> dict[str, Any]:
    """The certificate ``user`` holds after completing a new course, once the local worker has run."""
    course = completed_course(client, tenant, user, **overrides)
    LocalWorker(client.app.state.platform_provider(), default_jobs()).run_until_idle()
    mine = client.get("/api/v1/me/certificates", headers=tenant.as_(Role.LEARNER, user))
    assert mine.status_code == 200, mine.text
    (certificate,) = [c for c in mine.json()["items"] if c["courseId"] == course["id"]]
    return dict(certificate)
