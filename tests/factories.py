"""Factories that build valid catalog data through the API, for any test."""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient

from shared.roles import Role
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
