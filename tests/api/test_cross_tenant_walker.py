"""Tenant B's callers never reach tenant A's resources: every route that takes an id
answers 404 with A's ids and changes nothing; every list B can read shows none of A."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from shared.platform.runtime import Platform
from shared.roles import Role
from tests.api.openapi_walk import Operation, call, operations
from tests.conftest import TenantHandle
from tests.factories import (
    QUIZ_LESSON,
    draft_course,
    enroll,
    issued_certificate,
    outline,
    published_course,
    published_path,
    question_bank,
    quiz_course,
)

MARKER = "Zebulon Uniquename"


@dataclass(frozen=True)
class Seed:
    """What a factory needs to make a resource in a tenant through the API."""

    tenant: TenantHandle
    client: TestClient
    make_user: Callable[..., dict[str, Any]]


# How to make a resource of tenant A for each path parameter. A new route with a new
# parameter fails the walker until its factory is added here.
ResourceFactory = Callable[[Seed], str]
# The factory course's lessons: the default outline and a quiz lesson (for the quiz and attempt routes).
LESSONS = [*outline()["modules"][0]["lessons"], QUIZ_LESSON]
FACTORIES: dict[str, ResourceFactory] = {
    "userId": lambda seed: str(seed.make_user(seed.tenant, displayName="Alice Secret")["id"]),
    "courseId": lambda seed: published_course(seed.client, seed.tenant, title=f"{MARKER} course", lessons=LESSONS)[
        "id"
    ],
    "pathId": lambda seed: published_path(seed.client, seed.tenant, title=f"{MARKER} path")["id"],
    # The quiz lesson of the courseId factory's course.
    "lessonId": lambda seed: str(QUIZ_LESSON["id"]),
    "bankId": lambda seed: question_bank(seed.client, seed.tenant)[0],
    "questionId": lambda seed: question_bank(seed.client, seed.tenant)[1][0],
    "attemptId": lambda seed: _attempt_of_a(seed),
    "draftId": lambda seed: _question_draft_of_a(seed),
    "notificationId": lambda seed: _notification_of_a(seed),
    "certificateId": lambda seed: issued_certificate(seed.client, seed.tenant, "walker-holder", title=f"{MARKER} cert")[
        "id"
    ],
}


def _attempt_of_a(seed: Seed) -> str:
    """An open attempt of a learner of tenant A."""
    course = quiz_course(seed.client, seed.tenant, question_bank(seed.client, seed.tenant)[0])["id"]
    enroll(seed.client, seed.tenant, course, "walker-learner")
    headers = seed.tenant.as_(Role.LEARNER, "walker-learner")
    started = seed.client.post(f"/api/v1/courses/{course}/lessons/{QUIZ_LESSON['id']}/attempts", headers=headers)
    assert started.status_code == 201, started.text
    return str(started.json()["id"])


def _question_draft_of_a(seed: Seed) -> str:
    """A pending question draft of tenant A, drafted from a text lesson that names the marker."""
    flags = {"flags": {"ai_question_drafts": True}}
    enabled = seed.client.patch("/api/v1/tenant", json=flags, headers=seed.tenant.as_(Role.TENANT_ADMIN))
    assert enabled.status_code == 200, enabled.text
    text = f"{MARKER} wrote the lesson notes about tides. The moon pulls the oceans and raises the tides twice a day."
    lesson = {"id": "walker-notes", "title": "Notes", "kind": "text", "text": text}
    course = draft_course(seed.client, seed.tenant, lessons=[lesson])["id"]
    url = f"/api/v1/courses/{course}/lessons/walker-notes/question-drafts"
    drafted = seed.client.post(url, headers=seed.tenant.as_(Role.INSTRUCTOR))
    assert drafted.status_code == 201 and drafted.json()["items"], drafted.text
    return str(drafted.json()["items"][0]["id"])


def _notification_of_a(seed: Seed) -> str:
    """A notification of tenant A naming the marker, for the user id B's TenantAdmin has too: a course
    assigned to A's registered TenantAdmin."""
    admin = seed.make_user(seed.tenant, id="tenantadmin-1", roles=["TenantAdmin"], email="walker-admin@a.example.com")
    course = published_course(seed.client, seed.tenant, title=f"{MARKER} assigned course")["id"]
    body = {"userId": admin["id"]}
    assigned = seed.client.post(
        f"/api/v1/courses/{course}/enrollments", json=body, headers=seed.tenant.as_(Role.INSTRUCTOR)
    )
    assert assigned.status_code == 201, assigned.text
    mine = seed.client.get("/api/v1/me/notifications", headers=seed.tenant.as_(Role.TENANT_ADMIN)).json()
    [notification] = [n for n in mine["items"] if MARKER in n["body"]]
    return str(notification["id"])


# Public routes whose path names a tenant are meant to be readable by anyone.
PUBLIC_BY_DESIGN = {"tenantId"}


def snapshot(platform: Platform) -> list[tuple[Any, ...]]:
    """Every document's identity and version in the embedded store."""
    path = platform.settings.data_dir / "documents.sqlite3"
    with sqlite3.connect(path) as db:
        return sorted(db.execute("SELECT container, pk, id, etag FROM documents").fetchall())


def _strongest_tenant_role(op: Operation) -> Role | None:
    for role in (Role.TENANT_ADMIN, Role.INSTRUCTOR, Role.SUPPORT_READONLY, Role.LEARNER):
        if role in op.roles:
            return role
    return None


def _resources_of_a(seed: Seed) -> dict[str, str]:
    return {name: factory(seed) for name, factory in FACTORIES.items()}


def test_ids_of_another_tenant_answer_404_and_change_nothing(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    a, b = make_tenant(), make_tenant()
    ids_of_a = _resources_of_a(Seed(a, client, make_user))
    walked = 0
    for op in operations(client):
        params = [p for p in op.path_params if p not in PUBLIC_BY_DESIGN]
        role = _strongest_tenant_role(op)
        if op.public or not params or role is None:
            continue
        missing = [p for p in params if p not in ids_of_a]
        assert not missing, f"{op}: add a factory for {missing} in FACTORIES"
        before = snapshot(platform)
        response = call(client, op, ids_of_a, b.as_(role))
        assert response.status_code == 404, f"{op} as B's {role}: {response.status_code} {response.text}"
        assert snapshot(platform) == before, f"{op} as B's {role} changed stored data"
        walked += 1
    assert walked > 0


def test_lists_of_another_tenant_show_nothing_of_it(client: TestClient, make_tenant, make_user) -> None:
    a, b = make_tenant(), make_tenant()
    marker = MARKER
    user_of_a = make_user(a, displayName=marker, email="zebulon@a.example.com")
    _resources_of_a(Seed(a, client, make_user))
    checked = 0
    for op in operations(client):
        role = _strongest_tenant_role(op)
        if op.method != "get" or op.path_params or op.public or role is None:
            continue
        response = client.get(op.path, headers=b.as_(role))
        assert response.status_code == 200, f"{op}: {response.status_code}"
        for secret in (marker, user_of_a["id"], user_of_a["email"], a.id):
            assert secret not in response.text, f"{op} as B shows {secret!r} of tenant A"
        checked += 1
    assert checked > 0
