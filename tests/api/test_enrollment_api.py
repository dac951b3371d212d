"""Enrolling, rosters, the caller's enrollments, staff changes and prerequisites, through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from shared.enrollment import service
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.roles import Role
from tests.api.test_cross_tenant_walker import snapshot
from tests.conftest import TenantHandle
from tests.factories import draft_course, published_course


def enrollments_url(course_id: str, user_id: str | None = None) -> str:
    base = f"/api/v1/courses/{course_id}/enrollments"
    return f"{base}/{user_id}" if user_id else base


def complete(platform: Platform, tenant: TenantHandle, user_id: str, course_id: str, version: int = 1) -> Any:
    """What the learning context does on CourseCompleted."""
    ctx = TenantContext(tenant_id=tenant.id, user_id="learning", roles=frozenset())
    return service.mark_completed(platform, ctx, user_id, course_id, version, datetime(2030, 5, 1, tzinfo=UTC))


def publish_again(client: TestClient, tenant: TenantHandle, course_id: str) -> dict[str, Any]:
    """The next version: an edit of the draft, published (an unchanged draft makes no new version)."""
    author = tenant.as_(Role.INSTRUCTOR)
    current = client.get(f"/api/v1/courses/{course_id}", headers=author).json()
    edited = client.patch(f"/api/v1/courses/{course_id}", json={"summary": f"{current['summary']}+"}, headers=author)
    assert edited.status_code == 200, edited.text
    response = client.post(f"/api/v1/courses/{course_id}/publish", headers=author)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_learner_enrolls_in_a_free_course_and_finds_it_in_their_list(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    learner = tenant.as_(Role.LEARNER, "lea")
    created = client.post(enrollments_url(course["id"]), headers=learner)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["userId"], body["courseId"], body["version"], body["status"], body["source"]) == (
        "lea",
        course["id"],
        1,
        "active",
        "self",
    )
    assert created.headers["Location"] == f"/api/v1/courses/{course['id']}/enrollments/lea"
    mine = client.get("/api/v1/me/enrollments", headers=learner).json()
    assert [e["courseId"] for e in mine["items"]] == [course["id"]]


def test_enrolling_twice_answers_200_with_the_same_enrollment_and_writes_nothing(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    learner = tenant.as_(Role.LEARNER)
    first = client.post(enrollments_url(course["id"]), headers=learner)
    before = snapshot(platform)
    again = client.post(enrollments_url(course["id"]), headers=learner)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert snapshot(platform) == before


def test_an_enrollment_keeps_the_version_it_started_on_when_the_course_is_republished(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "early"))
    publish_again(client, tenant, course["id"])
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "late"))
    early = client.get("/api/v1/me/enrollments", headers=tenant.as_(Role.LEARNER, "early")).json()["items"]
    late = client.get("/api/v1/me/enrollments", headers=tenant.as_(Role.LEARNER, "late")).json()["items"]
    assert (early[0]["version"], late[0]["version"]) == (1, 2)


def test_learners_cannot_enroll_themselves_where_the_course_or_tenant_does_not_allow_it(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant()
    closed = published_course(client, tenant, selfEnrollment=False)
    paid = published_course(client, tenant, price={"amount": 4900, "currency": "EUR"})
    for course in (closed, paid):
        refused = client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER))
        assert refused.status_code == 403, refused.text
    no_self_service = make_tenant(flags={"self_enrollment": False})
    free = published_course(client, no_self_service)
    refused = client.post(enrollments_url(free["id"]), headers=no_self_service.as_(Role.LEARNER))
    assert refused.status_code == 403
    assert "turned off" in refused.json()["detail"]


def test_drafts_unpublished_deleted_and_unknown_courses_answer_404(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    author = tenant.as_(Role.INSTRUCTOR)
    draft = draft_course(client, tenant)
    unpublished = published_course(client, tenant)
    client.post(f"/api/v1/courses/{unpublished['id']}/unpublish", headers=author)
    deleted = published_course(client, tenant)
    client.delete(f"/api/v1/courses/{deleted['id']}", headers=author)
    before = snapshot(platform)
    for course_id in (draft["id"], unpublished["id"], deleted["id"], "no-such-course"):
        response = client.post(enrollments_url(course_id), headers=tenant.as_(Role.LEARNER))
        assert response.status_code == 404, f"{course_id}: {response.status_code}"
        assert response.headers["content-type"].startswith("application/problem+json")
    assert snapshot(platform) == before


def test_an_instructor_assigns_a_user_with_a_due_date_and_it_is_audited(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, selfEnrollment=False, price={"amount": 100, "currency": "USD"})
    user = make_user(tenant)
    body = {"userId": user["id"], "dueDate": "2031-03-31"}
    assigned = client.post(enrollments_url(course["id"]), json=body, headers=tenant.as_(Role.INSTRUCTOR))
    assert assigned.status_code == 201, assigned.text
    assert (assigned.json()["source"], assigned.json()["dueDate"]) == ("assigned", "2031-03-31")
    roster = client.get(enrollments_url(course["id"]), headers=tenant.as_(Role.SUPPORT_READONLY)).json()
    assert [e["userId"] for e in roster["items"]] == [user["id"]]
    audit = client.get(
        "/api/v1/audit", params={"action": "enrollment.assigned"}, headers=tenant.as_(Role.TENANT_ADMIN)
    ).json()
    assert audit["items"][0]["subjectId"] == assigned.json()["id"]
    assert audit["items"][0]["actorId"] == "instructor-1"


def test_assigning_someone_who_is_not_a_user_of_the_tenant_is_refused(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    response = client.post(
        enrollments_url(course["id"]), json={"userId": "nobody"}, headers=tenant.as_(Role.TENANT_ADMIN)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.userId"


def test_a_learner_cannot_assign_a_course_to_someone_else_or_set_a_due_date(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    other = make_user(tenant)
    learner = tenant.as_(Role.LEARNER, "lea")
    assert client.post(enrollments_url(course["id"]), json={"userId": other["id"]}, headers=learner).status_code == 403
    assert (
        client.post(enrollments_url(course["id"]), json={"dueDate": "2031-01-01"}, headers=learner).status_code == 403
    )
    assert client.post(enrollments_url(course["id"]), json={"userId": "lea"}, headers=learner).status_code == 201


def test_missing_prerequisites_answer_409_naming_each_missing_course(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    basics, safety = published_course(client, tenant), published_course(client, tenant)
    advanced = published_course(client, tenant, prerequisites=[basics["id"], safety["id"]])
    learner = tenant.as_(Role.LEARNER, "lea")
    refused = client.post(enrollments_url(advanced["id"]), headers=learner)
    assert refused.status_code == 409
    assert refused.json()["missing"] == [basics["id"], safety["id"]]
    assert basics["id"] in refused.json()["detail"] and safety["id"] in refused.json()["detail"]

    client.post(enrollments_url(basics["id"]), headers=learner)
    still = client.post(enrollments_url(advanced["id"]), headers=learner)
    assert still.json()["missing"] == [basics["id"], safety["id"]]  # enrolled is not completed
    complete(platform, tenant, "lea", basics["id"])
    assert client.post(enrollments_url(advanced["id"]), headers=learner).json()["missing"] == [safety["id"]]

    client.post(enrollments_url(safety["id"]), headers=learner)
    complete(platform, tenant, "lea", safety["id"])
    assert client.post(enrollments_url(advanced["id"]), headers=learner).status_code == 201


def test_marking_a_completion_twice_keeps_the_first_and_writes_nothing(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "lea"))
    first = complete(platform, tenant, "lea", course["id"])
    before = snapshot(platform)
    again = complete(platform, tenant, "lea", course["id"])
    assert (first.status, again) == ("completed", first)
    assert snapshot(platform) == before
    completed = client.get(
        "/api/v1/me/enrollments", params={"status": "completed"}, headers=tenant.as_(Role.LEARNER, "lea")
    )
    assert completed.json()["items"][0]["completedAt"].startswith("2030-05-01")


def test_the_roster_is_paged_and_a_course_unknown_to_the_tenant_has_none(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    for user in ("ann", "bob", "cid"):
        client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, user))
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = client.get(enrollments_url(course["id"]), params=params, headers=tenant.as_(Role.INSTRUCTOR)).json()
        seen += [e["userId"] for e in page["items"]]
        if not page["continuation"]:
            break
        params["continuation"] = page["continuation"]
    assert seen == ["ann", "bob", "cid"]
    assert client.get(enrollments_url("unknown"), headers=tenant.as_(Role.TENANT_ADMIN)).status_code == 404


def test_an_unpublished_course_keeps_its_roster(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "ann"))
    client.post(f"/api/v1/courses/{course['id']}/unpublish", headers=tenant.as_(Role.INSTRUCTOR))
    roster = client.get(enrollments_url(course["id"]), headers=tenant.as_(Role.TENANT_ADMIN))
    assert [e["userId"] for e in roster.json()["items"]] == ["ann"]


def test_an_admin_moves_an_enrollment_to_a_newer_version_with_an_audited_reason(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "lea"))
    publish_again(client, tenant, course["id"])
    admin = tenant.as_(Role.TENANT_ADMIN)
    moved = client.patch(
        enrollments_url(course["id"], "lea"), json={"version": 2, "reason": "new edition"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2 and moved.headers["ETag"]
    entry = client.get("/api/v1/audit", params={"action": "enrollment.changed"}, headers=admin).json()["items"][0]
    assert (entry["before"], entry["after"], entry["reason"]) == ({"version": 1}, {"version": 2}, "new edition")


def test_an_enrollment_never_moves_to_an_older_or_unpublished_version(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    publish_again(client, tenant, course["id"])
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "lea"))  # on version 2
    admin = tenant.as_(Role.TENANT_ADMIN)
    before = snapshot(platform)
    older = client.patch(enrollments_url(course["id"], "lea"), json={"version": 1, "reason": "x"}, headers=admin)
    missing = client.patch(enrollments_url(course["id"], "lea"), json={"version": 3, "reason": "x"}, headers=admin)
    unreasoned = client.patch(enrollments_url(course["id"], "lea"), json={"version": 2}, headers=admin)
    assert (older.status_code, missing.status_code, unreasoned.status_code) == (409, 422, 422)
    assert snapshot(platform) == before


def test_an_admin_cancels_and_changes_due_dates_and_a_learner_can_enroll_again(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    learner, admin = tenant.as_(Role.LEARNER, "lea"), tenant.as_(Role.TENANT_ADMIN)
    client.post(enrollments_url(course["id"]), headers=learner)
    url = enrollments_url(course["id"], "lea")
    due = client.patch(url, json={"dueDate": "2031-06-30", "reason": "deadline"}, headers=admin)
    assert due.json()["dueDate"] == "2031-06-30"
    cancelled = client.patch(
        url, json={"status": "cancelled", "dueDate": None, "reason": "left the team"}, headers=admin
    )
    assert (cancelled.json()["status"], cancelled.json()["dueDate"]) == ("cancelled", None)
    assert client.get("/api/v1/me/enrollments", params={"status": "active"}, headers=learner).json()["items"] == []
    again = client.post(enrollments_url(course["id"]), headers=learner)
    assert (again.status_code, again.json()["status"]) == (201, "active")


def test_a_completed_enrollment_cannot_be_cancelled(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    client.post(enrollments_url(course["id"]), headers=tenant.as_(Role.LEARNER, "lea"))
    complete(platform, tenant, "lea", course["id"])
    response = client.patch(
        enrollments_url(course["id"], "lea"),
        json={"status": "cancelled", "reason": "x"},
        headers=tenant.as_(Role.TENANT_ADMIN),
    )
    assert response.status_code == 409


def test_changing_an_enrollment_that_does_not_exist_answers_404(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    response = client.patch(
        enrollments_url(course["id"], "nobody"),
        json={"dueDate": None, "reason": "x"},
        headers=tenant.as_(Role.TENANT_ADMIN),
    )
    assert response.status_code == 404


def test_a_learner_of_tenant_a_never_enrolls_in_anything_of_tenant_b(
    client: TestClient, make_tenant, make_user, platform: Platform
) -> None:
    a, b = make_tenant(), make_tenant()
    course_of_b = published_course(client, b)
    user_of_b = make_user(b)
    before = snapshot(platform)
    as_learner = client.post(enrollments_url(course_of_b["id"]), headers=a.as_(Role.LEARNER))
    assign_b_user = client.post(
        enrollments_url(course_of_b["id"]), json={"userId": user_of_b["id"]}, headers=a.as_(Role.TENANT_ADMIN)
    )
    assert (as_learner.status_code, assign_b_user.status_code) == (404, 404)
    assert snapshot(platform) == before
    course_of_a = published_course(client, a)
    refused = client.post(
        enrollments_url(course_of_a["id"]), json={"userId": user_of_b["id"]}, headers=a.as_(Role.TENANT_ADMIN)
    )
    assert refused.status_code == 422
    assert client.get("/api/v1/me/enrollments", headers=a.as_(Role.LEARNER)).json()["items"] == []


def test_staff_of_another_tenant_neither_see_nor_change_an_enrollment(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    a, b = make_tenant(), make_tenant()
    course = published_course(client, a)
    client.post(enrollments_url(course["id"]), headers=a.as_(Role.LEARNER, "lea"))
    before = snapshot(platform)
    change = client.patch(
        enrollments_url(course["id"], "lea"),
        json={"status": "cancelled", "reason": "x"},
        headers=b.as_(Role.TENANT_ADMIN),
    )
    roster = client.get(enrollments_url(course["id"]), headers=b.as_(Role.INSTRUCTOR))
    assert (change.status_code, roster.status_code) == (404, 404)
    assert snapshot(platform) == before
