"""Course search through the API: published courses become findable once the change feed of the
catalog has been followed (never straight from the publish request), drafts never are, withdrawn
courses disappear, and a tenant only ever finds its own courses.

Every test runs twice: on the embedded index (SQLite FTS5), and on the Azure AI Search adapter
through the real SDK clients against the in-memory service of ``tests/contract/fake_search_service``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import azure.functions as func
import pytest
from fastapi.testclient import TestClient

from functions import discovery
from shared.bootstrap import bootstrap
from shared.catalog.model import COURSES
from shared.discovery.handlers import index_course_changes
from shared.platform._azure_search import AzureSearchIndex, search_clients
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from shared.roles import Role
from shared.worker import LocalWorker, default_jobs
from tests.conftest import TenantHandle, make_settings
from tests.contract.fake_search_service import FakeSearchTransport
from tests.factories import draft_course, published_course


@pytest.fixture(params=["fts", "azure-search"])
def platform(request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock) -> Platform:
    overrides: dict[str, Any] = {}
    if request.param == "azure-search":
        clients = search_clients(
            "https://lms-test.search.windows.net", "test-key", None, transport=FakeSearchTransport()
        )
        overrides["search"] = AzureSearchIndex(*clients)
    return bootstrap(make_settings(tmp_path / "data"), clock=clock, **overrides)


def follow_the_feed(platform: Platform) -> None:
    """What `make run`'s worker does between requests."""
    LocalWorker(platform, default_jobs()).run_until_idle()


