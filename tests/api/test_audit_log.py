"""The audit log records every sensitive action the issue lists, each with its actor, their roles, the
action, its subject, before and after where something changed, the reason, the time and the request's
correlation id; it is read by TenantAdmins and support, newest first, and nobody can change it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.platform.personal_data import pseudonym_of
from shared.platform.runtime import Platform
from shared.roles import Role
from tests.api.openapi_walk import WRITE_METHODS, operations
from tests.conftest import TenantHandle
from tests.factories import enroll, issued_certificate, published_course, question_bank, quiz_course

CORRELATION_ID = "audit-case-1"


@dataclass(frozen=True)
class Audited:
    """What the entry of one action must say."""

    action: str
    actor: str
    role: Role
    subject_type: str
    subject_id: str
    reason: str | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


Action = Callable[[TestClient, TenantHandle, Callable[..., dict[str, Any]]], Audited]


def traced(tenant: TenantHandle, role: Role, user: str | None = None) -> dict[str, str]:
    return {**tenant.as_(role, user), "X-Correlation-Id": CORRELATION_ID}


def ok(response: Any) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response


def tenant_settings_changed(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    body = {"flags": {"leaderboards": False}, "retention": {"auditDays": 400}, "reason": "policy review"}
    ok(client.patch("/api/v1/tenant", json=body, headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited(
        "tenant.settings_changed",
        "tenantadmin-1",
        Role.TENANT_ADMIN,
        "tenant",
        tenant.id,
        "policy review",
        before={"flags": {}},
        after={"flags": {"leaderboards": False}, "retention": {"auditDays": 400, "activityDays": 730}},
    )


def role_changed(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    user = make_user(tenant)["id"]
    body = {"roles": ["Instructor"], "reason": "new teacher"}
    ok(client.patch(f"/api/v1/users/{user}", json=body, headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited(
        "user.roles_changed",
        "tenantadmin-1",
        Role.TENANT_ADMIN,
        "user",
        user,
        "new teacher",
        before={"roles": ["Learner"]},
        after={"roles": ["Instructor"]},
    )


def enrollment_assigned(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    user = make_user(tenant)["id"]
    course = published_course(client, tenant)["id"]
    body = {"userId": user, "dueDate": "2031-01-31"}
    assigned = ok(
        client.post(f"/api/v1/courses/{course}/enrollments", json=body, headers=traced(tenant, Role.INSTRUCTOR))
    )
    after = {"courseId": course, "userId": user, "dueDate": "2031-01-31", "source": "assigned"}
    return Audited(
        "enrollment.assigned", "instructor-1", Role.INSTRUCTOR, "enrollment", assigned.json()["id"], None, after=after
    )


def enrollment_changed(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    course = published_course(client, tenant)["id"]
    enroll(client, tenant, course, "lea")
    body = {"dueDate": "2031-06-30", "reason": "extension granted"}
    url = f"/api/v1/courses/{course}/enrollments/lea"
    changed = ok(client.patch(url, json=body, headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited(
        "enrollment.changed",
        "tenantadmin-1",
        Role.TENANT_ADMIN,
        "enrollment",
        changed.json()["id"],
        "extension granted",
        before={"dueDate": None},
        after={"dueDate": "2031-06-30"},
    )


def manual_completion(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    course = published_course(client, tenant)["id"]
    enroll(client, tenant, course, "lea")
    url = f"/api/v1/courses/{course}/progress/lea/complete"
    ok(client.post(url, json={"reason": "completed in class"}, headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited(
        "progress.manual_completion",
        "tenantadmin-1",
        Role.TENANT_ADMIN,
        "progress",
        f"{course}:lea",
        "completed in class",
        before={"state": "not_started"},
        after={"state": "completed"},
    )


ESSAY = {"type": "essay", "prompt": "Discuss.", "rubric": [{"id": "clarity", "criterion": "Clarity", "points": 3}]}


def _essay_attempt(client: TestClient, tenant: TenantHandle) -> tuple[str, str]:
    bank, _ = question_bank(client, tenant, ESSAY)
    course = quiz_course(client, tenant, bank)["id"]
    enroll(client, tenant, course, "lea")
    learner = tenant.as_(Role.LEARNER, "lea")
    attempt = ok(client.post(f"/api/v1/courses/{course}/lessons/final-quiz/attempts", headers=learner)).json()
    essay = attempt["items"][0]["questionId"]
    ok(client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": {essay: "Text"}}, headers=learner))
    ok(client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=learner))
    return attempt["id"], essay


def _grade(
    client: TestClient, tenant: TenantHandle, attempt: str, essay: str, points: float, reason: str | None
) -> None:
    grades = [{"questionId": essay, "criteria": [{"criterionId": "clarity", "points": points}]}]
    body = {"grades": grades, "reason": reason}
    ok(client.post(f"/api/v1/attempts/{attempt}/grades", json=body, headers=traced(tenant, Role.INSTRUCTOR)))


def essay_graded(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    attempt, essay = _essay_attempt(client, tenant)
    _grade(client, tenant, attempt, essay, 2, "first marking")
    return Audited(
        "attempt.graded",
        "instructor-1",
        Role.INSTRUCTOR,
        "attempt",
        attempt,
        "first marking",
        before={"score": None},
        after={"points": 2, "score": round(100 * 2 / 3, 2)},
    )


def grade_changed(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    attempt, essay = _essay_attempt(client, tenant)
    _grade(client, tenant, attempt, essay, 1, None)
    _grade(client, tenant, attempt, essay, 3, "second marker")
    return Audited(
        "attempt.regrade",
        "instructor-1",
        Role.INSTRUCTOR,
        "attempt",
        attempt,
        "second marker",
        before={"points": 1, "score": round(100 / 3, 2)},
        after={"points": 3, "score": 100},
    )


def certificate_revoked(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    certificate = issued_certificate(client, tenant, "lea")
    url = f"/api/v1/certificates/{certificate['id']}/revoke"
    ok(client.post(url, json={"reason": "academic misconduct"}, headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited(
        "certificate.revoked",
        "tenantadmin-1",
        Role.TENANT_ADMIN,
        "certificate",
        certificate["id"],
        "academic misconduct",
        before={"status": "valid"},
        after={"status": "revoked"},
    )


def data_exported(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    user = make_user(tenant)["id"]
    ok(client.get(f"/api/v1/users/{user}/export", headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited("user.exported", "tenantadmin-1", Role.TENANT_ADMIN, "user", user, "personal data export (GDPR)")


def user_erased(client: TestClient, tenant: TenantHandle, make_user: Any) -> Audited:
    user = make_user(tenant)["id"]
    ok(client.delete(f"/api/v1/users/{user}", headers=traced(tenant, Role.TENANT_ADMIN)))
    return Audited("user.erased", "tenantadmin-1", Role.TENANT_ADMIN, "user", user, "personal data erasure (GDPR)")


ACTIONS: dict[str, Action] = {
    "tenant settings": tenant_settings_changed,
    "role change": role_changed,
    "enrollment assigned by staff": enrollment_assigned,
    "enrollment changed by staff": enrollment_changed,
    "manual completion": manual_completion,
    "essay graded": essay_graded,
    "grade changed": grade_changed,
    "certificate revoked": certificate_revoked,
    "data export": data_exported,
    "erasure": user_erased,
}


def contains(whole: dict[str, Any] | None, part: dict[str, Any]) -> bool:
    return whole is not None and all(whole.get(k) == v for k, v in part.items())


@pytest.mark.parametrize("perform", ACTIONS.values(), ids=ACTIONS.keys())
def test_every_sensitive_action_is_audited_with_who_what_why_when_and_its_request(
    client: TestClient, platform: Platform, make_tenant, make_user, perform: Action
) -> None:
    tenant = make_tenant()
    expected = perform(client, tenant, make_user)
    subject = expected.subject_id
    if expected.action == "user.erased":  # an erasure's entry names the user by pseudonym only
        subject = pseudonym_of(platform, tenant.id, subject)
    params = {"action": expected.action, "subjectId": subject}
    found = client.get("/api/v1/audit", params=params, headers=tenant.as_(Role.SUPPORT_READONLY)).json()["items"]
    assert found, f"no {expected.action} entry about {subject}"
    entry = found[0]
    assert (entry["actorId"], entry["actorRoles"]) == (expected.actor, [expected.role.value])
    assert (entry["subjectType"], entry["reason"]) == (expected.subject_type, expected.reason)
    assert entry["correlationId"] == CORRELATION_ID
    assert entry["at"]
    if expected.before is not None:
        assert contains(entry["before"], expected.before), entry["before"]
    if expected.after is not None:
        assert contains(entry["after"], expected.after), entry["after"]


def test_no_route_edits_or_deletes_an_audit_entry(client: TestClient) -> None:
    audit_paths = [op for op in operations(client) if op.path.startswith("/api/v1/audit")]
    assert audit_paths, "the audit log is not in the OpenAPI document"
    assert [str(op) for op in audit_paths if op.method in WRITE_METHODS] == []


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_writing_to_the_audit_log_is_refused_and_the_entries_stay(client: TestClient, make_tenant, method: str) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    before = client.get("/api/v1/audit", headers=admin).json()["items"]
    [entry] = before
    for url in ("/api/v1/audit", f"/api/v1/audit/{entry['id']}"):
        response = client.request(method, url, json={"reason": "tamper"}, headers=admin)
        assert response.status_code in (404, 405), f"{method} {url}: {response.status_code}"
    assert client.get("/api/v1/audit", headers=admin).json()["items"] == before


def test_the_log_reads_newest_first_in_pages(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    for n in range(3):
        ok(client.patch("/api/v1/tenant", json={"name": f"Name {n}", "reason": f"rename {n}"}, headers=admin))
    first = client.get("/api/v1/audit", params={"limit": 2}, headers=admin).json()
    rest = client.get("/api/v1/audit", params={"limit": 2, "continuation": first["continuation"]}, headers=admin)
    reasons = [e["reason"] for e in first["items"] + rest.json()["items"]]
    assert reasons[:3] == ["rename 2", "rename 1", "rename 0"]
