"""GDPR export and erasure: a user's footprint is built through the API and the worker, exported,
erased, and then every document container, blob container and the search index is scanned for them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from shared.containers import DOCUMENT_CONTAINERS
from shared.discovery.model import INDEX
from shared.platform.documents import Document, Query
from shared.platform.personal_data import pseudonym_of
from shared.platform.runtime import Platform
from shared.platform.topology import BLOB_CONTAINERS
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle
from tests.factories import (
    choice_question,
    completed_course,
    draft_course,
    enroll,
    issued_certificate,
    published_course,
    question_bank,
    quiz_course,
)

LEARNER = {"id": "quin-erasable", "email": "quin.erasable@example.com", "displayName": "Quintessa Erasmus"}
KEEPER = {"id": "kept-learner", "email": "kept@example.com", "displayName": "Konstantin Keeper"}
INSTRUCTOR = {"id": "instructor-1", "email": "ivo.tutor@example.com", "displayName": "Ivo Tutorius"}
TRANSCRIPT = """\
The water cycle describes how water moves between the oceans, the atmosphere and the land.
Heat from the sun causes evaporation, turning liquid water from oceans and lakes into vapour.
Plants also release vapour through their leaves in a process called transpiration.
As warm air rises it cools, and the vapour condenses into tiny droplets that form clouds.
"""


def run_worker(client: TestClient) -> None:
    LocalWorker(client.app.state.platform_provider(), default_jobs()).run_until_idle()


def admin(tenant: TenantHandle) -> dict[str, str]:
    return tenant.as_(Role.TENANT_ADMIN)


def needles(person: dict[str, str]) -> list[str]:
    return [person["id"].lower(), person["email"].lower(), person["displayName"].lower()]


def _all_documents(platform: Platform, container: str) -> Iterator[Document]:
    continuation = None
    while True:
        page = platform.documents.query(container, Query(limit=1000, continuation=continuation), partition_key=None)
        yield from page.items
        continuation = page.continuation
        if not continuation:
            return


def _blob_text(platform: Platform, container: str, name: str) -> str:
    data = platform.blobs.read_bytes(container, name)
    text = name + "\n" + data.decode("latin-1")
    if data.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(data))
        text += "\n".join(page.extract_text() for page in reader.pages) + json.dumps(dict(reader.metadata or {}))
    return text


def stores_mentioning(platform: Platform, tenant_id: str, person: dict[str, str]) -> list[str]:
    """Where anything the platform stores names the person: document container and id, blob, or search hit."""
    words = needles(person)
    found = []
    for spec in DOCUMENT_CONTAINERS:
        for doc in _all_documents(platform, spec.name):
            if any(word in json.dumps(doc, ensure_ascii=False).lower() for word in words):
                found.append(f"{spec.name}/{doc.get('action') or doc['id']}")
    for container in BLOB_CONTAINERS:
        for info in platform.blobs.list(container):
            if any(word in _blob_text(platform, container, info.name).lower() for word in words):
                found.append(f"blob:{container}/{info.name}")
    for word in words:
        for hit in platform.search.search(INDEX, tenant_id, word).hits:
            found.append(f"search:{hit.document['id']}")
    return found


def footprint(client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]) -> dict[str, Any]:
    """The learner enrolls, completes a course (certificate), takes a quiz, is assigned a course, is
    completed by hand and has their roles changed: activity, notifications and audit entries about them."""
    user = LEARNER["id"]
    make_user(tenant, **INSTRUCTOR, roles=["Instructor"])
    make_user(tenant, **LEARNER)
    make_user(tenant, **KEEPER)
    certificate = issued_certificate(client, tenant, user, title="Harbour Safety")
    kept = issued_certificate(client, tenant, KEEPER["id"], title="Harbour Safety Two")
    bank, _ = question_bank(client, tenant, choice_question(1))
    quiz = quiz_course(client, tenant, bank)
    enroll(client, tenant, quiz["id"], user)
    url = f"/api/v1/courses/{quiz['id']}/lessons/final-quiz/attempts"
    attempt = client.post(url, headers=tenant.as_(Role.LEARNER, user)).json()
    answers = {attempt["items"][0]["questionId"]: "a"}
    learner = tenant.as_(Role.LEARNER, user)
    assert client.put(
        f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=learner
    ).is_success
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=learner).status_code == 200
    assigned = published_course(client, tenant, title="Assigned course")
    body = {"userId": user, "dueDate": "2031-01-31"}
    assert client.post(f"/api/v1/courses/{assigned['id']}/enrollments", json=body, headers=admin(tenant)).is_success
    manual = f"/api/v1/courses/{assigned['id']}/progress/{user}/complete"
    assert client.post(manual, json={"reason": f"{LEARNER['displayName']} did it in class"}, headers=admin(tenant))
    patch = {"roles": ["Learner", "Instructor"], "reason": "helps in class"}
    assert client.patch(f"/api/v1/users/{user}", json=patch, headers=admin(tenant)).status_code == 200
    run_worker(client)
    return {"certificate": certificate, "kept": kept, "attempt": attempt["id"]}


@pytest.fixture
def tenant(make_tenant: Callable[..., TenantHandle]) -> TenantHandle:
    return make_tenant(name="Harbour Academy", flags={"ai_question_drafts": True})


def test_the_export_holds_what_each_context_keeps_about_the_user_and_is_audited(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]
) -> None:
    made = footprint(client, tenant, make_user)
    response = client.get(f"/api/v1/users/{LEARNER['id']}/export", headers=admin(tenant))
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.json()["data"]
    assert data["profile"]["profile"]["email"] == LEARNER["email"]
    assert {e["status"] for e in data["enrollment"]["enrollments"]} == {"completed", "active"}
    assert len(data["enrollment"]["enrollments"]) == 3
    assert {p["state"] for p in data["learning"]["progress"]} >= {"completed"}
    assert [a["id"] for a in data["assessment"]["attempts"]] == [made["attempt"]]
    assert made["certificate"]["id"] in [c["id"] for c in data["credentials"]["certificates"]]
    kinds = {n["kind"] for n in data["notifications"]["notifications"]}
    assert kinds == {"certificate_ready", "quiz_graded", "enrollment_assigned"}
    actions = {e["action"] for e in data["audit"]["entries"]}
    assert {"user.roles_changed", "enrollment.assigned", "progress.manual_completion"} <= actions
    assert KEEPER["id"] not in json.dumps(data)
    audit = client.get("/api/v1/audit?action=user.exported", headers=admin(tenant)).json()["items"]
    assert [e["subjectId"] for e in audit] == [LEARNER["id"]]


def test_after_an_erasure_no_store_names_the_user_not_even_the_erasures_own_audit_entry(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any], platform: Platform
) -> None:
    footprint(client, tenant, make_user)
    before = stores_mentioning(platform, tenant.id, LEARNER)
    assert any(f.startswith("blob:certificates/") for f in before)  # the scan sees inside the PDFs
    assert {f.split("/")[0] for f in before} >= {"users", "enrollments", "progress", "attempts", "certificates"}
    erased = client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant))
    assert erased.status_code == 204, erased.text
    run_worker(client)
    assert stores_mentioning(platform, tenant.id, LEARNER) == []
    assert client.get(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant)).status_code == 404


def test_an_erased_holders_certificate_still_verifies_without_the_name(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]
) -> None:
    made = footprint(client, tenant, make_user)
    code = made["certificate"]["verificationCode"]
    assert client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant)).status_code == 204
    verified = client.get(f"/api/v1/verify/{code}")
    assert verified.status_code == 200
    view = verified.json()
    assert (view["status"], view["holderName"], view["courseTitle"], view["issuer"]) == (
        "valid",
        "(erased)",
        "Harbour Safety",
        "Harbour Academy",
    )
    assert view["completedAt"] == made["certificate"]["completedAt"]
    claims = jwt.decode(view["credential"], options={"verify_signature": False})
    assert claims["holder"] == {"name": "(erased)"} and claims["jti"] == view["certificateId"]
    assert view["certificateId"] != made["certificate"]["id"]
    pdf = client.get(f"/api/v1/certificates/{view['certificateId']}/pdf", headers=admin(tenant))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    printed = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "(erased)" in printed and "Harbour Safety" in printed and LEARNER["displayName"] not in printed


def test_erasing_one_user_leaves_another_users_data_as_it_was(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]
) -> None:
    made = footprint(client, tenant, make_user)
    url = f"/api/v1/users/{KEEPER['id']}/export"
    before = client.get(url, headers=admin(tenant)).json()["data"]
    assert client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant)).status_code == 204
    after = client.get(url, headers=admin(tenant)).json()["data"]
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    kept = client.get(f"/api/v1/verify/{made['kept']['verificationCode']}").json()
    assert kept["holderName"] == KEEPER["displayName"]
    mine = client.get("/api/v1/me/enrollments", headers=tenant.as_(Role.LEARNER, KEEPER["id"])).json()["items"]
    assert [e["status"] for e in mine] == ["completed"]


def test_a_second_erasure_and_an_erasure_in_another_tenant_answer_404(
    client: TestClient,
    platform: Platform,
    tenant: TenantHandle,
    make_tenant: Callable[..., TenantHandle],
    make_user: Callable[..., Any],
) -> None:
    make_user(tenant, **LEARNER)
    completed_course(client, tenant, LEARNER["id"])
    other = make_tenant()
    assert client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(other)).status_code == 404
    assert client.get(f"/api/v1/users/{LEARNER['id']}/export", headers=admin(other)).status_code == 404
    assert client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant)).status_code == 204
    again = client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant))
    assert again.status_code == 404 and again.headers["content-type"].startswith("application/problem+json")
    audit = client.get("/api/v1/audit?action=user.erased", headers=admin(tenant)).json()["items"]
    assert [e["subjectId"] for e in audit] == [pseudonym_of(platform, tenant.id, LEARNER["id"])]


def test_the_last_active_tenant_admin_cannot_be_erased_and_nothing_changes(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]
) -> None:
    boss = make_user(tenant, id="boss", email="boss@example.com", displayName="Only Admin", roles=["TenantAdmin"])
    refused = client.delete(f"/api/v1/users/{boss['id']}", headers=admin(tenant))
    assert refused.status_code == 409
    assert client.get(f"/api/v1/users/{boss['id']}", headers=admin(tenant)).status_code == 200


def test_support_and_learners_can_neither_export_nor_erase(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]
) -> None:
    make_user(tenant, **LEARNER)
    for role in (Role.SUPPORT_READONLY, Role.LEARNER, Role.INSTRUCTOR):
        headers = tenant.as_(role)
        assert client.get(f"/api/v1/users/{LEARNER['id']}/export", headers=headers).status_code == 403
        assert client.delete(f"/api/v1/users/{LEARNER['id']}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant)).status_code == 200


def test_a_malformed_user_id_is_a_4xx_problem(client: TestClient, tenant: TenantHandle) -> None:
    for path in ("/api/v1/users/%20bad%2Fid", "/api/v1/users/" + "x" * 200):
        for method in ("GET", "DELETE"):
            response = client.request(method, path + ("/export" if method == "GET" else ""), headers=admin(tenant))
            assert 400 <= response.status_code < 500, (method, path, response.status_code)


def test_erasing_an_instructor_keeps_their_courses_banks_and_drafts_under_a_pseudonym(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any], platform: Platform
) -> None:
    make_user(tenant, **INSTRUCTOR, roles=["Instructor"])
    make_user(tenant, **LEARNER)
    lessons = [
        {"id": "water-cycle", "title": "The water cycle", "kind": "text", "text": TRANSCRIPT},
        {"id": "intro", "title": "Introduction", "kind": "video", "durationSeconds": 90},
    ]
    course = draft_course(client, tenant, title="Water", lessons=lessons)["id"]
    staff = tenant.as_(Role.INSTRUCTOR)
    upload = f"/api/v1/courses/{course}/lessons/intro/video/upload-url"
    assert client.post(upload, json={"filename": "intro.mp4"}, headers=staff).status_code == 201
    drafts = client.post(f"/api/v1/courses/{course}/lessons/water-cycle/question-drafts", headers=staff)
    assert drafts.status_code == 201, drafts.text
    question_bank(client, tenant)
    assert client.post(f"/api/v1/courses/{course}/publish", headers=staff).status_code == 201
    body = {"userId": LEARNER["id"]}
    assert client.post(f"/api/v1/courses/{course}/enrollments", json=body, headers=staff).is_success
    run_worker(client)
    exported = client.get(f"/api/v1/users/{INSTRUCTOR['id']}/export", headers=admin(tenant)).json()["data"]
    assert exported["media"]["uploadTickets"] and exported["assessment"]["questionDrafts"]
    assert exported["catalog"]["mentions"] and exported["enrollment"]["mentions"]
    assert client.delete(f"/api/v1/users/{INSTRUCTOR['id']}", headers=admin(tenant)).status_code == 204
    run_worker(client)
    assert stores_mentioning(platform, tenant.id, INSTRUCTOR) == []
    found = client.get("/api/v1/search?q=water", headers=tenant.as_(Role.LEARNER, LEARNER["id"])).json()["items"]
    assert [c["id"] for c in found] == [course]
    mine = client.get("/api/v1/me/enrollments", headers=tenant.as_(Role.LEARNER, LEARNER["id"])).json()["items"]
    assert [e["courseId"] for e in mine] == [course] and mine[0]["enrolledBy"].startswith("erased-")


def test_after_an_erasure_no_response_a_tenant_admin_can_read_names_the_user(
    client: TestClient, tenant: TenantHandle, make_user: Callable[..., Any]
) -> None:
    from tests.api.openapi_walk import operations

    done = footprint(client, tenant, make_user)
    courses = [c["id"] for c in client.get("/api/v1/courses", headers=admin(tenant)).json()["items"]]
    assert client.delete(f"/api/v1/users/{LEARNER['id']}", headers=admin(tenant)).status_code == 204
    run_worker(client)
    known = {"userId": [LEARNER["id"]], "certificateId": [done["certificate"]["id"]], "attemptId": [done["attempt"]]}
    known["courseId"] = courses
    words = needles(LEARNER)
    read = 0
    for op in operations(client):
        if op.method != "get" or op.public or not set(op.path_params) <= set(known):
            continue
        fillings: list[dict[str, str]] = [{}]
        for name in op.path_params:
            fillings = [{**f, name: value} for f in fillings for value in known[name]]
        for values in fillings:
            response = client.get(op.url(values), headers=admin(tenant))
            if response.status_code != 200:
                continue
            read += 1
            text = response.text.lower()
            assert not [w for w in words if w in text], f"{op} {values} names the erased user"
    assert read >= 20  # the audit log, the users, the reports, the courses, the certificates...
