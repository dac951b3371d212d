"""Benchmark of learner catalog reads through the whole HTTP app, beside a bare FastAPI app.

A tenant with 40 published courses on the embedded profile; an authenticated learner reads
the catalog list (first page of 20) and one course's detail again and again. Both are served
from the cache port, so the numbers show what the app's edge (token validation, tenant
resolution, guards, middleware, JSON) costs per request, next to a bare FastAPI endpoint
returning the same JSON in the same process and run. Also prints the document-store reads
per 1,000 requests. No assertions on time. Run: `make bench`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.bootstrap import bootstrap
from shared.http.app import create_api
from shared.platform._sqlite_documents import SqliteDocumentStore
from shared.roles import Role
from shared.settings import Settings
from tests.counting import READS, CountingDocumentStore

COURSES = 40
REQUESTS = 2_000
TENANT = "bench-academy"


def rate(name: str, client: TestClient, url: str, headers: dict[str, str]) -> float:
    """Requests per second for ``REQUESTS`` identical GETs (after a warm-up)."""
    for _ in range(50):
        client.get(url, headers=headers)
    start = time.perf_counter()
    for _ in range(REQUESTS):
        response = client.get(url, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {response.status_code} {response.text}")
    return REQUESTS / (time.perf_counter() - start)


def seed(client: TestClient, bearer: Callable[[Role, str | None], dict[str, str]]) -> str:
    operator = bearer(Role.SUPER_ADMIN, None)
    client.post("/api/v1/tenants", json={"id": TENANT, "name": "Bench Academy"}, headers=operator)
    author = bearer(Role.INSTRUCTOR, TENANT)
    lessons = [{"id": f"l{n}", "title": f"Lesson {n}", "kind": "text", "text": "Body"} for n in range(12)]
    for n in range(COURSES):
        course_id = f"course-{n:02d}"
        body = {"id": course_id, "title": f"Course {n}", "summary": "A course " * 10, "tags": ["bench", f"t{n % 5}"]}
        client.post("/api/v1/courses", json=body, headers=author)
        client.put(
            f"/api/v1/courses/{course_id}/outline",
            json={"modules": [{"id": "m", "title": "M", "lessons": lessons}]},
            headers=author,
        )
        client.post(f"/api/v1/courses/{course_id}/publish", headers=author)
    return "course-07"


def bare_app(list_body: Any, detail_body: Any) -> FastAPI:
    app = FastAPI()

    @app.get("/list")
    def listing() -> Any:
        return list_body

    @app.get("/detail")
    def detail() -> Any:
        return detail_body

    return app


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # One learner token drives the whole load: the per-user rate limit would answer 429 instead.
        settings = Settings(data_dir=Path(folder), rate_limit_user_per_minute=0)
        store = CountingDocumentStore(SqliteDocumentStore(settings.data_dir / "documents.sqlite3"))
        platform = bootstrap(settings, documents=store)
        issuer = platform.dev_issuer
        assert issuer is not None

        def bearer(role: Role, tenant: str | None) -> dict[str, str]:
            token = issuer.issue(user_id=f"{role.value.lower()}-1", tenant_id=tenant, roles=[role])
            return {"Authorization": f"Bearer {token}"}

        with TestClient(create_api(platform)) as app_client:
            course = seed(app_client, bearer)
            learner = bearer(Role.LEARNER, TENANT)
            list_url, detail_url = "/api/v1/courses?limit=20", f"/api/v1/courses/{course}"
            list_body = app_client.get(list_url, headers=learner).json()
            detail_body = app_client.get(detail_url, headers=learner).json()
            store.reset()
            app_list = rate("app list", app_client, list_url, learner)
            app_detail = rate("app detail", app_client, detail_url, learner)
            reads_per_1000 = store.count(READS) / (2 * (REQUESTS + 50)) * 1000
        with TestClient(bare_app(list_body, detail_body)) as bare_client:
            bare_list = rate("bare list", bare_client, "/list", {})
            bare_detail = rate("bare detail", bare_client, "/detail", {})

    print(f"catalog reads, {REQUESTS} requests each, {COURSES} published courses, in-process (TestClient)")
    print(f"{'endpoint':<42}{'req/s':>10}")
    print(f"{'app: GET /api/v1/courses?limit=20 (learner)':<42}{app_list:>10,.0f}")
    print(f"{'bare FastAPI: same JSON':<42}{bare_list:>10,.0f}")
    print(f"{'app: GET /api/v1/courses/{id} (learner)':<42}{app_detail:>10,.0f}")
    print(f"{'bare FastAPI: same JSON':<42}{bare_detail:>10,.0f}")
    print(f"document-store reads per 1,000 app requests: {reads_per_1000:.2f}")


if __name__ == "__main__":
    main()
