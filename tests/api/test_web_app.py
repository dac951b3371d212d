"""The built web app on the API's origin: files of LMS_WEB_DIST, the single-page fallback, caching,
HEAD, and nothing outside the folder; without the folder, those paths are 404 as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform.clock import ManualClock
from shared.roles import Role
from tests.conftest import Tokens, make_settings

INDEX = b"<!doctype html><title>LMS</title><script type=module src=/assets/app-1a2b3c.js></script>"
BUNDLE = b"console.log('the learner area');"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_bytes(INDEX)
    (folder / "assets" / "app-1a2b3c.js").write_bytes(BUNDLE)
    (folder / "favicon.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the web app")
    (folder / "linked.txt").symlink_to(tmp_path / "secret.txt")
    return folder


@pytest.fixture
def web(tmp_path: Path, dist: Path, clock: ManualClock) -> Iterator[tuple[TestClient, Tokens]]:
    platform = bootstrap(make_settings(tmp_path / "data", web_dist=dist), clock=clock)
    with TestClient(create_api(platform), raise_server_exceptions=False) as client:
        yield client, Tokens(platform)


def test_the_root_and_every_app_route_answer_index_html_revalidated(web: tuple[TestClient, Tokens]) -> None:
    client, _ = web
    for path in ("/", "/index.html", "/courses/getting-started", "/admin/audit?action=x", "/assets"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content == INDEX, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.headers["cache-control"] == "no-cache", path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "*" not in csp


def test_assets_are_cached_for_a_year_and_a_missing_one_is_a_404_not_the_page(
    web: tuple[TestClient, Tokens],
) -> None:
    client, _ = web
    bundle = client.get("/assets/app-1a2b3c.js")
    assert bundle.status_code == 200 and bundle.content == BUNDLE
    assert bundle.headers["content-type"].split(";")[0] in {"text/javascript", "application/javascript"}
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "etag" in bundle.headers
    missing = client.get("/assets/app-000000.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    other = client.get("/favicon.svg")
    assert other.headers["content-type"].startswith("image/svg+xml") and other.headers["cache-control"] == "no-cache"


def test_head_answers_the_headers_without_the_body(web: tuple[TestClient, Tokens]) -> None:
    client, _ = web
    for path, size in (("/assets/app-1a2b3c.js", len(BUNDLE)), ("/", len(INDEX)), ("/learn/x", len(INDEX))):
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
        assert response.headers["content-length"] == str(size)


@pytest.mark.parametrize(
    "path",
    [
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%5csecret.txt",
        "/linked.txt",  # a link inside the folder to a file outside it
    ],
)
def test_nothing_outside_the_folder_is_served(web: tuple[TestClient, Tokens], path: str) -> None:
    client, _ = web
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert b"outside the web app" not in response.content


def test_api_paths_are_never_the_web_app(web: tuple[TestClient, Tokens]) -> None:
    client, tokens = web
    unknown = client.get("/api/v1/no-such-route")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api").status_code == 404
    assert client.get("/api/health").json() == {"status": "ok"}
    me = client.get("/api/v1/me", headers=tokens("acme", "ann", Role.LEARNER))
    assert me.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_only_get_and_head_reach_the_web_app(web: tuple[TestClient, Tokens]) -> None:
    client, _ = web
    for method in ("POST", "PUT", "DELETE"):
        response = client.request(method, "/courses/x")
        assert response.status_code in (404, 405), method
        assert INDEX not in response.content


def test_without_the_folder_web_paths_are_404_problems(client: TestClient) -> None:
    for path in ("/", "/courses/x", "/assets/app.js"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
