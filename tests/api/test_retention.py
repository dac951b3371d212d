"""Retention: a tenant's admin sets how long audit entries and activity detail are kept (bounded,
audited), and the daily sweep deletes what is older, tenant by tenant, keeping scores, states and
percentages. Time moves with the ManualClock; tokens are minted to outlive the moves (PyJWT checks
``iat`` against the real clock, so a token minted after a move would be from the future)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.assessment.model import ATTEMPTS
from shared.learning.events import PROGRESS
from shared.learning.model import progress_id
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.platform.tenancy import DictDocuments, TenantContext
from shared.privacy.service import RETENTION_ACTION, sweep_retention
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle, Tokens
from tests.factories import choice_question, enroll, published_course, question_bank, quiz_course

DAY = 24 * 3600
LONG_LIVED = 400 * DAY
SHORT = {"auditDays": 30, "activityDays": 30}
LONG = {"auditDays": 365, "activityDays": 365}


def as_(tokens: Tokens, tenant: TenantHandle, role: Role, user: str | None = None) -> dict[str, str]:
    return tokens(tenant.id, user or f"{role.value.lower()}-1", role, ttl=LONG_LIVED)


def audit_reasons(client: TestClient, headers: dict[str, str]) -> list[str | None]:
    entries = client.get("/api/v1/audit", params={"limit": 200}, headers=headers).json()["items"]
    return [e["reason"] for e in entries]


def rename(client: TestClient, headers: dict[str, str], reason: str) -> None:
    response = client.patch("/api/v1/tenant", json={"name": f"Academy {reason}", "reason": reason}, headers=headers)
    assert response.status_code == 200, response.text


def stored(platform: Platform, tenant: TenantHandle, container: str, doc_id: str) -> dict[str, Any]:
    ctx = TenantContext(tenant_id=tenant.id, user_id="test", roles=frozenset())
    return DictDocuments(platform.documents, container, ctx).read(doc_id)


# --- the setting ---------------------------------------------------------------------------------


def test_a_new_tenant_keeps_audit_seven_years_and_activity_two_years(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    view = client.get("/api/v1/tenant", headers=tenant.as_(Role.TENANT_ADMIN)).json()
    assert view["retention"] == {"auditDays": 2555, "activityDays": 730}


def test_an_admin_shortens_activity_retention_and_the_change_is_audited(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    body = {"retention": {"activityDays": 90}, "reason": "works council agreement"}
    changed = client.patch("/api/v1/tenant", json=body, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["retention"] == {"auditDays": 2555, "activityDays": 90}  # the other value stays
    [entry] = client.get("/api/v1/audit", params={"action": "tenant.settings_changed"}, headers=admin).json()["items"]
    assert entry["before"]["retention"] == {"auditDays": 2555, "activityDays": 730}
    assert entry["after"]["retention"] == {"auditDays": 2555, "activityDays": 90}
    assert entry["reason"] == "works council agreement" and entry["actorId"] == "tenantadmin-1"


@pytest.mark.parametrize(
    "retention",
    [
        {"auditDays": 29},
        {"auditDays": 3651},
        {"activityDays": 0},
        {"activityDays": "365"},
        {"activityDays": 365.5},
        {"auditDays": True},
        {"auditDays": None},
        {"keepForever": True},
    ],
)
def test_a_retention_out_of_bounds_is_refused_with_422_and_changes_nothing(
    client: TestClient, make_tenant, retention: dict[str, Any]
) -> None:
    tenant = make_tenant()
    admin = tenant.as_(Role.TENANT_ADMIN)
    refused = client.patch("/api/v1/tenant", json={"retention": retention}, headers=admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/tenant", headers=admin).json()["retention"] == {"auditDays": 2555, "activityDays": 730}


def test_only_a_tenant_admin_changes_retention(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    for role in (Role.SUPPORT_READONLY, Role.INSTRUCTOR, Role.LEARNER):
        body = {"retention": {"auditDays": 30}}
        assert client.patch("/api/v1/tenant", json=body, headers=tenant.as_(role)).status_code == 403


# --- the audit log -------------------------------------------------------------------------------


def test_audit_entries_older_than_the_tenants_retention_go_and_recent_ones_stay(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    short, long = make_tenant(retention=SHORT), make_tenant(retention=LONG)
    short_admin, long_admin = as_(tokens, short, Role.TENANT_ADMIN), as_(tokens, long, Role.TENANT_ADMIN)
    rename(client, short_admin, "old")
    rename(client, long_admin, "old")
    clock.advance(31 * DAY)
    rename(client, short_admin, "recent")
    rename(client, long_admin, "recent")
    sweep_retention(platform)
    assert "old" not in audit_reasons(client, short_admin)
    assert "recent" in audit_reasons(client, short_admin)
    assert {"old", "recent"} <= set(audit_reasons(client, long_admin))  # its 365 days have not passed


def test_the_sweep_says_in_the_log_what_it_deleted_and_a_second_sweep_deletes_nothing_more(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    admin = as_(tokens, tenant, Role.TENANT_ADMIN)
    rename(client, admin, "old")
    clock.advance(31 * DAY)
    sweep_retention(platform)
    log = client.get("/api/v1/audit", headers=admin).json()["items"]
    [applied] = [e for e in log if e["action"] == RETENTION_ACTION]
    # The tenant's creation and the rename went; nothing else was there to delete.
    assert applied["after"]["purged"]["auditEntries"] == 2
    assert applied["actorId"] == "system:retention"
    sweep_retention(platform)
    assert client.get("/api/v1/audit", headers=admin).json()["items"] == log


def test_the_local_worker_runs_the_retention_sweep(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    admin = as_(tokens, tenant, Role.TENANT_ADMIN)
    rename(client, admin, "old")
    clock.advance(31 * DAY)
    LocalWorker(platform, default_jobs()).run_until_idle()
    assert "old" not in audit_reasons(client, admin)


# --- activity detail -----------------------------------------------------------------------------

OPTIONAL_VIDEO = {"id": "extra", "title": "Extra", "kind": "video", "durationSeconds": 100, "required": False}
LESSONS = [
    {"id": "intro", "title": "Introduction", "kind": "video", "durationSeconds": 120},
    {"id": "reading", "title": "Reading notes", "kind": "text", "text": "Read me."},
    OPTIONAL_VIDEO,
]


def completed_with_detail(client: TestClient, tenant: TenantHandle, learner: dict[str, str], course: str) -> None:
    """The learner completes the course, having watched 40 % of its optional video in two sittings."""
    events = [
        {"type": "watch", "courseId": course, "lessonId": "extra", "from": 0, "to": 20, "activeSeconds": 20},
        {"type": "watch", "courseId": course, "lessonId": "extra", "from": 50, "to": 70, "activeSeconds": 20},
        {"type": "watch", "courseId": course, "lessonId": "intro", "from": 0, "to": 120, "activeSeconds": 120},
        {"type": "read", "courseId": course, "lessonId": "reading"},
    ]
    for n, event in enumerate(events):
        sent = client.post("/api/v1/progress", json={"batchId": f"b-{course}-{n}", "events": [event]}, headers=learner)
        assert sent.status_code == 200, sent.text


def progress_of(client: TestClient, course: str, learner: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"/api/v1/me/courses/{course}/progress", headers=learner)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_completed_course_loses_its_watched_intervals_but_the_progress_view_answers_the_same(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    learner = as_(tokens, tenant, Role.LEARNER, "lea")
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    enroll(client, tenant, course, "lea")
    completed_with_detail(client, tenant, learner, course)
    before = progress_of(client, course, learner)
    assert before["state"] == "completed"
    assert next(lesson for lesson in before["lessons"] if lesson["lessonId"] == "extra")["percent"] == 40.0
    clock.advance(31 * DAY)
    sweep_retention(platform)
    doc = stored(platform, tenant, PROGRESS, progress_id(course, "lea"))
    assert all("watched" not in lesson for lesson in doc["lessons"].values())
    assert doc["batches"] == [] and doc["outbox"] == []
    assert progress_of(client, course, learner) == before


def test_watching_again_after_the_purge_never_lowers_a_lesson_and_its_new_detail_is_purged_in_turn(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    learner = as_(tokens, tenant, Role.LEARNER, "lea")
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    enroll(client, tenant, course, "lea")
    completed_with_detail(client, tenant, learner, course)
    clock.advance(31 * DAY)
    sweep_retention(platform)
    rewatch = {"type": "watch", "courseId": course, "lessonId": "extra", "from": 0, "to": 10}
    client.post("/api/v1/progress", json={"batchId": "again", "events": [rewatch]}, headers=learner)
    extra = next(lesson for lesson in progress_of(client, course, learner)["lessons"] if lesson["lessonId"] == "extra")
    assert extra["percent"] == 40.0  # 10 s watched again is less than the 40 s kept as a total
    clock.advance(31 * DAY)
    sweep_retention(platform)
    assert "watched" not in stored(platform, tenant, PROGRESS, progress_id(course, "lea"))["lessons"]["extra"]


def test_a_course_completed_within_the_retention_keeps_its_detail(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    learner = as_(tokens, tenant, Role.LEARNER, "lea")
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    enroll(client, tenant, course, "lea")
    clock.advance(31 * DAY)
    completed_with_detail(client, tenant, learner, course)
    sweep_retention(platform)
    doc = stored(platform, tenant, PROGRESS, progress_id(course, "lea"))
    assert doc["lessons"]["extra"]["watched"] == [[0.0, 20.0], [50.0, 70.0]]
    assert len(doc["batches"]) == 4


def test_a_tenant_with_a_longer_activity_retention_keeps_its_learners_detail(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=LONG)
    learner = as_(tokens, tenant, Role.LEARNER, "lea")
    course = published_course(client, tenant, lessons=LESSONS)["id"]
    enroll(client, tenant, course, "lea")
    completed_with_detail(client, tenant, learner, course)
    clock.advance(31 * DAY)
    sweep_retention(platform)
    assert stored(platform, tenant, PROGRESS, progress_id(course, "lea"))["lessons"]["extra"]["watched"]


def test_old_notifications_go_and_recent_ones_stay(
    client: TestClient, make_tenant, make_user, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    learner = make_user(tenant)["id"]
    instructor = as_(tokens, tenant, Role.INSTRUCTOR)
    inbox = as_(tokens, tenant, Role.LEARNER, learner)

    def assign(course: str) -> None:
        url = f"/api/v1/courses/{course}/enrollments"
        assert client.post(url, json={"userId": learner}, headers=instructor).status_code == 201

    first, second = (published_course(client, tenant)["id"] for _ in range(2))
    assign(first)
    clock.advance(31 * DAY)
    assign(second)
    sweep_retention(platform)
    notifications = client.get("/api/v1/me/notifications", headers=inbox).json()["items"]
    assert len(notifications) == 1
    assert notifications[0]["createdAt"] == clock.now().isoformat()


def quiz_for_lea(client: TestClient, tenant: TenantHandle) -> str:
    """A course with a one-question quiz that learner lea is enrolled in."""
    bank, _ = question_bank(client, tenant, choice_question(1))
    course = quiz_course(client, tenant, bank)["id"]
    enroll(client, tenant, course, "lea")
    return str(course)


def graded_attempt(client: TestClient, course: str, learner: dict[str, str]) -> dict[str, Any]:
    started = client.post(f"/api/v1/courses/{course}/lessons/final-quiz/attempts", headers=learner).json()
    question = started["items"][0]["questionId"]
    url = f"/api/v1/attempts/{started['id']}"
    assert client.put(f"{url}/answers", json={"answers": {question: "a"}}, headers=learner).status_code == 200
    graded = client.post(f"{url}/submit", headers=learner).json()
    assert graded["status"] == "graded", graded
    return dict(graded)


def test_a_graded_attempt_loses_its_answers_and_keeps_its_score(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    learner = as_(tokens, tenant, Role.LEARNER, "lea")
    graded = graded_attempt(client, quiz_for_lea(client, tenant), learner)
    assert graded["answers"]
    clock.advance(31 * DAY)
    sweep_retention(platform)
    after = client.get(f"/api/v1/attempts/{graded['id']}", headers=learner).json()
    assert after["answers"] == {}
    assert (after["score"], after["passed"], after["points"]) == (graded["score"], graded["passed"], graded["points"])
    assert stored(platform, tenant, ATTEMPTS, graded["id"])["outbox"] == []


def test_a_recent_attempt_and_another_tenants_old_one_keep_their_answers(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    short, long = make_tenant(retention=SHORT), make_tenant(retention=LONG)
    short_quiz, long_quiz = quiz_for_lea(client, short), quiz_for_lea(client, long)
    short_learner, long_learner = as_(tokens, short, Role.LEARNER, "lea"), as_(tokens, long, Role.LEARNER, "lea")
    old_elsewhere = graded_attempt(client, long_quiz, long_learner)
    clock.advance(31 * DAY)
    recent = graded_attempt(client, short_quiz, short_learner)
    sweep_retention(platform)
    assert stored(platform, short, ATTEMPTS, recent["id"])["answers"] == recent["answers"]
    assert stored(platform, long, ATTEMPTS, old_elsewhere["id"])["answers"] == old_elsewhere["answers"]


ESSAY = {
    "type": "essay",
    "prompt": "Discuss.",
    "rubric": [{"id": "clarity", "criterion": "Clear writing", "points": 3}],
}


def test_an_essay_whose_answers_were_purged_can_no_longer_be_regraded(
    client: TestClient, make_tenant, tokens: Tokens, clock: ManualClock, platform: Platform
) -> None:
    tenant = make_tenant(retention=SHORT)
    learner, instructor = as_(tokens, tenant, Role.LEARNER, "lea"), as_(tokens, tenant, Role.INSTRUCTOR)
    bank, _ = question_bank(client, tenant, ESSAY)
    course = quiz_course(client, tenant, bank)["id"]
    enroll(client, tenant, course, "lea")
    attempt = client.post(f"/api/v1/courses/{course}/lessons/final-quiz/attempts", headers=learner).json()
    essay = attempt["items"][0]["questionId"]
    url = f"/api/v1/attempts/{attempt['id']}"
    client.put(f"{url}/answers", json={"answers": {essay: "My essay"}}, headers=learner)
    client.post(f"{url}/submit", headers=learner)

    def grade(points: float, reason: str | None = None) -> Any:
        grades = [{"questionId": essay, "criteria": [{"criterionId": "clarity", "points": points}], "comment": "Ok"}]
        return client.post(f"{url}/grades", json={"grades": grades, "reason": reason}, headers=instructor)

    assert grade(2).status_code == 200
    clock.advance(31 * DAY)
    sweep_retention(platform)
    refused = grade(3, reason="second marker")
    assert refused.status_code == 409
    after = client.get(url, headers=instructor).json()
    assert after["score"] == round(100 * 2 / 3, 2) and after["answers"] == {}
    assert "comment" not in stored(platform, tenant, ATTEMPTS, attempt["id"])["grades"][essay]