def search(client: TestClient, tenant: TenantHandle, role: Role = Role.LEARNER, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/search", params=params, headers=tenant.as_(role))
    assert response.status_code == 200, response.text
    return dict(response.json())


def found_ids(client: TestClient, tenant: TenantHandle, **params: Any) -> list[str]:
    return [item["id"] for item in search(client, tenant, **params)["items"]]


def python_course(client: TestClient, tenant: TenantHandle, **overrides: Any) -> dict[str, Any]:
    lesson = {"id": "deco", "title": "Decorators explained", "kind": "video"}
    body = {"title": "Practical Python", "summary": "Write small tools", "tags": ["programming"], **overrides}
    return published_course(client, tenant, lessons=[lesson], **body)


def test_a_published_course_is_found_by_title_tag_and_lesson_title_after_the_feed_is_followed(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = python_course(client, tenant)
    assert found_ids(client, tenant, q="python") == []  # publishing alone does not touch the index
    follow_the_feed(platform)
    for words in ("practical python", "pyth", "programming", "decorators", "DECORATORS explained"):
        assert found_ids(client, tenant, q=words) == [course["id"]], words
    assert found_ids(client, tenant, q="python cobol") == []  # every word is required


def test_a_hit_shows_the_course_with_its_score_and_highlighted_matches(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = python_course(client, tenant, description="Python <b>without</b> tears", level="intermediate")
    follow_the_feed(platform)
    result = search(client, tenant, q="python")
    assert result["total"] == 1
    (hit,) = result["items"]
    assert {k: hit[k] for k in ("id", "title", "summary", "tags", "level", "language")} == {
        "id": course["id"],
        "title": "Practical Python",
        "summary": "Write small tools",
        "tags": ["programming"],
        "level": "intermediate",
        "language": "en",
    }
    assert hit["score"] > 0
    assert hit["highlights"] == {
        "title": ["Practical <em>Python</em>"],
        "description": ["<em>Python</em> &lt;b&gt;without&lt;/b&gt; tears"],
    }
    lesson_hit = search(client, tenant, q="decorators")["items"][0]
    assert lesson_hit["highlights"] == {"lessonTitles": ["<em>Decorators</em> explained"]}


def test_filters_narrow_the_results_by_tag_level_and_language(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    basics = published_course(client, tenant, title="Data basics", tags=["data"], level="beginner", language="en")
    deep = published_course(client, tenant, title="Data in depth", tags=["data", "ml"], level="advanced")
    french = published_course(client, tenant, title="Données", tags=["data"], language="fr")
    follow_the_feed(platform)
    assert sorted(found_ids(client, tenant, tags="data")) == sorted([basics["id"], deep["id"], french["id"]])
    assert found_ids(client, tenant, tags="ML") == [deep["id"]]
    assert sorted(found_ids(client, tenant, tags=["ml", "nope"], q="data")) == [deep["id"]]
    assert found_ids(client, tenant, q="data", level="advanced") == [deep["id"]]
    assert found_ids(client, tenant, language="fr") == [french["id"]]
    assert found_ids(client, tenant, level="intermediate") == []


def test_results_come_in_pages_with_the_total_of_all_pages(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    ids = {published_course(client, tenant, title=f"Paging course {n}")["id"] for n in range(3)}
    follow_the_feed(platform)
    first = search(client, tenant, q="paging", limit=2)
    second = search(client, tenant, q="paging", limit=2, offset=2)
    assert (first["total"], second["total"], len(first["items"]), len(second["items"])) == (3, 3, 2, 1)
    assert {item["id"] for item in first["items"] + second["items"]} == ids


def test_a_draft_is_never_found_not_even_by_its_author(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    draft_course(client, tenant, title="Unreleased secrets")
    follow_the_feed(platform)
    for role in (Role.LEARNER, Role.INSTRUCTOR, Role.TENANT_ADMIN):
        assert search(client, tenant, role, q="unreleased")["total"] == 0
        assert search(client, tenant, role)["total"] == 0


def test_search_finds_what_is_published_not_later_edits_of_the_draft(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, title="Alpha course")
    headers = tenant.as_(Role.INSTRUCTOR)
    assert client.patch(f"/api/v1/courses/{course['id']}", json={"title": "Beta course"}, headers=headers).is_success
    follow_the_feed(platform)
    assert (found_ids(client, tenant, q="alpha"), found_ids(client, tenant, q="beta")) == ([course["id"]], [])
    assert client.post(f"/api/v1/courses/{course['id']}/publish", headers=headers).status_code == 201
    follow_the_feed(platform)
    assert (found_ids(client, tenant, q="alpha"), found_ids(client, tenant, q="beta")) == ([], [course["id"]])


@pytest.mark.parametrize(("method", "action"), [("POST", "/unpublish"), ("DELETE", "")], ids=["unpublished", "deleted"])
def test_a_withdrawn_course_is_gone_once_the_feed_is_followed(
    client: TestClient, make_tenant, platform: Platform, method: str, action: str
) -> None:
    tenant = make_tenant()
    course = python_course(client, tenant)
    follow_the_feed(platform)
    assert found_ids(client, tenant, q="python") == [course["id"]]
    response = client.request(method, f"/api/v1/courses/{course['id']}{action}", headers=tenant.as_(Role.INSTRUCTOR))
    assert response.is_success, response.text
    follow_the_feed(platform)
    assert search(client, tenant, q="python")["total"] == 0
    assert search(client, tenant)["total"] == 0


def test_a_learner_of_another_tenant_never_finds_the_course_even_by_its_exact_title(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    a, b = make_tenant(), make_tenant()
    course = python_course(client, a, title="Zebulon Quantum Basketry")
    python_course(client, b)
    follow_the_feed(platform)
    assert found_ids(client, a, q="Zebulon Quantum Basketry") == [course["id"]]
    assert search(client, b, q="Zebulon Quantum Basketry")["total"] == 0
    assert course["id"] not in found_ids(client, b, limit=50)
    assert course["id"] not in found_ids(client, b, q="python", limit=50)


def test_replaying_the_same_changes_leaves_one_result_per_course(
    client: TestClient, make_tenant, platform: Platform
) -> None:
    tenant = make_tenant()
    course = python_course(client, tenant)
    follow_the_feed(platform)
    changes = platform.documents.read_changes(COURSES, None, max_items=1000).items
    index_course_changes(platform, changes)  # the feed is at least once: a batch may come again
    index_course_changes(platform, changes)
    result = search(client, tenant, q="python")
    assert (result["total"], [item["id"] for item in result["items"]]) == (1, [course["id"]])


def test_the_azure_trigger_indexes_a_batch_of_changes_like_the_local_follower(
    client: TestClient, make_tenant, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant()
    kept = python_course(client, tenant)
    withdrawn = python_course(client, tenant, title="Python, withdrawn")
    draft_course(client, tenant, title="Python draft")
    assert client.post(f"/api/v1/courses/{withdrawn['id']}/unpublish", headers=tenant.as_(Role.INSTRUCTOR)).is_success
    # The trigger's body, as the Functions host calls it, with this test's platform as the composition root.
    monkeypatch.setattr(discovery, "default_platform", lambda: platform)
    app = func.FunctionApp()
    app.register_functions(discovery.bp)
    (function,) = [f for f in app.get_functions() if f.get_trigger().get_dict_repr()["type"] == "cosmosDBTrigger"]
    changes = platform.documents.read_changes(COURSES, None, max_items=1000).items
    function.get_user_function()(func.DocumentList([func.Document.from_dict(doc) for doc in changes]))
    by_trigger = search(client, tenant, q="python")
    assert [item["id"] for item in by_trigger["items"]] == [kept["id"]]
    follow_the_feed(platform)  # the local follower reads the same changes again
    assert search(client, tenant, q="python") == by_trigger


HOSTILE_QUERIES = [
    '"',
    '"unbalanced',
    "*",
    "python*",
    "AND OR NOT",
    "NEAR(python data)",
    "title:python",
    "{title}: x",
    "^3",
    "-python",
    "(((",
    "' OR 1=1 --",
    "\\",
    "%",
    "_",
    "\x00python",
    "\u202epython",
    "😀 🐍",
    "<script>alert(1)</script>",
    "a" * 200,
    " ".join(["w"] * 100),
]


def test_hostile_queries_never_break_the_search(client: TestClient, make_tenant, platform: Platform) -> None:
    tenant = make_tenant()
    course = python_course(client, tenant)
    follow_the_feed(platform)
    for q in HOSTILE_QUERIES:
        response = client.get("/api/v1/search", params={"q": q}, headers=tenant.as_(Role.LEARNER))
        assert response.status_code == 200, f"{q!r}: {response.status_code} {response.text[:200]}"
    # Query syntax is never interpreted: punctuation around a word is just punctuation.
    for q in ('"python', "python*", "-python", "(python)"):
        assert found_ids(client, tenant, q=q) == [course["id"]], q


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 201}, {"limit": 0}, {"limit": "ten"}, {"offset": -1}, {"level": "expert"}, {"language": "English"}],
    ids=str,
)
def test_bad_parameters_are_refused_as_a_problem(client: TestClient, make_tenant, params: dict[str, Any]) -> None:
    tenant = make_tenant()
    response = client.get("/api/v1/search", params=params, headers=tenant.as_(Role.LEARNER))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
