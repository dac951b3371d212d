"""The CSV enrollment import: per-row results, new users as Learners, idempotent re-imports."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from shared.platform.runtime import Platform
from shared.roles import Role
from tests.api.test_cross_tenant_walker import snapshot
from tests.conftest import TenantHandle
from tests.factories import published_course

IMPORT = "/api/v1/enrollments/import"


def upload(client: TestClient, tenant: TenantHandle, text: str | bytes, role: Role = Role.TENANT_ADMIN) -> Any:
    content = text.encode() if isinstance(text, str) else text
    headers = {**tenant.as_(role), "Content-Type": "text/csv; charset=utf-8"}
    return client.post(IMPORT, content=content, headers=headers)


def outcomes(response: Any) -> list[tuple[int, str]]:
    return [(r["row"], r["outcome"]) for r in response.json()["rows"]]


def test_each_row_is_enrolled_or_reported_and_bad_rows_never_stop_good_ones(
    client: TestClient, make_tenant, make_user
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    known = make_user(tenant, email="known@example.com")
    csv_text = (
        "email,name,course,due date\n"
        f"known@example.com,Known Person,{course},2031-01-31\n"
        f"New.Hire@Example.com,New Hire,{course},\n"
        "someone@example.com,Someone,no-such-course,\n"
        f"not-an-email,Nobody,{course},\n"
        f"late@example.com,Late,{course},31/01/2031\n"
        f"known@example.com,Known Again,{course},\n"
    )
    response = upload(client, tenant, csv_text)
    assert response.status_code == 200, response.text
    assert outcomes(response) == [
        (2, "enrolled"),
        (3, "enrolled"),
        (4, "error"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
    ]
    rows = response.json()["rows"]
    assert "no-such-course" in rows[2]["reason"]
    assert "repeats row 2" in rows[5]["reason"]
    assert response.json()["enrolled"] == 2 and response.json()["errors"] == 4

    roster = client.get(f"/api/v1/courses/{course}/enrollments", headers=tenant.as_(Role.TENANT_ADMIN)).json()
    by_user = {e["userId"]: e for e in roster["items"]}
    assert by_user[known["id"]]["dueDate"] == "2031-01-31"
    new_user = client.get(f"/api/v1/users/{rows[1]['userId']}", headers=tenant.as_(Role.TENANT_ADMIN)).json()
    assert (new_user["email"], new_user["displayName"], new_user["roles"]) == (
        "new.hire@example.com",
        "New Hire",
        ["Learner"],
    )
    assert by_user[new_user["id"]]["source"] == "import"


def test_importing_the_same_file_again_changes_nothing(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    csv_text = f"email,name,course,due date\na@example.com,Ann,{course},2031-01-01\nb@example.com,Bob,{course},\n"
    assert outcomes(upload(client, tenant, csv_text)) == [(2, "enrolled"), (3, "enrolled")]
    before = snapshot(platform)
    again = upload(client, tenant, csv_text)
    assert outcomes(again) == [(2, "unchanged"), (3, "unchanged")]
    assert snapshot(platform) == before


def test_imported_enrollments_are_audited_as_assignments(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    upload(client, tenant, f"email,name,course\na@example.com,Ann,{course}\n")
    admin = tenant.as_(Role.TENANT_ADMIN)
    entries = client.get("/api/v1/audit", params={"action": "enrollment.assigned"}, headers=admin).json()["items"]
    assert [(e["reason"], e["after"]["courseId"]) for e in entries] == [("CSV import", course)]


def test_a_row_missing_prerequisites_names_them_and_registers_nobody(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    basics = published_course(client, tenant)["id"]
    advanced = published_course(client, tenant, prerequisites=[basics])["id"]
    response = upload(client, tenant, f"email,name,course\nfresh@example.com,Fresh,{advanced}\n")
    assert outcomes(response) == [(2, "error")]
    assert basics in response.json()["rows"][0]["reason"]
    users = client.get("/api/v1/users", headers=tenant.as_(Role.TENANT_ADMIN)).json()["items"]
    assert "fresh@example.com" not in [u["email"] for u in users]


def test_malformed_files_are_refused_with_422_and_nothing_is_written(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    files: dict[str, str | bytes] = {
        "empty": "",
        "no header": f"a@example.com,Ann,{course},\n",
        "wrong columns": f"mail,name,course,deadline\na@example.com,Ann,{course},\n",
        "not UTF-8": f"email,name,course\nb@example.com,Bj\xf6rn,{course}\n".encode("latin-1"),
    }
    before = snapshot(platform)
    for label, content in files.items():
        response = upload(client, tenant, content)
        assert response.status_code == 422, f"{label}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/problem+json")
    as_json = client.post(IMPORT, json={"email": "a@example.com"}, headers=tenant.as_(Role.TENANT_ADMIN))
    assert as_json.status_code == 422
    assert snapshot(platform) == before


def test_a_file_over_the_body_limit_is_refused_with_413(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    row = "someone@example.com,Someone,course-x,\n"
    huge = "email,name,course,due date\n" + row * (platform.settings.max_request_bytes // len(row) + 1)
    assert upload(client, tenant, huge).status_code == 413


def test_only_tenant_admins_import(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)["id"]
    response = upload(client, tenant, f"email,name,course\na@example.com,Ann,{course}\n", role=Role.INSTRUCTOR)
    assert response.status_code == 403
