"""Courses through the HTTP API: drafts, outlines, immutable published versions, what
learners see, the cached learner catalog, and learning paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap, document_containers
from shared.catalog.model import COURSES
from shared.http.app import create_api
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from tests.conftest import TenantHandle, make_settings
from tests.counting import READS, CountingDocumentStore
from tests.factories import draft_course, outline, published_course

COURSES_URL = "/api/v1/courses"


def test_an_instructor_creates_a_draft_that_learners_cannot_see(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = draft_course(client, tenant, title="Secret draft")
    assert course["status"] == "draft" and course["latestVersion"] is None
    assert client.get(f"{COURSES_URL}/{course['id']}", headers=tenant.as_(Role.LEARNER)).status_code == 404
    learner_list = client.get(COURSES_URL, headers=tenant.as_(Role.LEARNER)).json()
    assert "Secret draft" not in str(learner_list)
    staff_list = client.get(COURSES_URL, headers=tenant.as_(Role.INSTRUCTOR)).json()
    assert [c["title"] for c in staff_list["items"]] == ["Secret draft"]


def test_publishing_makes_version_one_that_learners_read(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    published = published_course(client, tenant, title="Python basics", tags=["Python", "python", "code"])
    assert (published["version"], published["title"], published["tags"]) == (1, "Python basics", ["python", "code"])
    seen = client.get(f"{COURSES_URL}/{published['id']}", headers=tenant.as_(Role.LEARNER))
    assert seen.status_code == 200
    assert seen.json()["version"] == 1
    assert [lesson["id"] for lesson in seen.json()["outline"]["modules"][0]["lessons"]] == ["intro", "reading"]


def test_editing_the_draft_never_changes_the_published_version(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, title="Version one title")
    author = tenant.as_(Role.INSTRUCTOR)
    assert client.patch(f"{COURSES_URL}/{course['id']}", json={"title": "Draft title"}, headers=author).is_success
    new_outline = outline({"id": "only", "title": "Rewritten", "kind": "text", "text": "New"})
    assert client.put(f"{COURSES_URL}/{course['id']}/outline", json=new_outline, headers=author).is_success
    learner_view = client.get(f"{COURSES_URL}/{course['id']}", headers=tenant.as_(Role.LEARNER)).json()
    assert learner_view["title"] == "Version one title" and learner_view["version"] == 1
    assert learner_view["outline"]["modules"][0]["lessons"][0]["id"] == "intro"
    staff_view = client.get(f"{COURSES_URL}/{course['id']}", headers=author).json()
    assert (staff_view["title"], staff_view["latestVersion"]) == ("Draft title", 1)


def test_publishing_again_makes_the_next_version_and_keeps_the_old_one(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    from shared.catalog.service import course_version
    from shared.platform.tenancy import TenantContext

    tenant = make_tenant()
    course = published_course(client, tenant, title="First")
    author = tenant.as_(Role.INSTRUCTOR)
    client.patch(f"{COURSES_URL}/{course['id']}", json={"title": "Second"}, headers=author)
    second = client.post(f"{COURSES_URL}/{course['id']}/publish", headers=author)
    assert (second.status_code, second.json()["version"], second.json()["title"]) == (201, 2, "Second")
    ctx = TenantContext(tenant_id=tenant.id, user_id="x", roles=frozenset({Role.LEARNER}))
    assert course_version(platform, ctx, course["id"], 1).title == "First"
    assert course_version(platform, ctx, course["id"], 2).title == "Second"


def test_publishing_an_unchanged_draft_answers_the_latest_version_and_makes_none(
    client: TestClient, make_tenant
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, title="Stable")
    author = tenant.as_(Role.INSTRUCTOR)
    again = client.post(f"{COURSES_URL}/{course['id']}/publish", headers=author)
    assert (again.status_code, again.json()["version"]) == (200, 1)
    assert again.json()["publishedAt"] == course["publishedAt"]
    # Unpublished, then published unchanged: the same version is back in the catalog, not a copy of it.
    assert client.post(f"{COURSES_URL}/{course['id']}/unpublish", headers=author).is_success
    assert client.get(f"{COURSES_URL}/{course['id']}", headers=tenant.as_(Role.LEARNER)).status_code == 404
    back = client.post(f"{COURSES_URL}/{course['id']}/publish", headers=author)
    assert (back.status_code, back.json()["version"]) == (200, 1)
    assert client.get(f"{COURSES_URL}/{course['id']}", headers=tenant.as_(Role.LEARNER)).json()["version"] == 1
    # Any change makes the next version.
    client.patch(f"{COURSES_URL}/{course['id']}", json={"summary": "Now with a summary"}, headers=author)
    changed = client.post(f"{COURSES_URL}/{course['id']}/publish", headers=author)
    assert (changed.status_code, changed.json()["version"]) == (201, 2)


def test_a_course_without_lessons_cannot_be_published(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author = tenant.as_(Role.INSTRUCTOR)
    created = client.post(COURSES_URL, json={"title": "Empty"}, headers=author).json()
    response = client.post(f"{COURSES_URL}/{created['id']}/publish", headers=author)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("lessons", "complaint"),
    [
        (
            [{"id": "a", "title": "A", "kind": "text"}, {"id": "a", "title": "Again", "kind": "text"}],
            "used twice",
        ),
        (
            [
                {"id": "a", "title": "A", "kind": "text", "prerequisites": ["b"]},
                {"id": "b", "title": "B", "kind": "text"},
            ],
            "earlier lessons",
        ),
        ([{"id": "s", "title": "Scorm", "kind": "scorm"}], "needs a package"),
        (
            [{"id": "v", "title": "Video", "kind": "video", "package": {"container": "uploads", "name": "x.zip"}}],
            "needs a package",
        ),
        (
            [{"id": "s", "title": "S", "kind": "scorm", "package": {"container": "uploads", "name": "../x.zip"}}],
            "invalid blob name",
        ),
    ],
    ids=["duplicate-id", "later-prerequisite", "scorm-without-package", "package-on-video", "escaping-package"],
)
def test_an_inconsistent_outline_is_refused_and_changes_nothing(
    client: TestClient, make_tenant, lessons: list[dict[str, Any]], complaint: str
) -> None:
    tenant = make_tenant()
    course = draft_course(client, tenant)
    author = tenant.as_(Role.INSTRUCTOR)
    response = client.put(f"{COURSES_URL}/{course['id']}/outline", json=outline(*lessons), headers=author)
    assert response.status_code == 422
    assert complaint in response.text
    assert client.get(f"{COURSES_URL}/{course['id']}", headers=author).json()["outline"] == course["outline"]


def test_a_scorm_lesson_points_at_its_package(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    package = {"container": "uploads", "name": f"{tenant.id}/scorm/safety.zip"}
    course = draft_course(client, tenant, lessons=[{"id": "s", "title": "Safety", "kind": "scorm", "package": package}])
    assert course["outline"]["modules"][0]["lessons"][0]["package"] == package


def test_a_course_prerequisite_must_exist_and_be_published_before_publishing(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author = tenant.as_(Role.INSTRUCTOR)
    missing = client.post(COURSES_URL, json={"title": "Advanced", "prerequisites": ["nope"]}, headers=author)
    assert missing.status_code == 422 and "nope" in missing.text
    basics = draft_course(client, tenant, title="Basics")
    advanced = draft_course(client, tenant, title="Advanced", prerequisites=[basics["id"]])
    refused = client.post(f"{COURSES_URL}/{advanced['id']}/publish", headers=author)
    assert refused.status_code == 409 and basics["id"] in refused.text
    assert client.post(f"{COURSES_URL}/{basics['id']}/publish", headers=author).status_code == 201
    assert client.post(f"{COURSES_URL}/{advanced['id']}/publish", headers=author).status_code == 201


def test_a_stale_if_match_on_a_draft_edit_is_refused(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = draft_course(client, tenant)
    author = tenant.as_(Role.INSTRUCTOR)
    first = client.patch(f"{COURSES_URL}/{course['id']}", json={"title": "One"}, headers=author)
    stale = client.patch(
        f"{COURSES_URL}/{course['id']}", json={"title": "Two"}, headers={**author, "If-Match": '"stale"'}
    )
    assert first.status_code == 200 and stale.status_code == 412


def test_unpublishing_and_deleting_hide_the_course_from_learners(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author, learner = tenant.as_(Role.INSTRUCTOR), tenant.as_(Role.LEARNER)
    gone, withdrawn = published_course(client, tenant), published_course(client, tenant)
    # Learners read both first, so the cached list and details must be dropped, not just never filled.
    assert len(client.get(COURSES_URL, headers=learner).json()["items"]) == 2
    for course in (gone, withdrawn):
        assert client.get(f"{COURSES_URL}/{course['id']}", headers=learner).status_code == 200
    assert client.delete(f"{COURSES_URL}/{gone['id']}", headers=author).status_code == 204
    assert client.post(f"{COURSES_URL}/{withdrawn['id']}/unpublish", headers=author).json()["status"] == "unpublished"
    for course in (gone, withdrawn):
        assert client.get(f"{COURSES_URL}/{course['id']}", headers=learner).status_code == 404
    assert client.get(COURSES_URL, headers=learner).json()["items"] == []
    assert client.get(f"{COURSES_URL}/{gone['id']}", headers=author).status_code == 404


def test_learners_cannot_create_edit_or_publish(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = draft_course(client, tenant)
    learner = tenant.as_(Role.LEARNER)
    assert client.post(COURSES_URL, json={"title": "Mine"}, headers=learner).status_code == 403
    assert client.patch(f"{COURSES_URL}/{course['id']}", json={"title": "X"}, headers=learner).status_code == 403
    assert client.post(f"{COURSES_URL}/{course['id']}/publish", headers=learner).status_code == 403


def test_catalog_reads_carry_an_etag_and_cache_control_and_answer_304(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant)
    learner = tenant.as_(Role.LEARNER)
    for url in (COURSES_URL, f"{COURSES_URL}/{course['id']}"):
        first = client.get(url, headers=learner)
        assert first.headers["Cache-Control"].startswith("private, max-age=")
        again = client.get(url, headers={**learner, "If-None-Match": first.headers["ETag"]})
        assert (again.status_code, again.content) == (304, b"")
    author_read = client.get(COURSES_URL, headers=tenant.as_(Role.INSTRUCTOR))
    assert author_read.headers["Cache-Control"] == "private, no-cache"


def test_publishing_changes_the_learner_list_at_once(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    learner = tenant.as_(Role.LEARNER)
    published_course(client, tenant, title="One")
    before = client.get(COURSES_URL, headers=learner)
    published_course(client, tenant, title="Two")
    after = client.get(COURSES_URL, headers={**learner, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert sorted(c["title"] for c in after.json()["items"]) == ["One", "Two"]


@pytest.fixture
def counted(tmp_path: Path, clock: ManualClock) -> Iterator[tuple[TestClient, CountingDocumentStore, Platform]]:
    settings = make_settings(tmp_path / "data")
    store = CountingDocumentStore(
        SqliteDocumentStore(settings.data_dir / "documents.sqlite3", clock=clock, containers=document_containers())
    )
    platform = bootstrap(settings, clock=clock, documents=store)
    with TestClient(create_api(platform), raise_server_exceptions=False) as test_client:
        yield test_client, store, platform


def test_a_thousand_identical_catalog_reads_cost_a_handful_of_store_reads(
    counted: tuple[TestClient, CountingDocumentStore, Platform],
) -> None:
    client, store, platform = counted
    from tests.conftest import Tokens

    tenant = TenantHandle("cached-tenant", Tokens(platform))
    assert client.post("/api/v1/tenants", json={"id": tenant.id, "name": "Cached"}, headers=tenant.tokens.super_admin())
    course = published_course(client, tenant)
    learner = tenant.as_(Role.LEARNER)
    store.reset()
    for _ in range(1000):
        assert client.get(COURSES_URL, headers=learner).status_code == 200
        assert client.get(f"{COURSES_URL}/{course['id']}", headers=learner).status_code == 200
    reads = store.count(READS)
    assert reads <= 6, f"2,000 cached catalog reads cost {reads} store reads: {dict(store.calls)}"
    assert store.count(READS, COURSES) <= 2


def test_a_learning_path_is_visible_to_learners_once_published(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author, learner = tenant.as_(Role.INSTRUCTOR), tenant.as_(Role.LEARNER)
    first, second = published_course(client, tenant), published_course(client, tenant)
    body = {"id": "data-track", "title": "Data track", "courses": [first["id"], second["id"]]}
    created = client.post("/api/v1/paths", json=body, headers=author)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    assert client.get("/api/v1/paths/data-track", headers=learner).status_code == 404
    assert client.get("/api/v1/paths", headers=learner).json()["items"] == []
    assert client.post("/api/v1/paths/data-track/publish", headers=author).json()["status"] == "published"
    seen = client.get("/api/v1/paths/data-track", headers=learner).json()
    assert seen["courses"] == [first["id"], second["id"]]


def test_a_path_over_an_unpublished_course_cannot_be_published(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author = tenant.as_(Role.INSTRUCTOR)
    draft = draft_course(client, tenant)
    client.post("/api/v1/paths", json={"id": "p", "title": "P", "courses": [draft["id"]]}, headers=author)
    refused = client.post("/api/v1/paths/p/publish", headers=author)
    assert refused.status_code == 409 and draft["id"] in refused.text


def test_a_path_naming_an_unknown_or_repeated_course_is_refused(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author = tenant.as_(Role.INSTRUCTOR)
    course = published_course(client, tenant)
    unknown = client.post("/api/v1/paths", json={"title": "P", "courses": ["ghost"]}, headers=author)
    repeated = client.post("/api/v1/paths", json={"title": "P", "courses": [course["id"]] * 2}, headers=author)
    assert (unknown.status_code, repeated.status_code) == (422, 422)
    assert client.get("/api/v1/paths", headers=author).json()["items"] == []


def test_a_path_must_order_a_course_after_the_courses_it_requires(client: TestClient, make_tenant) -> None:
    tenant = make_tenant()
    author = tenant.as_(Role.INSTRUCTOR)
    basics = published_course(client, tenant)
    advanced = published_course(client, tenant, prerequisites=[basics["id"]])
    backwards = client.post(
        "/api/v1/paths", json={"title": "P", "courses": [advanced["id"], basics["id"]]}, headers=author
    )
    assert backwards.status_code == 422 and "earlier in the path" in backwards.text
    forwards = client.post(
        "/api/v1/paths", json={"title": "P", "courses": [basics["id"], advanced["id"]]}, headers=author
    )
    assert forwards.status_code == 201
