"""Walk the app's own OpenAPI document: every operation, its roles, its path parameters.

New routes are covered by the walkers automatically. A route whose path parameter or
request body the walkers cannot fill makes them fail loudly, so the author adds a
factory or an example here rather than a route slipping through untested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from shared.roles import Role

WRITE_METHODS = {"post", "put", "patch", "delete"}

WALKER_QUESTION: dict[str, Any] = {
    "type": "true_false",
    "prompt": "Walkers walk?",
    "answer": True,
}

# A valid body per operation whose body has required fields, so a cross-tenant request
# reaches the service (and its 404) instead of stopping at validation.
EXAMPLE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/tenants"): {"id": "walker-tenant", "name": "Walker"},
    ("post", "/api/v1/users"): {"email": "walker@example.com", "displayName": "Walker"},
    ("post", "/api/v1/courses"): {"title": "Walker course"},
    ("post", "/api/v1/progress"): {"batchId": "walker", "events": [{"type": "read"}]},
    ("post", "/api/v1/courses/{courseId}/progress/{userId}/complete"): {"reason": "walker"},
    ("put", "/api/v1/courses/{courseId}/outline"): {"modules": []},
    ("post", "/api/v1/paths"): {"title": "Walker path", "courses": ["walker-course"]},
    ("put", "/api/v1/paths/{pathId}"): {"title": "Walker path", "courses": ["walker-course"]},
    ("patch", "/api/v1/courses/{courseId}/enrollments/{userId}"): {"dueDate": "2031-01-31", "reason": "walker"},
    ("post", "/api/v1/question-banks"): {"title": "Walker bank"},
    ("post", "/api/v1/question-banks/{bankId}/questions"): WALKER_QUESTION,
    ("put", "/api/v1/question-banks/{bankId}/questions/{questionId}"): WALKER_QUESTION,
    ("put", "/api/v1/courses/{courseId}/lessons/{lessonId}/quiz"): {"pools": [{"bankId": "walker-bank", "count": 1}]},
    ("put", "/api/v1/attempts/{attemptId}/answers"): {"answers": {"walker-question": "a"}},
    ("post", "/api/v1/attempts/{attemptId}/grades"): {
        "grades": [{"questionId": "walker-question", "criteria": [{"criterionId": "c1", "points": 1}]}],
        "reason": "walker",
    },
    ("post", "/api/v1/question-drafts/{draftId}/approve"): {"bankId": "walker-bank"},
    ("post", "/api/v1/question-drafts/{draftId}/reject"): {"reason": "walker"},
    ("post", "/api/v1/courses/{courseId}/lessons/{lessonId}/video/upload-url"): {"filename": "walker.mp4"},
    ("post", "/api/v1/certificates/{certificateId}/revoke"): {"reason": "walker"},
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def public(self) -> bool:
        return bool(self.spec.get("x-public"))

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.spec.get("x-roles", []))

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    def url(self, values: dict[str, str]) -> str:
        return re.sub(r"{([^}]+)}", lambda m: values[m.group(1)], self.path)

    def body(self) -> dict[str, Any] | None:
        if self.method not in WRITE_METHODS or "requestBody" not in self.spec:
            return None
        return EXAMPLE_BODIES.get((self.method, self.path), {})

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def operations(client: TestClient) -> Iterator[Operation]:
    document = client.get("/api/openapi.json").json()
    for path, item in document["paths"].items():
        for method, spec in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield Operation(method, path, spec)


def call(client: TestClient, op: Operation, values: dict[str, str], headers: dict[str, str]) -> Any:
    return client.request(op.method.upper(), op.url(values), json=op.body(), headers=headers)
